"""neuronxcc.nki.isa, emulated: the instructions mamba-translate
--nki-to-python emits (docs/nki-emission.md lists what is covered).

Each returns a new tile, as in the neuronxcc.nki API (Neuron SDK 2.26),
which the kernel binds to a name (an SBUF tile) or assigns into a buffer
(`scanC[...] = nisa.tensor_tensor(...)`); the assignment checks that the
instruction's engine can write there. Pages:
https://awsdocs-neuron.readthedocs-hosted.com/en/v2.26.1/nki/api/generated/nki.isa.<name>.html
"""

import numpy as np

from . import _core
from . import language as nl
from ._core import fail


class engine:
    """nki.isa.engine. Page: nki.isa.engine."""
    tensor = "tensor"
    vector = "vector"
    scalar = "scalar"
    gpsimd = "gpsimd"
    unknown = "unknown"


tensor_engine = engine.tensor
vector_engine = engine.vector
scalar_engine = engine.scalar
gpsimd_engine = engine.gpsimd
unknown_engine = engine.unknown


def _engine(op, given, default, allowed):
    if given in (None, engine.unknown):
        return default
    if given not in allowed:
        names = ", ".join("nisa.%s_engine" % a for a in allowed)
        fail(f"nisa.{op}: engine {given!r} cannot run it ({names} can)")
    return given


def _no_mask(op, mask):
    if mask is not None:
        fail(f"nisa.{op}: mask is not emulated (the emitter writes bounded "
             "slices)")


def _free(t):
    return t.array.reshape(t.shape[0], -1)


def _scalar_operand(op, what, v, data, eng):
    """An fp32 immediate, or a [P, 1] tile broadcast along the free dims."""
    if isinstance(v, _core.Tensor):
        _core.check_engine_read(v, f"nisa.{op}", what, eng)
        if v.shape[0] != data.shape[0] or int(np.prod(v.shape[1:])) != 1:
            fail(f"nisa.{op}: {what} {v.describe()} must be a tile of one "
                 f"element per partition, {data.shape[0]} partitions")
        return v.array.reshape(data.shape[0], *([1] * (len(data.shape) - 1)))
    if isinstance(v, (int, float, np.floating, np.integer)):
        return np.float32(v)
    fail(f"nisa.{op}: {what} must be a constant or a [P, 1] tile, got "
         f"{type(v).__name__}")


def f1_reversed_bypass(op1, reverse1):
    return op1 is not None and reverse1 and \
        nl.operator(op1, "nisa.tensor_scalar", nl.ALU_OPERATORS) is nl.bypass


def _same_shape(op, a, b, what):
    if a.shape != b.shape:
        fail(f"nisa.{op}: {what} {b.shape} and {a.shape} differ in shape")


def activation(op, data, *, bias=None, scale=1.0, reduce_op=None,
               reduce_res=None, mask=None, dtype=None, **kwargs):
    """nisa.activation(op, data, bias=None, scale=1.0): op(data * scale +
    bias) on Scalar Engine; scale an fp32 constant or a [P, 1] tile, bias a
    [P, 1] tile. The product and the sum are rounded separately (no fused
    multiply-add), as nki-run computes them. Page: nki.isa.activation."""
    name = "activation"
    _no_mask(name, mask)
    if reduce_op is not None or reduce_res is not None:
        fail("nisa.activation: reduce_op/reduce_res are not emulated")
    f = nl.operator(op, "nisa.activation", nl.ACTIVATIONS)
    _core.check_engine_read(data, "nisa.activation", "data", "scalar")
    x = data.array
    s = _scalar_operand(name, "scale", scale, data, "scalar")
    with np.errstate(all="ignore"):
        t = x * s
        if bias is not None:
            if not isinstance(bias, _core.Tensor):
                fail("nisa.activation: bias must be a [P, 1] tile")
            t = t + _scalar_operand(name, "bias", bias, data, "scalar")
        y = f.fn(t.astype(np.float32))
    dt = _core.as_dtype(dtype, "nisa.activation") or data.dtype
    return _core.result_tile(y, dt, "scalar")


