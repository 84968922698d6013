# Kernels that break a rule NKI enforces, one each, for
# test/NkiToPython/emulator-errors.test: the NumPy execution must refuse
# them with an error at the offending line. Each takes x: (256, 1024) fp32.
import neuronxcc.nki as nki
import neuronxcc.nki.language as nl
import neuronxcc.nki.isa as nisa


@nki.jit
def load_256_partitions(x):
    t = nl.load(x[0:256, 0:512])
    return t


@nki.jit
def buffer_256_partitions(x):
    t = nl.ndarray((256, 64), dtype=nl.float32, buffer=nl.sbuf)
    return t


@nki.jit
def psum_tile_over_a_bank(x):
    t = nl.load(x[0:128, 0:1024])
    p = nl.ndarray((128, 1024), dtype=nl.float32, buffer=nl.psum)
    p[...] = nisa.tensor_copy(t)
    return p


@nki.jit
def psum_tile_across_banks(x):
    t = nl.load(x[0:128, 0:512])
    p = nl.ndarray((128, 1024), dtype=nl.float32, buffer=nl.psum)
    p[0:128, 256:768] = nisa.tensor_copy(t)
    return p


@nki.jit
def psum_buffer_over_psum(x):
    p = nl.ndarray((128, 4097), dtype=nl.float32, buffer=nl.psum)
    return p


@nki.jit
def vector_reads_hbm(x):
    t = nl.load(x[0:128, 0:512])
    y = nisa.tensor_tensor(x[0:128, 0:512], t, op=nl.add)
    return y


@nki.jit
def gpsimd_reads_psum(x):
    t = nl.load(x[0:128, 0:512])
    p = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.psum)
    p[...] = nisa.tensor_copy(t)
    y = nisa.tensor_tensor(t, p, op=nl.multiply, engine=nisa.gpsimd_engine)
    return y


@nki.jit
def gpsimd_writes_psum(x):
    t = nl.load(x[0:128, 0:512])
    p = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.psum)
    p[...] = nisa.tensor_copy(t, engine=nisa.gpsimd_engine)
    return p


@nki.jit
def two_psum_inputs(x):
    t = nl.load(x[0:128, 0:512])
    p = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.psum)
    p[...] = nisa.tensor_copy(t)
    q = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.psum)
    q[...] = nisa.tensor_copy(t)
    y = nisa.tensor_tensor(p, q, op=nl.add)
    return y


@nki.jit
def matmul_reads_psum(x):
    t = nl.load(x[0:1, 0:512])
    p = nl.ndarray((1, 128), dtype=nl.float32, buffer=nl.psum)
    p[...] = nisa.memset(shape=(1, 128), value=1.0, dtype=nl.float32)
    y = nisa.nc_matmul(p, t)
    return y


@nki.jit
def matmul_into_sbuf(x):
    t = nl.load(x[0:1, 0:512])
    ones = nl.ones((1, 128), dtype=nl.float32, buffer=nl.sbuf)
    s = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.sbuf)
    s[...] = nisa.nc_matmul(ones, t)
    return s


@nki.jit
def store_from_psum(x):
    out = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.shared_hbm,
                     name="out")
    t = nl.load(x[0:128, 0:512])
    p = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.psum)
    p[...] = nisa.tensor_copy(t)
    nl.store(out, value=p)
    return out


@nki.jit
def assign_into_hbm(x):
    out = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.shared_hbm,
                     name="out")
    t = nl.load(x[0:128, 0:512])
    out[...] = nisa.tensor_copy(t)
    return out


@nki.jit
def load_from_sbuf(x):
    t = nl.load(x[0:128, 0:512])
    u = nl.load(t)
    return u


@nki.jit
def slice_out_of_bounds(x):
    t = nl.load(x[0:128, 768:1280])
    return t


@nki.jit
def scalar_not_per_partition(x):
    t = nl.load(x[0:128, 0:512])
    s = nl.load(x[0:128, 0:2])
    y = nisa.activation(op=nl.exp, data=t, scale=s)
    return y


@nki.jit
def matmul_accumulates_into_sbuf(x):
    t = nl.load(x[0:1, 0:512])
    ones = nl.ones((1, 128), dtype=nl.float32, buffer=nl.sbuf)
    s = nl.zeros((128, 512), dtype=nl.float32, buffer=nl.sbuf)
    s[...] += nisa.nc_matmul(ones, t)
    return s


@nki.jit
def matmul_accumulates_other_shape(x):
    t = nl.load(x[0:1, 0:512])
    ones = nl.ones((1, 128), dtype=nl.float32, buffer=nl.sbuf)
    p = nl.zeros((128, 256), dtype=nl.float32, buffer=nl.psum)
    p[...] += nisa.nc_matmul(ones, t)
    return p
