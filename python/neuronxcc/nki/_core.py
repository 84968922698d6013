"""The emulated NeuronCore: tensors in HBM, SBUF and PSUM, the rules NKI
enforces on tiles, and the arithmetic (docs/nki-emission.md).

Values are NumPy float32 arrays; a bfloat16 tensor holds float32 values
rounded to bfloat16 (to nearest even) whenever it is written, as nki-run's
memories do (lib/Interpreter/Memory.cpp). Every operation is IEEE single
precision in a fixed order, no fused multiply-add: NumPy's float32 add,
subtract, multiply, divide and sqrt are correctly rounded, so these agree
with nki-run bit for bit. exp is the algorithm nki-run uses (below); log,
tanh and log1p call the C library's logf/tanhf/log1pf, as nki-run does.

Rules (NKI's, each checked where a tile is used, with an error naming the
operation, the operand and the numbers):
  * a tile spans at most 128 partitions (nl.tile_size.pmax) and a PSUM
    tile at most nl.tile_size.psum_fmax = 512 fp32 per partition, one 2 KiB
    bank --
    https://awsdocs-neuron.readthedocs-hosted.com/en/v2.26.1/nki/api/generated/nki.language.tile_size.html
  * PSUM is 16 KiB per partition, 8 banks of 2 KiB (docs/hardware.md s4,
    from the Trainium/Inferentia2 architecture guide)
  * engines read and write SBUF and PSUM, never HBM; only nl.load and
    nl.store move data between HBM and SBUF; GpSimd Engine cannot access
    PSUM; nc_matmul reads SBUF and writes PSUM -- the pages of each API
    (nki/isa.py, nki/language.py).
"""

import ctypes
import ctypes.util
import os

import numpy as np

PMAX = 128                 # partitions
PSUM_BANK_BYTES = 2048     # per partition
PSUM_PARTITION_BYTES = 16 * 1024


class NkiEmulationError(Exception):
    """Something NKI rejects (or this emulation does not cover)."""


def fail(message):
    raise NkiEmulationError(message)


# --------------------------------------------------------------------------
# Data types and buffers
# --------------------------------------------------------------------------

class DType:
    def __init__(self, name, itemsize):
        self.name = name
        self.itemsize = itemsize

    def __repr__(self):
        return "nl." + self.name

    def __eq__(self, other):
        if isinstance(other, DType):
            return self.name == other.name
        if isinstance(other, str):
            return self.name == other
        try:
            return np.dtype(other) == np.dtype(self.name)
        except TypeError:
            return False

    def __hash__(self):
        return hash(self.name)


float32 = DType("float32", 4)
bfloat16 = DType("bfloat16", 2)


def as_dtype(dtype, where):
    if dtype is None:
        return None
    if isinstance(dtype, DType):
        return dtype
    if dtype in (np.float32, "float32") or dtype == np.dtype(np.float32):
        return float32
    if isinstance(dtype, str) and dtype == "bfloat16":
        return bfloat16
    fail(f"{where}: dtype {dtype!r} is not emulated (float32 and bfloat16 "
         "are)")


class Buffer:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return "nl." + self.name


sbuf = Buffer("sbuf")
psum = Buffer("psum")
hbm = Buffer("hbm")
shared_hbm = Buffer("shared_hbm")
private_hbm = Buffer("private_hbm")


def memory_of(buffer):
    """'hbm', 'sbuf' or 'psum'."""
    if buffer in (sbuf, None):
        return "sbuf"
    if buffer is psum:
        return "psum"
    if buffer in (hbm, shared_hbm, private_hbm):
        return "hbm"
    fail(f"buffer {buffer!r} is not one of nl.sbuf, nl.psum, nl.hbm, "
         "nl.shared_hbm, nl.private_hbm")


def round_bf16(values):
    """float32 values rounded to bfloat16, to nearest even; NaN stays NaN
    (quieted), as nki-run's floatToBf16."""
    a = np.ascontiguousarray(values, dtype=np.float32)
    bits = a.view(np.uint32)
    rounded = (bits + (np.uint32(0x7FFF) + ((bits >> np.uint32(16))
                                            & np.uint32(1)))) \
        & np.uint32(0xFFFF0000)
    nan = np.isnan(a)
    if nan.any():
        rounded = np.where(nan, (bits | np.uint32(0x400000))
                           & np.uint32(0xFFFF0000), rounded)
    return rounded.astype(np.uint32).view(np.float32).reshape(a.shape)


