"""A NumPy execution of the part of AWS Neuron's NKI API that
mamba-translate --nki-to-python emits, importable under NKI's own module
names (neuronxcc.nki, neuronxcc.nki.language, neuronxcc.nki.isa) so that a
kernel written for NKI runs on it unchanged, without a device.

It is not the Neuron SDK: see docs/nki-emission.md for what it covers, what
it checks and how its arithmetic relates to nki-run's and to the device's.
"""
