"""Random number generation: `Generator`, `manual_seed`, `seed`, `initial_seed`, `get_rng_state`/`set_rng_state`,
`fork_rng`, the array samplers every random factory draws from, and the in-place random Tensor methods
(`uniform_`, `normal_`, `bernoulli_`, `random_`, `exponential_`, `geometric_`, `log_normal_`, `cauchy_`).

Each generator wraps NumPy's PCG64 (CPU) or CuPy's generator (CUDA). Streams reproduce within
ember for a given seed; they are not bit-equal to torch's Mersenne Twister / Philox streams.
"""

from __future__ import annotations

import contextlib
import os

import numpy as np

from . import _dtype
from ._device import CPU, to_device

DEFAULT_SEED = 67280421310721  # torch's seed for a new Generator (the default one starts from entropy)
_U64 = 1 << 64


class Generator:
    """A random stream on one device: `ember.Generator(device='cpu').manual_seed(0)`."""

    def __init__(self, device="cpu"):
        self.device = to_device(device)
        self._seed = DEFAULT_SEED
        self._reset()

    def _reset(self):
        self._np_gen = None  # made on first draw: importing numpy.random costs import time
        self._cp = None
        if self.device.type == "cuda":
            from ._device import cupy_module

            cp = cupy_module()
            with cp.cuda.Device(self.device.index):
                self._cp = cp.random.RandomState(self._seed % (2**63))

    @property
    def _np(self):
        """The host-side stream (CPU tensors; randperm and multinomial everywhere)."""
        g = self._np_gen
        if g is None:
            g = self._np_gen = np.random.Generator(np.random.PCG64(self._seed))
        return g

    def manual_seed(self, seed) -> "Generator":
        """Restart the stream from `seed` (negative seeds wrap to 64 bits, as torch)."""
        seed = int(seed)
        if not -(1 << 63) <= seed < _U64:
            raise ValueError("Overflow when unpacking long long")
        self._seed = seed % _U64
        self._reset()
        return self

    def seed(self) -> int:
        """Reseed from OS entropy and return the new seed."""
        s = int.from_bytes(os.urandom(8), "little") & ((1 << 63) - 1)
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self):
        """The stream's state as a uint8 tensor (JSON of the bit generator's state)."""
        import json

        from ._tensor import Tensor

        state = {"seed": self._seed, "np": self._np.bit_generator.state}
        raw = np.frombuffer(json.dumps(state).encode(), dtype=np.uint8).copy()
        return Tensor._make(raw)

    def set_state(self, new_state) -> "Generator":
        import json

        from ._tensor import Tensor

        if not isinstance(new_state, Tensor) or new_state.dtype is not _dtype.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        raw = new_state._data if new_state.is_cpu else new_state._data.get()
        try:
            state = json.loads(bytes(raw).decode())
            seed, np_state = state["seed"], state["np"]
        except (ValueError, KeyError, TypeError) as e:
            raise RuntimeError(f"set_state: the state tensor is not an ember generator state ({e})") from None
        self._seed = seed
        self._reset()  # on CUDA the device stream restarts from the seed: CuPy exposes no state to restore
        self._np.bit_generator.state = np_state
        return self

    def __getstate__(self):
        return {"device": str(self.device), "seed": self._seed, "np": self._np.bit_generator.state}

    def __setstate__(self, state):
        self.device = to_device(state["device"])
        self._seed = state["seed"]
        self._reset()
        self._np.bit_generator.state = state["np"]

    def __repr__(self):
        return f"<ember.Generator object on {self.device}>"


default_generator = Generator("cpu")
default_generator.seed()  # torch's default CPU generator starts from entropy, not a fixed seed
_cuda_generators: dict = {}
_all_cuda_seed = [None]  # the last manual_seed, applied to CUDA generators made after it


def cuda_generator(index: int) -> Generator:
    g = _cuda_generators.get(index)
    if g is None:
        g = _cuda_generators[index] = Generator(f"cuda:{index}")
        if _all_cuda_seed[0] is not None:
            g.manual_seed(_all_cuda_seed[0])
    return g