def tensor_scalar(data, op0, operand0, reverse0=False, op1=None,
                  operand1=None, reverse1=False, *, dtype=None, mask=None,
                  engine=engine.unknown, **kwargs):
    """nisa.tensor_scalar: (data op0 operand0) op1 operand1, each operand
    an fp32 constant or a [P, 1] tile; reverse swaps an operator's inputs.
    Vector (default), Scalar or GpSimd Engine; each operator's result is
    rounded. Page: nki.isa.tensor_scalar."""
    name = "tensor_scalar"
    _no_mask(name, mask)
    eng = _engine(name, engine, "vector", ("vector", "scalar", "gpsimd"))
    _core.check_engine_read(data, "nisa.tensor_scalar", "data", eng)
    f0 = nl.operator(op0, "nisa.tensor_scalar", nl.ALU_OPERATORS)
    s0 = _scalar_operand(name, "operand0", operand0, data, eng)
    with np.errstate(all="ignore"):
        if f0 is nl.bypass and reverse0 or f1_reversed_bypass(op1, reverse1):
            fail("nisa.tensor_scalar: a reversed nl.bypass is not emulated "
                 "(bypass passes the data through)")
        y = f0.fn(s0, data.array) if reverse0 else f0.fn(data.array, s0)
        y = np.asarray(y, np.float32)
        if op1 is not None:
            f1 = nl.operator(op1, "nisa.tensor_scalar", nl.ALU_OPERATORS)
            s1 = _scalar_operand(name, "operand1", operand1, data, eng)
            y = f1.fn(s1, y) if reverse1 else f1.fn(y, s1)
        elif operand1 is not None:
            fail("nisa.tensor_scalar: operand1 without op1")
    dt = _core.as_dtype(dtype, "nisa.tensor_scalar") or data.dtype
    return _core.result_tile(np.asarray(y, np.float32), dt, eng)


def tensor_tensor(data1, data2, op, *, dtype=None, mask=None,
                  engine=engine.unknown, **kwargs):
    """nisa.tensor_tensor(data1, data2, op): element-wise, two tiles of one
    shape, at most one of them in PSUM. Vector (default) or GpSimd Engine
    (which cannot access PSUM). Page: nki.isa.tensor_tensor."""
    name = "tensor_tensor"
    _no_mask(name, mask)
    eng = _engine(name, engine, "vector", ("vector", "gpsimd"))
    _core.check_engine_read(data1, "nisa.tensor_tensor", "data1", eng)
    _core.check_engine_read(data2, "nisa.tensor_tensor", "data2", eng)
    if data1.memory == "psum" and data2.memory == "psum":
        fail("nisa.tensor_tensor: data1 and data2 are both in PSUM; at most "
             "one input may be")
    _same_shape(name, data1, data2, "data2")
    f = nl.operator(op, "nisa.tensor_tensor", nl.ALU_OPERATORS)
    with np.errstate(all="ignore"):
        y = f.fn(data1.array, data2.array)
    dt = _core.as_dtype(dtype, "nisa.tensor_tensor") or data1.dtype
    return _core.result_tile(np.asarray(y, np.float32), dt, eng)


def tensor_tensor_scan(data0, data1, initial, op0, op1, reverse0=False,
                       reverse1=False, *, dtype=None, mask=None, **kwargs):
    """nisa.tensor_tensor_scan: per partition, along the free elements in
    order, result[:, i] = op1(op0(data0[:, i], result[:, i-1]), data1[:, i])
    from result[:, -1] = initial (an fp32 constant or a [P, 1] tile). Vector
    Engine; data0 and data1 not both in PSUM. Each step rounds op0's result,
    then op1's, as nki-run does (the same recurrence, in the same order).
    Page: nki.isa.tensor_tensor_scan."""
    name = "tensor_tensor_scan"
    _no_mask(name, mask)
    if reverse0 or reverse1:
        fail("nisa.tensor_tensor_scan: reverse0/reverse1 are not emulated")
    _core.check_engine_read(data0, "nisa.tensor_tensor_scan", "data0",
                            "vector")
    _core.check_engine_read(data1, "nisa.tensor_tensor_scan", "data1",
                            "vector")
    if data0.memory == "psum" and data1.memory == "psum":
        fail("nisa.tensor_tensor_scan: data0 and data1 are both in PSUM; at "
             "most one input may be")
    _same_shape(name, data0, data1, "data1")
    f0 = nl.operator(op0, "nisa.tensor_tensor_scan", nl.ALU_OPERATORS)
    f1 = nl.operator(op1, "nisa.tensor_tensor_scan", nl.ALU_OPERATORS)
    a, b = _free(data0), _free(data1)
    init = _scalar_operand(name, "initial", initial, data0, "vector")
    prev = np.broadcast_to(np.asarray(init, np.float32).reshape(-1),
                           (a.shape[0],)).astype(np.float32)
    out = np.empty_like(a)
    # Transposed so that each step reads one contiguous column.
    at, bt = np.ascontiguousarray(a.T), np.ascontiguousarray(b.T)
    ot = out.T.copy()
    fn0, fn1 = f0.fn, f1.fn
    with np.errstate(all="ignore"):
        for i in range(at.shape[0]):
            prev = fn1(fn0(at[i], prev), bt[i])
            ot[i] = prev
    out = ot.T.reshape(data0.shape)
    dt = _core.as_dtype(dtype, "nisa.tensor_tensor_scan") or data0.dtype
    return _core.result_tile(out, dt, "vector")


