"""neuronxcc.nki: the kernel decorator, emulated (docs/nki-emission.md).

`nki.jit` -- https://awsdocs-neuron.readthedocs-hosted.com/en/v2.26.1/nki/api/generated/nki.jit.html
`nki.simulate_kernel` -- https://awsdocs-neuron.readthedocs-hosted.com/en/v2.26.1/nki/api/generated/nki.simulate_kernel.html
"""

import functools
import inspect

import numpy as np

from . import _core
from . import language
from . import isa
from ._core import NkiEmulationError

__all__ = ["jit", "simulate_kernel", "benchmark", "language", "isa",
           "NkiEmulationError"]


class Kernel:
    """What @nki.jit makes of a function: called with NumPy arrays (HBM
    tensors, float32), it runs the function on the emulated NeuronCore and
    returns its result as NumPy arrays, as NKI's simulation does.
    `emulate` returns the HBM tensors themselves (with their names)."""

    def __init__(self, fn):
        self.fn = fn
        functools.update_wrapper(self, fn)

    def parameters(self):
        return list(inspect.signature(self.fn).parameters)

    def emulate(self, *args, **kwargs):
        bound = inspect.signature(self.fn).bind(*args, **kwargs)
        for name, value in bound.arguments.items():
            if not isinstance(value, _core.Tensor):
                bound.arguments[name] = _core.hbm_tensor(value, name)
        return self.fn(*bound.args, **bound.kwargs)

    def __call__(self, *args, **kwargs):
        return _to_numpy(self.emulate(*args, **kwargs))


def _to_numpy(result):
    if isinstance(result, _core.Tensor):
        return np.array(result.array, dtype=np.float32)
    if isinstance(result, tuple):
        return tuple(_to_numpy(r) for r in result)
    return result


def jit(fn=None, **options):
    """@nki.jit and @nki.jit(...): options (mode, platform_target, ...) are
    accepted and ignored; the kernel always runs on this emulation."""
    if fn is None:
        return lambda f: Kernel(f)
    return Kernel(fn)


def simulate_kernel(kernel, *args, **kwargs):
    """nki.simulate_kernel(kernel, *args): run on the CPU (here: on NumPy)."""
    if not isinstance(kernel, Kernel):
        kernel = Kernel(kernel)
    return kernel(*args, **kwargs)


def benchmark(*args, **kwargs):
    raise NkiEmulationError(
        "nki.benchmark needs a Neuron device; this is the NumPy emulation "
        "(docs/nki-emission.md says how to profile an emitted kernel on a "
        "device)")


baremetal = jit