def generator_for(device, generator: Generator | None) -> Generator:
    """The generator a draw on `device` uses: the given one (same device type) or the device's default."""
    if generator is not None:
        if not isinstance(generator, Generator):
            raise TypeError(f"argument 'generator' must be ember.Generator, not {type(generator).__name__}")
        # a CPU generator may feed a CUDA draw (drawn on the host, then moved): gradcheck's fixed generator does
        if generator.device.type != device.type and generator.device.type != "cpu":
            raise RuntimeError(f"Expected a '{device.type}' device type for generator but found "
                               f"'{generator.device.type}'")
        return generator
    if device is CPU or device.type == "cpu":
        return default_generator
    return cuda_generator(device.index)


def manual_seed(seed) -> Generator:
    """Seed every device's default generator (CPU and CUDA), as torch.manual_seed."""
    seed = int(seed)
    default_generator.manual_seed(seed)
    for g in _cuda_generators.values():
        g.manual_seed(seed)
    _all_cuda_seed[0] = seed
    return default_generator


def seed() -> int:
    """Seed every default generator from OS entropy; returns the seed."""
    s = default_generator.seed()
    for g in _cuda_generators.values():
        g.manual_seed(s)
    _all_cuda_seed[0] = s
    return s


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state) -> None:
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices", device_type="cuda"):
    """Run the block with the CPU (and given CUDA devices') generators restored to their state on exit."""
    if not enabled:
        yield
        return
    cuda = [cuda_generator(int(getattr(d, "index", d) or 0)) for d in devices] if devices is not None else list(
        _cuda_generators.values())
    saved = [(g, g.get_state()) for g in [default_generator] + cuda]
    try:
        yield
    finally:
        for g, state in saved:
            g.set_state(state)


# ---------------------------------------------------------------------------- array samplers
# Every random factory and in-place method draws through these, so one seed drives them all.
# They return an array of numpy dtype `dt` on the generator's device.

_MANTISSA_BITS = {np.dtype(np.float16): 11, _dtype.bfloat16.np: 8}


def _is_cuda(gen: Generator) -> bool:
    return gen._cp is not None


def uniform(gen: Generator, shape, dt) -> np.ndarray:
    """Uniform on [0, 1): never 1.0, also for half types (drawn on their own mantissa grid)."""
    dt = np.dtype(dt)
    bits = _MANTISSA_BITS.get(dt)
    if bits is not None:
        return (integers(gen, 0, 1 << bits, shape).astype(np.float32) * (1.0 / (1 << bits))).astype(dt)
    if _is_cuda(gen):
        return gen._cp.random_sample(shape, dtype=dt)
    return gen._np.random(shape, dtype=dt)


def standard_normal(gen: Generator, shape, dt) -> np.ndarray:
    dt = np.dtype(dt)
    draw_dt = dt if dt in (np.float32, np.float64) else np.dtype(np.float32)
    r = gen._cp if _is_cuda(gen) else gen._np
    out = r.standard_normal(shape, dtype=draw_dt)
    return out if draw_dt == dt else out.astype(dt)


def integers(gen: Generator, low: int, high: int, shape) -> np.ndarray:
    """int64 uniform on [low, high)."""
    if _is_cuda(gen):
        return gen._cp.randint(low, high, shape, dtype=np.int64)
    return gen._np.integers(low, high, shape, dtype=np.int64)


def permutation(gen: Generator, n: int) -> np.ndarray:
    """A random permutation of range(n) as host int64."""
    return gen._np.permutation(n).astype(np.int64, copy=False)


def _xp(a):
    from ._device import xp_of

    return xp_of(a)


# ---------------------------------------------------------------------------- samplers for a target
class Target:
    """What a draw must produce: a dtype, shape and device (an existing tensor's, or a new tensor's)."""

    __slots__ = ("dtype", "shape", "device")

    def __init__(self, dtype: _dtype.dtype, shape: tuple, device):
        self.dtype, self.shape, self.device = dtype, shape, device

    @staticmethod
    def of(t) -> "Target":
        return Target(t.dtype, t._data.shape, t.device)


