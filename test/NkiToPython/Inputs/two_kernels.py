# Two kernels (test/NkiToPython/runner-errors.test): --kernel picks one.
import neuronxcc.nki as nki
import neuronxcc.nki.language as nl
import neuronxcc.nki.isa as nisa


@nki.jit
def double(x):
    y = nl.ndarray((128, 8), dtype=nl.float32, buffer=nl.shared_hbm, name="y")
    t = nl.load(x)
    nl.store(y, value=nisa.tensor_scalar(data=t, op0=nl.multiply, operand0=2.0))
    return y


@nki.jit
def unwritten(x):
    # Returns a tensor it never writes: nl.ndarray is not initialised, and
    # the emulation shows that as NaN.
    y = nl.ndarray((128, 8), dtype=nl.float32, buffer=nl.shared_hbm, name="y")
    return y