def tensor_copy(src, *, mask=None, dtype=None, engine=engine.unknown,
                **kwargs):
    """nisa.tensor_copy(src): a copy of a tile (converted to the
    destination's dtype when assigned). Vector (default), Scalar or GpSimd
    Engine (which cannot access PSUM). Page: nki.isa.tensor_copy."""
    name = "tensor_copy"
    _no_mask(name, mask)
    eng = _engine(name, engine, "vector", ("vector", "scalar", "gpsimd"))
    _core.check_engine_read(src, "nisa.tensor_copy", "src", eng)
    dt = _core.as_dtype(dtype, "nisa.tensor_copy") or src.dtype
    return _core.result_tile(np.array(src.array), dt, eng)


def memset(shape, value, dtype, *, mask=None, engine=engine.unknown,
           **kwargs):
    """nisa.memset(shape, value, dtype): a new tile of `value`. Vector
    (default) or GpSimd Engine. Page: nki.isa.memset."""
    name = "memset"
    _no_mask(name, mask)
    eng = _engine(name, engine, "vector", ("vector", "gpsimd"))
    shape = tuple(int(s) for s in shape)
    if not shape or shape[0] > _core.PMAX:
        fail(f"nisa.memset: a tile of shape {shape}; a tile spans 1 to "
             f"{_core.PMAX} partitions")
    dt = _core.as_dtype(dtype, "nisa.memset") or _core.float32
    return _core.result_tile(np.full(shape, value, np.float32), dt, eng)


def nc_matmul(stationary, moving, *, is_stationary_onezero=False,
              is_moving_onezero=False, is_transpose=False, mask=None,
              **kwargs):
    """nisa.nc_matmul(stationary, moving): stationary.T @ moving on Tensor
    Engine, into a new PSUM tile: stationary [K, M] and moving [K, N] in
    SBUF, K <= 128 (the partitions), M <= 128, N <= 512; accumulated in
    fp32, each element summed over k in order from +0.0 (as nki-run).
    `psum_tile[...] += nisa.nc_matmul(...)` accumulates the sum into what
    the PSUM tile held (Tensor.__iadd__). Page: nki.isa.nc_matmul."""
    name = "nc_matmul"
    _no_mask(name, mask)
    if is_transpose:
        fail("nisa.nc_matmul: is_transpose is not emulated")
    for what, t in (("stationary", stationary), ("moving", moving)):
        _core.check_engine_read(t, "nisa.nc_matmul", what, "tensor")
        if t.memory != "sbuf":
            fail(f"nisa.nc_matmul: {what} {t.describe()} is not in SBUF; "
                 "Tensor Engine reads SBUF only")
    s, m = _free(stationary), _free(moving)
    if s.shape[0] != m.shape[0]:
        fail(f"nisa.nc_matmul: stationary {stationary.shape} and moving "
             f"{moving.shape} must have the same partitions (the "
             "contraction)")
    if s.shape[1] > 128:
        fail(f"nisa.nc_matmul: stationary has {s.shape[1]} free elements; "
             "at most 128 (nl.tile_size.gemm_stationary_fmax)")
    if m.shape[1] > 512:
        fail(f"nisa.nc_matmul: moving has {m.shape[1]} free elements; at "
             "most 512 (nl.tile_size.gemm_moving_fmax)")
    acc = np.zeros((s.shape[1], m.shape[1]), np.float32)
    with np.errstate(all="ignore"):
        for k in range(s.shape[0]):
            acc = acc + s[k][:, None] * m[k][None, :]
    return _core.result_tile(acc, _core.float32, "tensor", memory="psum")
