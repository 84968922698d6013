#!/usr/bin/env python3
"""Writes a version 1.0 .npy file with the header dict given as text, padded
as NumPy pads it, followed by DATA_BYTES zero bytes (for the reader's error
tests: the header need not be valid).

  make-npy.py "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }" 8
"""
import struct
import sys

header = sys.argv[1].encode()
data_bytes = int(sys.argv[2]) if len(sys.argv) > 2 else 0
header += b" " * ((64 - (10 + len(header) + 1) % 64) % 64) + b"\n"
sys.stdout.buffer.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) +
                        header + b"\x00" * data_bytes)
