"""neuronxcc.nki.language, emulated: buffers, loads and stores, loop
iterators, data types and the operator names the ISA calls take
(docs/nki-emission.md lists what is covered).

API pages (Neuron SDK 2.26, the neuronxcc.nki API):
https://awsdocs-neuron.readthedocs-hosted.com/en/v2.26.1/nki/api/generated/nki.language.<name>.html
"""

import numpy as np

from . import _core
from ._core import (bfloat16, float32, sbuf, psum, hbm, shared_hbm,
                    private_hbm, fail)

_DOC = ("https://awsdocs-neuron.readthedocs-hosted.com/en/v2.26.1/nki/api/"
        "generated/nki.language.{}.html")

__all__ = ["ndarray", "zeros", "ones", "full", "load", "store",
           "affine_range", "sequential_range", "static_range", "par_dim",
           "tile_size", "float32", "bfloat16", "sbuf", "psum", "hbm",
           "shared_hbm", "private_hbm", "add", "subtract", "multiply",
           "divide", "maximum", "minimum", "bypass", "exp", "log", "relu", "sigmoid",
           "silu", "softplus", "tanh", "square", "sqrt", "copy"]


# --------------------------------------------------------------------------
# Buffers
# --------------------------------------------------------------------------

def ndarray(shape, dtype, buffer=None, name="", **kwargs):
    """nl.ndarray(shape, dtype, buffer=None, name=''): a new tensor, not
    initialised -- the emulation fills it with NaN so that a read of
    unwritten memory shows. An on-chip buffer's partition dim (the first,
    or the one marked nl.par_dim) is at most 128; a PSUM buffer is at most
    16 KiB per partition. Page: nki.language.ndarray."""
    return _core.new_buffer(shape, dtype, buffer, name, np.nan,
                            "nl.ndarray")


def zeros(shape, dtype, buffer=None, name="", **kwargs):
    """nl.zeros: a new tensor of zeros. Page: nki.language.zeros."""
    return _core.new_buffer(shape, dtype, buffer, name, 0.0, "nl.zeros")


def ones(shape, dtype, buffer=None, name="", **kwargs):
    """nl.ones: a new tensor of ones. Page: nki.language.ones."""
    return _core.new_buffer(shape, dtype, buffer, name, 1.0, "nl.ones")


def full(shape, fill_value, dtype, buffer=None, name="", **kwargs):
    """nl.full: a new tensor of fill_value. Page: nki.language.full."""
    return _core.new_buffer(shape, dtype, buffer, name, fill_value,
                            "nl.full")


class par_dim(_core.ParDim):
    """nl.par_dim(n): the partition dim of a buffer's shape, e.g.
    nl.ndarray((n_tiles, nl.par_dim(128), L), ...). Page:
    nki.language.par_dim."""


class tile_size:
    """nl.tile_size: pmax (partitions of a tile), psum_fmax (fp32 per
    partition of a PSUM tile, one 2 KiB bank), gemm_stationary_fmax,
    gemm_moving_fmax (nc_matmul's free sizes). Page:
    nki.language.tile_size."""
    pmax = 128
    psum_fmax = 512
    gemm_stationary_fmax = 128
    gemm_moving_fmax = 512


# --------------------------------------------------------------------------
# Data movement
# --------------------------------------------------------------------------

def load(src, *, mask=None, dtype=None, **kwargs):
    """nl.load(src): an HBM tensor's tile into a new SBUF tile (DMA).
    `src` must be in HBM and span at most 128 partitions. Page:
    nki.language.load."""
    if mask is not None:
        fail("nl.load: mask is not emulated (the emitter writes bounded "
             "slices)")
    if not isinstance(src, _core.Tensor):
        fail(f"nl.load: src must be an HBM tensor, got "
             f"{type(src).__name__}")
    if src.memory != "hbm":
        fail(f"nl.load: src {src.describe()} is not in HBM: nl.load moves "
             "HBM to SBUF (copy on-chip tiles with nisa.tensor_copy)")
    _core.check_tile(src, "nl.load", "src")
    dt = _core.as_dtype(dtype, "nl.load") or src.dtype
    return _core.result_tile(np.array(src.array), dt, "dma")


def store(dst, value, *, mask=None, **kwargs):
    """nl.store(dst, value): an SBUF tile into an HBM tensor (DMA). `value`
    must be in SBUF, `dst` in HBM, both of one shape, at most 128
    partitions. Page: nki.language.store."""
    if mask is not None:
        fail("nl.store: mask is not emulated (the emitter writes bounded "
             "slices)")
    if not isinstance(dst, _core.Tensor) or dst.memory != "hbm":
        fail(f"nl.store: dst must be an HBM tensor, got "
             f"{dst.describe() if isinstance(dst, _core.Tensor) else dst!r}")
    if not isinstance(value, _core.Tensor):
        fail(f"nl.store: value must be an SBUF tile, got "
             f"{type(value).__name__}")
    if value.memory != "sbuf":
        fail(f"nl.store: value {value.describe()} is not in SBUF: nl.store "
             "moves SBUF to HBM (copy PSUM to SBUF with nisa.tensor_copy "
             "first)")
    _core.check_tile(value, "nl.store", "value")
    if value.shape != dst.shape:
        fail(f"nl.store: value {value.shape} and dst {dst.shape} differ in "
             "shape")
    dst.array[...] = _core.to_dtype(value.array, dst.dtype)