def _on_device(tg: Target, arr):
    """arr on the target's device (a host draw from a CPU generator for a CUDA target moves over)."""
    if tg.device.type == "cpu":
        return arr if arr.__class__ is np.ndarray else arr.get()
    from ._device import cupy_module

    cp = cupy_module()
    if arr.__class__ is not np.ndarray and arr.device.id == tg.device.index:
        return arr
    with cp.cuda.Device(tg.device.index):
        return cp.asarray(arr)


_NOT_IMPL_NAME = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
                  "float16": "Half", "bfloat16": "BFloat16", "float32": "Float", "float64": "Double"}
_C_NAME = {"int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
           "bool": "bool", "float16": "c10::Half", "bfloat16": "c10::BFloat16", "float32": "float",
           "float64": "double"}


def _num(x) -> str:
    """A number as torch's C++ messages print it (1.0 -> 1, 0.5 -> 0.5)."""
    return f"{x:g}" if isinstance(x, float) else str(x)


def _require_floating(dt: _dtype.dtype, kernel: str) -> None:
    if not dt.is_floating_point:
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_NOT_IMPL_NAME[dt.name]}\'')


def _scalar(x):
    from ._tensor import Tensor

    return x.item() if isinstance(x, Tensor) else x


def uniform_sampler(tg: Target, low, high, generator):
    """Checks torch's uniform_ rules; returns a draw of samples on [low, high)."""
    _require_floating(tg.dtype, "check_uniform_bounds")
    fin = _finfo(tg.dtype)
    for name, v in (("from", low), ("to", high)):
        if not (float(fin.min) <= float(v) <= float(fin.max)):
            raise RuntimeError(f"{name} is out of bounds for {_C_NAME[tg.dtype.name]}")
    if low > high:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={_num(low)} > "
                           f"to={_num(high)}")
    gen, dt, shape = generator_for(tg.device, generator), tg.dtype.np, tg.shape
    if low == 0 and high == 1:
        return lambda: uniform(gen, shape, dt)
    return lambda: (uniform(gen, shape, dt) * (high - low) + low).astype(dt, copy=False)


def normal_sampler(tg: Target, mean, std, generator):
    _require_floating(tg.dtype, "normal_kernel_cpu")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_num(std)}")
    gen, dt, shape = generator_for(tg.device, generator), tg.dtype.np, tg.shape
    if mean == 0 and std == 1:
        return lambda: standard_normal(gen, shape, dt)
    return lambda: (standard_normal(gen, shape, dt) * std + mean).astype(dt, copy=False)


_P_RANGE_ERROR = ("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error message be improved?  "
                  "If so, please report an enhancement request to PyTorch.)")


def bernoulli_sampler(tg: Target, p, generator):
    """1 with probability p (a number, or a tensor broadcast to the target's shape), else 0."""
    from ._tensor import Tensor

    gen, dt, shape = generator_for(tg.device, generator), tg.dtype.np, tg.shape
    if isinstance(p, Tensor):
        probs = p.detach().expand(shape)._data
        if probs.size and bool(_xp(probs).any((probs < 0) | (probs > 1))):
            raise RuntimeError(_P_RANGE_ERROR)
    else:
        if not 0 <= p <= 1:
            raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={_num(p)}")
        probs = p
    return lambda: (_on_device(tg, uniform(gen, shape, np.float64)) < probs).astype(dt)


def random_sampler(tg: Target, low, high, generator):
    """Integers on [low, high) in the target dtype; high=None means the dtype's largest value (inclusive)."""
    dt = tg.dtype
    high = _int_range(dt)[1] + 1 if high is None else high
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    if not _in_dtype_range(low, dt):
        raise RuntimeError(f"from is out of bounds for {_C_NAME[dt.name]}")
    if not _in_dtype_range(high - 1, dt):
        raise RuntimeError(f"to - 1 is out of bounds for {_C_NAME[dt.name]}")
    gen, shape, ndt = generator_for(tg.device, generator), tg.shape, dt.np
    low, high = int(low), int(high)
    if ndt == np.int64:
        return lambda: integers(gen, low, high, shape)
    return lambda: integers(gen, low, high, shape).astype(ndt)