def to_dtype(values, dtype):
    v = np.asarray(values, dtype=np.float32)
    return round_bf16(v) if dtype is bfloat16 else v


# --------------------------------------------------------------------------
# Tensors
# --------------------------------------------------------------------------

class Tensor:
    """An HBM tensor, an on-chip buffer (nl.ndarray) or a view of one, or
    the tile an instruction returned (`engine` set, not yet assigned)."""

    def __init__(self, array, memory, dtype, name="", engine=None,
                 poff=None, pdim=0):
        self.array = array
        self.memory = memory          # 'hbm', 'sbuf', 'psum'
        self.dtype = dtype
        self.name = name
        self.engine = engine          # producer of a returned tile
        self.poff = poff              # per-partition byte offsets (PSUM)
        self.pdim = pdim              # partition dim of an nl.ndarray

    @property
    def shape(self):
        return tuple(self.array.shape)

    @property
    def buffer(self):
        return {"hbm": shared_hbm, "sbuf": sbuf, "psum": psum}[self.memory]

    def describe(self):
        what = f"'{self.name}' " if self.name else ""
        return f"{what}{self.shape} in {self.memory.upper()}"

    def __repr__(self):
        return f"<nki tensor {self.describe()} {self.dtype!r}>"

    # Indexing: integers drop a dim, slices keep it (NumPy's rules), but
    # every index must be within bounds: NKI rejects what NumPy would clip.
    def _key(self, key):
        if not isinstance(key, tuple):
            key = (key,)
        if any(k is Ellipsis for k in key):
            if sum(k is Ellipsis for k in key) > 1:
                fail("an index may hold one '...'")
            at = next(i for i, k in enumerate(key) if k is Ellipsis)
            fill = len(self.shape) - (len(key) - 1)
            key = key[:at] + (slice(None),) * fill + key[at + 1:]
        if len(key) > len(self.shape):
            fail(f"{len(key)} indices for {self.describe()}")
        out = []
        for d, k in enumerate(key):
            n = self.shape[d]
            if isinstance(k, (int, np.integer)):
                k = int(k)
                if not 0 <= k < n:
                    fail(f"index {k} out of bounds for dim {d} of size {n} "
                         f"of {self.describe()}")
                out.append(k)
            elif isinstance(k, slice):
                start = 0 if k.start is None else int(k.start)
                stop = n if k.stop is None else int(k.stop)
                step = 1 if k.step is None else int(k.step)
                if step <= 0 or start < 0 or stop > n or start >= stop:
                    fail(f"slice {start}:{stop}:{step} out of bounds (or "
                         f"empty) for dim {d} of size {n} of "
                         f"{self.describe()}")
                out.append(slice(start, stop, step))
            else:
                fail(f"index {k!r} of {self.describe()}: the emulation "
                     "takes integers and slices")
        return tuple(out)

    def __getitem__(self, key):
        key = self._key(key)
        return Tensor(self.array[key], self.memory, self.dtype, self.name,
                      poff=None if self.poff is None else self.poff[key],
                      pdim=0)

    def __setitem__(self, key, value):
        assign(self[self._key(key)], value)

    def reshape(self, shape):
        """tensor.reshape(shape): an HBM tensor seen in another shape, same
        elements in the same (C) order, no copy. Page: nki.tensor,
        https://awsdocs-neuron.readthedocs-hosted.com/en/v2.26.1/nki/api/generated/nki.tensor.html"""
        shape = tuple(int(s) for s in shape)
        if self.memory != "hbm":
            fail(f"reshape of {self.describe()}: the emulation reshapes HBM "
                 "tensors only")
        if int(np.prod(shape, dtype=np.int64)) != self.array.size:
            fail(f"reshape of {self.describe()} to {shape}: a different "
                 "number of elements")
        if not self.array.flags.c_contiguous:
            fail(f"reshape of {self.describe()}: not a contiguous tensor")
        return Tensor(self.array.reshape(shape), self.memory, self.dtype,
                      self.name)

    def expand_dims(self, axis):
        """tensor.expand_dims(axis): a dim of size 1 inserted (page:
        nki.tensor)."""
        shape = list(self.shape)
        shape.insert(int(axis), 1)
        return self.reshape(shape)

    # What the tutorial's kernels also use.
    def broadcast_to(self, shape):
        """Tile.broadcast_to: a one-partition tile to `shape` (the compiler
        makes it a TensorE matmul against ones, NKI's partition broadcast)."""
        shape = tuple(int(s) for s in shape)
        check_tile(self, "broadcast_to", "the tile")
        if self.shape[0] != 1 or self.shape[1:] != shape[1:]:
            fail(f"broadcast_to{shape}: the tile {self.shape} must have one "
                 "partition and the same free dims")
        return result_tile(np.broadcast_to(self.array, shape).copy(),
                           self.dtype, "tensor", memory="sbuf")

    def __iadd__(self, other):
        # `psum_tile[...] += nisa.nc_matmul(...)`: Tensor Engine accumulates
        # into PSUM, adding its fp32 sum to what the tile held (held + sum,
        # as nki-run's matmul with acc). Page: nki.isa.nc_matmul.
        if isinstance(other, Tensor) and other.engine == "tensor":
            if self.memory != "psum":
                fail(f"+= of nc_matmul's result into {self.describe()}: "
                     "Tensor Engine accumulates in PSUM only")
            if self.dtype != float32:
                fail(f"+= of nc_matmul's result into {self.describe()}: a "
                     f"PSUM accumulation is fp32, not {self.dtype!r}")
            if self.shape != other.shape:
                fail(f"+= of a {other.shape} nc_matmul result into "
                     f"{self.describe()}: the shapes differ")
            with np.errstate(all="ignore"):
                held = self.array.astype(np.float32)
                return result_tile(held + other.array.astype(np.float32),
                                   float32, "tensor", memory="psum")
        from . import isa
        return isa.tensor_tensor(self, other, np.add)

    def __add__(self, other):
        from . import isa
        return isa.tensor_tensor(self, other, np.add)

    def __mul__(self, other):
        from . import isa
        return isa.tensor_tensor(self, other, np.multiply)


