// Bad input to mamba-opt: a located error and exit code 1, never a crash.
// RUN: rm -rf %t && split-file %s %t

// RUN: sh -c 'mamba-opt %t/syntax.mlir 2>%t/syntax.err; test $? -eq 1'
// RUN: FileCheck %s --check-prefix=SYNTAX < %t/syntax.err
// SYNTAX: syntax.mlir:2:60: error: custom op 'nki.tensor_copy' expected 'into'

// RUN: sh -c 'mamba-opt %t/unknown-op.mlir 2>%t/unknown-op.err; test $? -eq 1'
// RUN: FileCheck %s --check-prefix=UNKNOWN < %t/unknown-op.err
// UNKNOWN: unknown-op.mlir:2:3: error: custom op 'nki.matmul_transpose' is unknown

// RUN: sh -c 'mamba-opt %t/verify.mlir 2>%t/verify.err; test $? -eq 1'
// RUN: FileCheck %s --check-prefix=VERIFY < %t/verify.err
// VERIFY: verify.mlir:2:8: error: 'nki.alloc' op buffer spans 512 partitions; a tile spans at most 128

// RUN: sh -c 'mamba-opt %t/truncated.mlir 2>%t/truncated.err; test $? -eq 1'
// RUN: FileCheck %s --check-prefix=TRUNCATED < %t/truncated.err
// TRUNCATED: truncated.mlir:{{[0-9]+}}:{{[0-9]+}}: error:

// RUN: sh -c 'mamba-opt %t/binary.mlir 2>%t/binary.err; test $? -eq 1'
// RUN: FileCheck %s --check-prefix=BINARY < %t/binary.err
// BINARY: binary.mlir:1:1: error:

// RUN: sh -c 'mamba-opt %t/does-not-exist.mlir 2>%t/missing.err; test $? -eq 1'
// RUN: FileCheck %s --check-prefix=MISSING < %t/missing.err
// MISSING: cannot open input file '{{.*}}does-not-exist.mlir': No such file or directory

// RUN: not mamba-opt --no-such-flag %t/verify.mlir 2>&1 | FileCheck %s --check-prefix=FLAG
// FLAG: Unknown command line argument '--no-such-flag'

// RUN: not mamba-opt --pass-pipeline='builtin.module(no-such-pass)' %t/ok.mlir 2>&1 | FileCheck %s --check-prefix=PASS
// PASS: 'no-such-pass' does not refer to a registered pass or pass pipeline

// An output that cannot be written is named (it used to end in "LLVM ERROR:
// IO failure on output stream"); exit code 1.
// RUN: sh -c 'mamba-opt %t/ok.mlir -o /dev/full 2>%t/full.err; test $? -eq 1'
// RUN: FileCheck %s --check-prefix=FULL < %t/full.err
// FULL: mamba-opt: error: cannot write '/dev/full': No space left on device
// RUN: sh -c 'mamba-opt %t/ok.mlir >/dev/full 2>%t/stdout.err; test $? -eq 1'
// RUN: sh -c 'mamba-opt %t/ok.mlir >&- 2>>%t/stdout.err; test $? -eq 1'
// RUN: sh -c 'mamba-opt --help >&- 2>>%t/stdout.err; test $? -eq 1'
// RUN: FileCheck %s --check-prefix=STDOUT < %t/stdout.err
// STDOUT: mamba-opt: error: cannot write standard output: No space left on device
// STDOUT-NEXT: mamba-opt: error: cannot write standard output: Bad file descriptor
// STDOUT-NEXT: mamba-opt: error: cannot write standard output: Bad file descriptor
// STDOUT-NOT: LLVM ERROR

// Nesting deeper than 1000 brackets is refused before parsing:
// test/mamba-opt/nesting.test.

//--- syntax.mlir
func.func @f(%a: memref<128x512xf32, #nki.mem<sbuf>>) {
  nki.tensor_copy %a : memref<128x512xf32, #nki.mem<sbuf>> to %a : memref<128x512xf32, #nki.mem<sbuf>>
  return
}
//--- unknown-op.mlir
func.func @f() {
  nki.matmul_transpose
  return
}
//--- verify.mlir
func.func @f() {
  %0 = nki.alloc : memref<512x4xf32, #nki.mem<sbuf>>
  return
}
//--- truncated.mlir
func.func @f(%a: memref<128x512xf32, #nki.mem<sbuf>>) {
  nki.memset 0.0 into %a : memref<128x512xf32, #nki.m
//--- binary.mlir
garbageÿþ {
//--- ok.mlir
func.func @f() {
  return
}