def _int_range(dt: _dtype.dtype):
    """The inclusive range random_() draws from by default: the dtype's range, or 2**mantissa for floats."""
    if dt is _dtype.bool_:
        return 0, 1
    if dt.is_floating_point:
        return 0, 1 << {"float16": 11, "bfloat16": 8, "float32": 24, "float64": 53}[dt.name]
    info = np.iinfo(dt.np)
    return int(info.min), int(info.max)


def _finfo(dt: _dtype.dtype):
    return np.finfo(np.float32) if dt is _dtype.bfloat16 else np.finfo(dt.np)


def _in_dtype_range(v, dt: _dtype.dtype) -> bool:
    if dt is _dtype.bool_:
        return 0 <= v <= 1
    if dt.is_floating_point:
        fin = _finfo(dt)
        return float(fin.min) <= float(v) <= float(fin.max)
    info = np.iinfo(dt.np)
    return info.min <= v <= info.max


# ---------------------------------------------------------------------------- in-place random methods
def _zero_grad(name):
    """A backward named like torch's that gives the overwritten input a zero gradient."""

    def backward(ctx, g):
        return g.new_zeros(g.shape)

    backward.__name__ = backward.__qualname__ = name
    return backward


_BACKWARDS = {n: _zero_grad(n) for n in (
    "UniformBackward0", "NormalBackward0", "BernoulliBackward1", "BernoulliBackward2", "RandomBackward0",
    "RandomBackward1", "RandomBackward2", "ExponentialBackward0", "GeometricBackward0", "LogNormalBackward0",
    "CauchyBackward0")}


def fill_random_(t, draw, op_name: str, grad_name: str):
    """Overwrite t with `draw()` (an array of t's shape and dtype): version bump, no gradient flows back."""
    from .autograd.grad_mode import state as grad_state
    from .ops.inplace import bump_version

    tg = None
    if grad_state.enabled and t._requires_grad:
        from .ops._util import record1, wrap
        from .ops.inplace import apply_inplace

        tg = Target.of(t)

        def op(snapshot):
            out = wrap(_on_device(tg, draw()))
            if snapshot._requires_grad:
                record1(out, _BACKWARDS[grad_name], snapshot)
            return out

        return apply_inplace(t, op, op_name)
    arr = draw()
    if arr.__class__ is not t._data.__class__:
        arr = _on_device(Target.of(t), arr)
    t._data[...] = arr
    bump_version(t)
    return t


def _from_to(args, kwargs, name, default_from, default_to):
    """Parse torch's (from, to) arguments; `from` is a Python keyword so it can only arrive through **kwargs."""
    extra = set(kwargs) - {"from", "to"}
    if extra or len(args) > 2:
        raise TypeError(f"{name}() got unexpected arguments {sorted(extra) or args}")
    vals = list(args) + [None] * (2 - len(args))
    if "from" in kwargs:
        if len(args) >= 1:
            raise TypeError(f"{name}() got multiple values for argument 'from'")
        vals[0] = kwargs["from"]
    if "to" in kwargs:
        if len(args) >= 2:
            raise TypeError(f"{name}() got multiple values for argument 'to'")
        vals[1] = kwargs["to"]
    low = default_from if vals[0] is None else vals[0]
    high = default_to if vals[1] is None else vals[1]
    return _scalar(low), _scalar(high)


def uniform_(self, *args, generator=None, **kwargs):
    """Fill with samples uniform on [from, to) (default [0, 1))."""
    low, high = _from_to(args, kwargs, "uniform_", 0.0, 1.0)
    return fill_random_(self, uniform_sampler(Target.of(self), low, high, generator), "uniform_", "UniformBackward0")


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """Fill with samples from N(mean, std**2)."""
    return fill_random_(self, normal_sampler(Target.of(self), _scalar(mean), _scalar(std), generator), "normal_",
                        "NormalBackward0")