def hbm_tensor(value, name, dtype=float32):
    a = np.array(value, dtype=np.float32, copy=True)
    return Tensor(to_dtype(a, dtype), "hbm", dtype, name)


def new_buffer(shape, dtype, buffer, name, fill, where):
    dims = []
    pdim = None
    for i, s in enumerate(shape if isinstance(shape, tuple) else
                          tuple(shape)):
        if isinstance(s, ParDim):
            if pdim is not None:
                fail(f"{where}: two nl.par_dim in {shape}")
            pdim = i
        dims.append(int(s))
    dtype = as_dtype(dtype, where) or float32
    memory = memory_of(buffer)
    pdim = 0 if pdim is None else pdim
    if memory != "hbm":
        if not dims or len(dims) < 1:
            fail(f"{where}: an on-chip buffer needs a partition dim")
        if dims[pdim] > PMAX:
            fail(f"{where}: a buffer in {memory.upper()} of {dims[pdim]} "
                 f"partitions; a tile spans at most {PMAX} "
                 "(nl.tile_size.pmax)")
        per_partition = dtype.itemsize * int(np.prod(
            [d for i, d in enumerate(dims) if i != pdim], dtype=np.int64))
        if memory == "psum" and per_partition > PSUM_PARTITION_BYTES:
            fail(f"{where}: a PSUM buffer of {per_partition} bytes per "
                 f"partition; PSUM has {PSUM_PARTITION_BYTES}")
    if any(d <= 0 for d in dims):
        fail(f"{where}: shape {tuple(dims)} has an empty dim")
    array = np.full(dims, fill, dtype=np.float32)
    array = to_dtype(array, dtype)
    poff = None
    if memory == "psum":
        # Each element's byte offset within its partition: the buffer's
        # other dims in order (NKI's layout, block dims included).
        free = [d for i, d in enumerate(dims) if i != pdim]
        offs = np.arange(int(np.prod(free, dtype=np.int64)),
                         dtype=np.int64).reshape(free) * dtype.itemsize
        poff = np.expand_dims(offs, pdim)
        poff = np.broadcast_to(poff, dims)
    return Tensor(array, memory, dtype, name or "", poff=poff, pdim=pdim)