# --------------------------------------------------------------------------
# Loops: every iterator runs its iterations in order here. Pages:
# nki.language.affine_range, .sequential_range, .static_range.
# --------------------------------------------------------------------------

def _range(name, args):
    if not 1 <= len(args) <= 3:
        fail(f"nl.{name} takes (stop), (start, stop) or (start, stop, step)")
    for a in args:
        if not isinstance(a, (int, np.integer)):
            fail(f"nl.{name}: bounds must be integers, got {a!r}")
    return range(*[int(a) for a in args])


def affine_range(*args, **kwargs):
    """Iterations with no loop-carried dependence (an associative
    accumulation is allowed); the device may overlap them."""
    return _range("affine_range", args)


def sequential_range(*args, **kwargs):
    """Iterations that carry a dependence, run in order."""
    return _range("sequential_range", args)


def static_range(*args, **kwargs):
    """Unrolled when the kernel is traced."""
    return _range("static_range", args)


# --------------------------------------------------------------------------
# Operators (the op/op0/op1 of the ISA calls) and activation functions.
# Pages: "Supported Math Operators for NKI ISA" and "Supported Activation
# Functions for NKI ISA",
# https://awsdocs-neuron.readthedocs-hosted.com/en/v2.26.1/nki/api/nki.api.shared.html
# --------------------------------------------------------------------------

class _Operator:
    def __init__(self, name, fn):
        self.name = name
        self.fn = fn

    def __repr__(self):
        return "nl." + self.name

    def __call__(self, *args, **kwargs):
        fail(f"nl.{self.name} as a tile-level call is not emulated; the "
             "emulation covers it as an ISA operator (op=nl."
             f"{self.name})")


def _max(x, y):
    return np.where(x < y, y, x)        # std::max(x, y), as nki-run


def _min(x, y):
    return np.where(y < x, y, x)        # std::min(x, y)


add = _Operator("add", np.add)
subtract = _Operator("subtract", np.subtract)
multiply = _Operator("multiply", np.multiply)
divide = _Operator("divide", np.divide)
maximum = _Operator("maximum", _max)
minimum = _Operator("minimum", _min)


def _bypass(x, y):
    # The first input through, in the shape of both (as nki-run's bypass).
    return np.broadcast_to(np.asarray(x, np.float32),
                           np.broadcast_shapes(np.shape(x), np.shape(y)))


# nl.bypass: "no-op operator that passes data through unchanged" (page
# https://awsdocs-neuron.readthedocs-hosted.com/en/latest/nki/api/generated/nki.language.bypass.html).
bypass = _Operator("bypass", _bypass)


def _sigmoid(t):
    return np.float32(1.0) / (np.float32(1.0) + _core.exp(-t))


def _silu(t):
    return t / (np.float32(1.0) + _core.exp(-t))


def _softplus(t):
    # log1p(exp(t)), t itself above 20 (mamba_ssm's threshold, as nki-run;
    # in fp32 log1p(exp(t)) rounds to t there anyway).
    return np.where(t > np.float32(20.0), t, _core.log1p(_core.exp(t)))


exp = _Operator("exp", _core.exp)
log = _Operator("log", _core.log)
relu = _Operator("relu", lambda t: np.where(t > 0, t, np.float32(0.0)))
sigmoid = _Operator("sigmoid", _sigmoid)
silu = _Operator("silu", _silu)
softplus = _Operator("softplus", _softplus)
tanh = _Operator("tanh", _core.tanh)
square = _Operator("square", lambda t: t * t)
sqrt = _Operator("sqrt", np.sqrt)
copy = _Operator("copy", lambda t: t)       # identity
identity = copy

ALU_OPERATORS = {add, subtract, multiply, divide, maximum, minimum, bypass}
ACTIVATIONS = {exp, log, relu, sigmoid, silu, softplus, tanh, square, sqrt,
               copy}

# The tutorial passes NumPy's ufuncs as operators (op0=np.multiply).
_NUMPY_ALIASES = {np.add: add, np.subtract: subtract,
                  np.multiply: multiply, np.divide: divide,
                  np.maximum: maximum, np.minimum: minimum, np.exp: exp,
                  np.log: log, np.tanh: tanh, np.sqrt: sqrt,
                  np.square: square}


def operator(op, where, allowed):
    op = _NUMPY_ALIASES.get(op, op)
    if op not in allowed:
        names = ", ".join(sorted(repr(a) for a in allowed))
        fail(f"{where}: operator {op!r} is not emulated here ({names} are)")
    return op