def bernoulli_(self, p=0.5, *, generator=None):
    """Fill with 1 with probability p (a number, or a tensor broadcast to self's shape), else 0."""
    from ._tensor import Tensor

    grad_name = "BernoulliBackward1" if isinstance(p, Tensor) else "BernoulliBackward2"
    return fill_random_(self, bernoulli_sampler(Target.of(self), p, generator), "bernoulli_", grad_name)


def random_(self, *args, generator=None, **kwargs):
    """random_() over the dtype's range, random_(to) over [0, to), random_(from, to) over [from, to)."""
    if "from" in kwargs and "to" not in kwargs and len(args) < 2:
        raise TypeError("random_() received an invalid combination of arguments - got (from=int, )")
    if len(args) + len(kwargs) == 0:
        low, high, grad_name = 0, None, "RandomBackward2"
    elif len(args) == 1 and not kwargs or (not args and set(kwargs) == {"to"}):
        low, high, grad_name = 0, _scalar(args[0] if args else kwargs["to"]), "RandomBackward1"
    else:
        low, high = _from_to(args, kwargs, "random_", None, None)
        grad_name = "RandomBackward0"
    return fill_random_(self, random_sampler(Target.of(self), low, high, generator), "random_", grad_name)


def exponential_(self, lambd=1.0, *, generator=None):
    """Fill with samples from Exp(lambd)."""
    lambd = _scalar(lambd)
    if not self.is_floating_point():
        raise RuntimeError("Exponential distribution is a continuous probability distribution. dtype must be a "
                           f"floating point but you specified {_NOT_IMPL_NAME[self.dtype.name]}")
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={_num(lambd)}")
    gen, dt, shape = generator_for(self.device, generator), self._data.dtype, self._data.shape

    def draw():
        u = uniform(gen, shape, np.float64)
        return (-_xp(u).log1p(-u) / lambd).astype(dt)

    return fill_random_(self, draw, "exponential_", "ExponentialBackward0")


def geometric_(self, p, *, generator=None):
    """Fill with the number of Bernoulli(p) trials up to the first success (values >= 1)."""
    p = _scalar(p)
    if self.dtype is _dtype.bool_:
        raise NotImplementedError("\"geometric_cpu\" not implemented for 'Bool'")
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={_num(p)}")
    gen, dt, shape = generator_for(self.device, generator), self._data.dtype, self._data.shape

    def draw():
        u = uniform(gen, shape, np.float64)
        xp = _xp(u)
        return xp.maximum(xp.ceil(xp.log1p(-u) / np.log1p(-p)), 1).astype(dt)

    return fill_random_(self, draw, "geometric_", "GeometricBackward0")


def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    """Fill with exp(N(mean, std**2)) samples."""
    mean, std = _scalar(mean), _scalar(std)
    _require_floating(self.dtype, "log_normal_cpu")
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={_num(std)}")
    gen, dt, shape = generator_for(self.device, generator), self._data.dtype, self._data.shape

    def draw():
        z = standard_normal(gen, shape, np.float64)
        return _xp(z).exp(z * std + mean).astype(dt)

    return fill_random_(self, draw, "log_normal_", "LogNormalBackward0")


def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    """Fill with samples from the Cauchy distribution."""
    median, sigma = _scalar(median), _scalar(sigma)
    if not self.is_floating_point():
        raise RuntimeError("Cauchy distribution is a continuous probability distribution. dtype must be a floating "
                           f"point but you specified {_C_NAME[self.dtype.name]}")
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={_num(sigma)}")
    gen, dt, shape = generator_for(self.device, generator), self._data.dtype, self._data.shape

    def draw():
        u = uniform(gen, shape, np.float64)
        return (median + sigma * _xp(u).tan(np.pi * (u - 0.5))).astype(dt)

    return fill_random_(self, draw, "cauchy_", "CauchyBackward0")


INPLACE_METHODS = {"uniform_": uniform_, "normal_": normal_, "bernoulli_": bernoulli_, "random_": random_,
                   "exponential_": exponential_, "geometric_": geometric_, "log_normal_": log_normal_,
                   "cauchy_": cauchy_}