class ParDim(int):
    """nl.par_dim(n): marks the partition dim of a buffer's shape."""


# --------------------------------------------------------------------------
# Rules
# --------------------------------------------------------------------------

def check_tile(t, op, what):
    """A tile an instruction reads or writes: at most 128 partitions; in
    PSUM, within one 2 KiB bank per partition."""
    if not isinstance(t, Tensor):
        fail(f"{op}: {what} must be a tile, got {type(t).__name__}")
    if not t.shape:
        fail(f"{op}: {what} is a scalar element, not a tile")
    if t.shape[0] > PMAX:
        fail(f"{op}: {what} {t.describe()} spans {t.shape[0]} partitions; a "
             f"tile spans at most {PMAX} (nl.tile_size.pmax)")
    if t.memory == "psum" and t.poff is not None and t.poff.size:
        lo = int(t.poff.min())
        hi = int(t.poff.max()) + t.dtype.itemsize - 1
        if lo // PSUM_BANK_BYTES != hi // PSUM_BANK_BYTES:
            fail(f"{op}: {what} {t.describe()} covers bytes {lo}..{hi} of "
                 f"each partition, more than one {PSUM_BANK_BYTES}-byte PSUM "
                 f"bank (at most {PSUM_BANK_BYTES // t.dtype.itemsize} "
                 f"{t.dtype.name} per partition, nl.tile_size.psum_fmax, "
                 "within a bank)")


ENGINE_NAMES = {"vector": "Vector Engine", "scalar": "Scalar Engine",
                "gpsimd": "GpSimd Engine", "tensor": "Tensor Engine",
                "dma": "DMA"}


def check_engine_read(t, op, what, engine):
    """An engine operand: a tile in SBUF or PSUM that `engine` can read."""
    check_tile(t, op, what)
    if t.memory == "hbm":
        fail(f"{op}: {what} {t.describe()}: "
             f"{ENGINE_NAMES[engine]} reads SBUF and PSUM only "
             "(nl.load it into SBUF first)")
    if engine == "gpsimd" and t.memory == "psum":
        fail(f"{op}: {what} {t.describe()}, which GpSimd Engine cannot "
             "access")


def result_tile(array, dtype, engine, memory="sbuf"):
    return Tensor(to_dtype(array, dtype), memory, dtype, engine=engine)


def assign(dst, value):
    """`dst[...] = value`: an instruction's returned tile written into a
    buffer (where that instruction writes), or a copy, or a constant."""
    if dst.memory == "hbm":
        fail(f"assignment into {dst.describe()}: HBM is written with "
             "nl.store only")
    check_tile(dst, "assignment", "the destination")
    if isinstance(value, (int, float, np.floating, np.integer)):
        dst.array[...] = to_dtype(np.full(dst.shape, value, np.float32),
                                  dst.dtype)
        return
    if not isinstance(value, Tensor):
        fail(f"assignment into {dst.describe()}: cannot assign "
             f"{type(value).__name__}")
    engine = value.engine
    if engine is None:
        # A plain copy of another buffer's tile.
        check_engine_read(value, "assignment", "the source", "vector")
    elif engine == "dma" and dst.memory != "sbuf":
        fail(f"assignment of nl.load's tile into {dst.describe()}: nl.load "
             "writes SBUF")
    elif engine == "tensor" and dst.memory != "psum":
        fail(f"assignment of nc_matmul's result into {dst.describe()}: "
             "Tensor Engine writes PSUM only (copy it out with "
             "nisa.tensor_copy)")
    elif engine == "gpsimd" and dst.memory == "psum":
        fail(f"assignment into {dst.describe()}: GpSimd Engine cannot "
             "access PSUM")
    src = value.array
    if src.shape != dst.shape:
        if tuple(s for s in src.shape if s != 1) != \
                tuple(s for s in dst.shape if s != 1):
            fail(f"assignment of a {src.shape} tile into {dst.describe()}: "
                 "the shapes differ")
        src = src.reshape(dst.shape)
    dst.array[...] = to_dtype(src, dst.dtype)


