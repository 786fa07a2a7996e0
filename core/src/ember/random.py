"""Random number generation: `Generator`, `manual_seed`, `seed`, `initial_seed`, `get_rng_state`/`set_rng_state`.

Each generator wraps NumPy's PCG64 (CPU) or CuPy's generator (CUDA). Streams reproduce within
ember for a given seed; they are not bit-equal to torch's Mersenne Twister / Philox streams.
"""

from __future__ import annotations

import json
import os

import numpy as np

from ._device import CPU, to_device

DEFAULT_SEED = 67280421310721  # torch's default seed


class Generator:
    """A random stream on one device: `ember.Generator(device='cpu').manual_seed(0)`."""

    def __init__(self, device="cpu"):
        self.device = to_device(device)
        self._seed = DEFAULT_SEED
        self._reset()

    def _reset(self):
        if self.device.type == "cpu":
            self._np = np.random.Generator(np.random.PCG64(self._seed))
        else:
            from ._device import cupy_module

            cp = cupy_module()
            with cp.cuda.Device(self.device.index):
                self._cp = cp.random.RandomState(self._seed % (2**63))
            self._np = np.random.Generator(np.random.PCG64(self._seed))  # host-side draws (randperm, multinomial)

    def manual_seed(self, seed: int) -> "Generator":
        seed = int(seed)
        if seed < 0:
            seed += 2**64
        if not 0 <= seed < 2**64:
            raise RuntimeError(f"Overflow when unpacking long: seed {seed} does not fit in 64 bits")
        self._seed = seed
        self._reset()
        return self

    def seed(self) -> int:
        s = int.from_bytes(os.urandom(8), "little") & ((1 << 63) - 1)
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self):
        """The stream's state as a uint8 tensor (JSON of the bit generator's state)."""
        from ._creation import tensor

        state = {"seed": self._seed, "np": self._np.bit_generator.state}
        if self.device.type != "cpu":
            state["cp_calls"] = None  # CuPy's RandomState exposes no state; restoring re-seeds
        raw = json.dumps(state).encode()
        return tensor(np.frombuffer(raw, dtype=np.uint8).copy())

    def set_state(self, new_state) -> "Generator":
        try:
            state = json.loads(bytes(np.asarray(new_state._data, dtype=np.uint8)).decode())
            seed, np_state = state["seed"], state["np"]
        except (ValueError, KeyError, TypeError) as e:
            raise RuntimeError(f"set_state: the state tensor is not an ember generator state ({e})") from None
        self._seed = seed
        self._reset()
        self._np.bit_generator.state = np_state
        return self

    # the array source for a device
    def numpy(self) -> np.random.Generator:
        return self._np

    def __repr__(self):
        return f"<ember.Generator object on {self.device}>"


default_generator = Generator("cpu")
_cuda_generators: dict = {}


def cuda_generator(index: int) -> Generator:
    g = _cuda_generators.get(index)
    if g is None:
        g = _cuda_generators[index] = Generator(f"cuda:{index}")
    return g


def generator_for(device, generator: Generator | None) -> Generator:
    if generator is not None:
        if generator.device != device and not (generator.device.type == "cpu"):
            raise RuntimeError(f"Expected a '{device.type}' device type for generator but found "
                               f"'{generator.device.type}'")
        return generator
    if device is CPU or device.type == "cpu":
        return default_generator
    return cuda_generator(device.index)


def manual_seed(seed: int) -> Generator:
    """Seed every device's default generator (CPU and CUDA), as torch.manual_seed."""
    default_generator.manual_seed(seed)
    for g in _cuda_generators.values():
        g.manual_seed(seed)
    _pending_cuda_seed[0] = int(seed)
    return default_generator


_pending_cuda_seed = [None]


def seed() -> int:
    s = default_generator.seed()
    for g in _cuda_generators.values():
        g.manual_seed(s)
    return s


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state) -> None:
    default_generator.set_state(new_state)


def fork_rng(devices=None, enabled=True):
    """Context manager restoring the CPU generator's state on exit."""
    import contextlib

    @contextlib.contextmanager
    def _fork():
        if not enabled:
            yield
            return
        state = get_rng_state()
        try:
            yield
        finally:
            set_rng_state(state)

    return _fork()