# --------------------------------------------------------------------------
# Arithmetic
# --------------------------------------------------------------------------

_LIBM = None


def libm():
    """The C library's math functions, which nki-run calls (None when they
    cannot be loaded: then float64 NumPy, rounded once, is used)."""
    global _LIBM
    if _LIBM is None:
        try:
            lib = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")
            for f in ("expf", "logf", "log1pf", "tanhf"):
                getattr(lib, f).restype = ctypes.c_float
                getattr(lib, f).argtypes = [ctypes.c_float]
            _LIBM = lib
        except (OSError, AttributeError):
            _LIBM = False
    return _LIBM or None


def _libm_map(name, x, fallback):
    lib = libm()
    x = np.asarray(x, np.float32)
    if lib is None:
        with np.errstate(all="ignore"):
            return fallback(x.astype(np.float64)).astype(np.float32)
    f = getattr(lib, name)
    out = np.empty_like(x)
    flat, res = x.reshape(-1), out.reshape(-1)
    # Each distinct value once: the C call is the slow part.
    values, inverse = np.unique(flat.view(np.uint32), return_inverse=True)
    computed = np.array([f(float(v)) for v in values.view(np.float32)],
                        dtype=np.float32)
    res[...] = computed[inverse]
    return out


_F = np.float32
_EXP = {k: _F(float.fromhex(v)) for k, v in dict(
    log2e="0x1.715476p+0", shifter="0x1.8p+23", ln2hi="0x1.62e4p-1",
    ln2lo="0x1.7f7d1cp-20", p1="0x1.fffffcp-1", p2="0x1.fffe68p-2",
    p3="0x1.555958p-3", p4="0x1.570724p-5", p5="0x1.0fb3fcp-7").items()}

EXP_MODE = os.environ.get("NKI_EMULATE_EXP", "nki-run")


def exp(x):
    """exp in float32. By default nki-run's algorithm
    (lib/Interpreter/VectorKernels.inc, expChunk: glibc libmvec's expf,
    exp(x) = 2^k p(r) with the same constants and operation order), so that
    the emulation and nki-run agree bit for bit; |x| > 87.336 and NaN take
    the C library's expf as there. NKI_EMULATE_EXP=numpy uses np.exp
    instead (docs/nki-emission.md measures the difference). Neither is the
    device's Scalar Engine, whose exp is its own approximation."""
    x = np.ascontiguousarray(x, dtype=np.float32)
    if EXP_MODE == "numpy":
        with np.errstate(all="ignore"):
            return np.exp(x)
    if EXP_MODE != "nki-run":
        fail(f"NKI_EMULATE_EXP={EXP_MODE!r}: use nki-run or numpy")
    c = _EXP
    with np.errstate(all="ignore"):
        s = x * c["log2e"]
        s = s + c["shifter"]
        k = s - c["shifter"]
        r = x - k * c["ln2hi"]
        r = r - k * c["ln2lo"]
        p = c["p5"] * r
        p = (p + c["p4"]) * r
        p = (p + c["p3"]) * r
        p = (p + c["p2"]) * r
        p = p + c["p1"]
        p = r * p + _F(1.0)
        scale = ((s.view(np.uint32) + np.uint32(127)) << np.uint32(23)) \
            .view(np.float32)
        y = scale * p
    special = (x.view(np.int32) & np.int32(0x7FFFFFFF)) > np.int32(0x42AEAC4F)
    if special.any():
        y[special] = _libm_map("expf", x[special], np.exp)
    return y


def log(x):
    return _libm_map("logf", x, np.log)


def log1p(x):
    return _libm_map("log1pf", x, np.log1p)


def tanh(x):
    return _libm_map("tanhf", x, np.tanh)
