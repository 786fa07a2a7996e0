"""Declarative per-op test cases (Chainer-style): an ember op, its NumPy reference, shapes and input domains.

A test module lists `OpCase`s; `forward_check`, `grad_check`, `gradgrad_check` and `inplace_check` run one
case each, so the modules only parametrize over their tables.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pytest

import ember
from ember.autograd import gradcheck, gradgradcheck

Sampler = Callable[[np.random.Generator, tuple], np.ndarray]

# (rtol, atol) of ember against the NumPy reference computed in the same dtype
TOLERANCES = {"float64": (1e-10, 1e-12), "float32": (1e-5, 1e-6), "int64": (0, 0), "int32": (0, 0),
              "uint8": (0, 0), "bool": (0, 0)}


# ---------------------------------------------------------------------------- input domains
def uniform(lo: float = -2.0, hi: float = 2.0) -> Sampler:
    return lambda rng, shape: rng.uniform(lo, hi, shape)


def positive(lo: float = 0.2, hi: float = 3.0) -> Sampler:
    return uniform(lo, hi)


def nonzero(lo: float = 0.3, hi: float = 2.0) -> Sampler:
    """Magnitudes in [lo, hi] with random signs: away from a kink or pole at 0."""
    return lambda rng, shape: rng.uniform(lo, hi, shape) * rng.choice([-1.0, 1.0], shape)


def off_integers(lo: int = -3, hi: int = 3, gap: float = 0.1) -> Sampler:
    """Values at least `gap` from every integer: where floor/round/remainder are smooth."""
    return lambda rng, shape: rng.integers(lo, hi, shape) + rng.uniform(gap, 1 - gap, shape)


def integers(lo: int = -2, hi: int = 3) -> Sampler:
    """Small whole numbers stored as floats: makes ties (for comparisons and maximum) likely."""
    return lambda rng, shape: rng.integers(lo, hi, shape).astype(np.float64)


def choice(*values: float) -> Sampler:
    return lambda rng, shape: rng.choice(np.array(values, dtype=np.float64), shape)


# ---------------------------------------------------------------------------- the table entry
@dataclass(frozen=True)
class OpCase:
    """One op on one set of input shapes.

    op(*tensors) runs ember; ref(*arrays) is the NumPy reference. `domain` is one sampler for all inputs or
    one per input. `inplace(x, *others)` (optional) must modify and return x, e.g. `lambda x, y: x.add_(y)`.
    """

    name: str
    op: Callable[..., Any]
    ref: Callable[..., Any]
    shapes: tuple = ((2, 3),)
    domain: Sampler | tuple = uniform()
    grad: bool = True
    gradgrad: bool = True
    inplace: Callable[..., Any] | None = None
    dtypes: tuple = ("float64", "float32")
    check_dtype: bool = True
    noncontig: bool = True  # also run the forward on transposed-memory inputs (off for view(), which must fail)
    rtol: float | None = None  # loosen float32's tolerance for this op (float64 always stays tight)
    atol: float | None = None

    @property
    def id(self) -> str:
        shapes = "_".join("x".join(map(str, s)) or "0d" for s in self.shapes)
        return f"{self.name}[{shapes}]"

    def samplers(self) -> tuple:
        if isinstance(self.domain, tuple):
            assert len(self.domain) == len(self.shapes), f"{self.id}: one domain per input"
            return self.domain
        return (self.domain,) * len(self.shapes)

    def arrays(self, dtype: str) -> list[np.ndarray]:
        """Inputs in float64 drawn from the domain, then cast: the same values (up to rounding) per dtype."""
        rng = np.random.default_rng(zlib.crc32(self.id.encode()))
        return [np.asarray(s(rng, shape), dtype=np.float64).astype(dtype) for s, shape in
                zip(self.samplers(), self.shapes)]

    def tolerance(self, dtype: str) -> tuple[float, float]:
        rtol, atol = TOLERANCES[dtype]
        if dtype == "float32":
            return self.rtol or rtol, self.atol or atol
        return rtol, atol


def cases(name: str, op, ref, shape_sets, **kw) -> list[OpCase]:
    """One OpCase per entry of `shape_sets` (each a tuple of input shapes)."""
    return [OpCase(name, op, ref, tuple(tuple(s) for s in shapes), **kw) for shapes in shape_sets]


def params(table: list[OpCase], predicate=lambda c: True):
    """pytest.param list with readable ids, for parametrize."""
    return [pytest.param(c, id=c.id) for c in table if predicate(c)]


def forward_params(table: list[OpCase]):
    """(case, dtype) pairs for every dtype each case declares."""
    return [pytest.param(c, d, id=f"{c.id}-{d}") for c in table for d in c.dtypes]


def grad_params(table: list[OpCase]):
    return params(table, lambda c: c.grad)


def gradgrad_params(table: list[OpCase]):
    return params(table, lambda c: c.grad and c.gradgrad)


def inplace_params(table: list[OpCase]):
    """Cases with an in-place form whose output keeps the first input's shape (else in-place is an error)."""
    return params(table, lambda c: c.inplace is not None
                  and tuple(np.broadcast_shapes(*c.shapes)) == tuple(c.shapes[0]))


# ---------------------------------------------------------------------------- shape sets
UNARY = (((2, 3),), ((),))
BINARY = (((2, 3), (2, 3)), ((2, 1), (3,)), ((), (2, 3)), ((2, 3), ()), ((), ()))
TERNARY = (((2, 3), (2, 3), (2, 3)), ((2, 1), (3,), ()), ((), (2, 3), (1, 3)))


# ---------------------------------------------------------------------------- checks
def as_list(out) -> list:
    return list(out) if isinstance(out, (tuple, list)) else [out]


def tensors(arrays, requires_grad: bool = False) -> list:
    return [ember.tensor(a, requires_grad=requires_grad) for a in arrays]


def noncontiguous(a: np.ndarray):
    """The same values in a tensor whose memory is transposed, to catch layout assumptions."""
    if not _transposable(a):
        return ember.tensor(a)
    t = ember.tensor(np.ascontiguousarray(np.swapaxes(a, -1, -2))).transpose(-1, -2)
    assert not t.is_contiguous()
    return t


def _transposable(a: np.ndarray) -> bool:
    return a.ndim >= 2 and a.shape[-1] > 1 and a.shape[-2] > 1


def assert_matches(out, expected, case: OpCase, dtype: str) -> None:
    outs, exps = as_list(out), as_list(expected)
    assert len(outs) == len(exps), f"{case.id}: {len(outs)} outputs, reference has {len(exps)}"
    rtol, atol = case.tolerance(dtype)
    for o, e in zip(outs, exps):
        e = np.asarray(e)
        assert isinstance(o, ember.Tensor), f"{case.id}: expected a Tensor, got {type(o).__name__}"
        assert tuple(o.shape) == e.shape, f"{case.id}: shape {tuple(o.shape)} != reference {e.shape}"
        if case.check_dtype:
            assert o.dtype.np == e.dtype, f"{case.id} ({dtype}): dtype {o.dtype} != reference {e.dtype}"
        if e.dtype.kind in "biu":
            np.testing.assert_array_equal(o.numpy(), e, err_msg=f"{case.id} ({dtype})")
        else:
            np.testing.assert_allclose(o.numpy().astype(np.float64), e.astype(np.float64), rtol=rtol, atol=atol,
                                       err_msg=f"{case.id} ({dtype})")


def forward_check(case: OpCase, dtype: str) -> None:
    """ember matches the reference for contiguous and non-contiguous inputs."""
    arrays = case.arrays(dtype)
    expected = case.ref(*[a.copy() for a in arrays])
    assert_matches(case.op(*tensors(arrays)), expected, case, dtype)
    if case.noncontig and any(_transposable(a) for a in arrays):
        assert_matches(case.op(*[noncontiguous(a) for a in arrays]), expected, case, dtype)


def grad_check(case: OpCase) -> None:
    assert gradcheck(case.op, tuple(tensors(case.arrays("float64"), requires_grad=True)))


def gradgrad_check(case: OpCase) -> None:
    inputs = tuple(tensors(case.arrays("float64"), requires_grad=True))
    # grad_outputs drawn here, from the case's seed, so the check doesn't depend on ember's RNG
    rng = np.random.default_rng(zlib.crc32(case.id.encode()) + 1)
    grad_outputs = tuple(ember.tensor(rng.standard_normal(tuple(o.shape)), requires_grad=True)
                         for o in as_list(case.op(*inputs)) if o.requires_grad)
    assert gradgradcheck(case.op, inputs, grad_outputs)


def inplace_check(case: OpCase) -> None:
    """x.op_(...) returns x, equals op(x, ...), bumps x's version, and gives the out-of-place gradient."""
    x, *others = tensors(case.arrays(case.dtypes[0]))
    expected = case.op(x.clone(), *others)
    version = x._version
    res = case.inplace(x, *others)
    assert res is x, f"{case.id}: in-place op must return its input"
    assert x._version > version, f"{case.id}: in-place op did not bump the version counter"
    np.testing.assert_array_equal(x.numpy(), expected.numpy(), err_msg=f"{case.id}: in-place != out-of-place")

    if not case.grad:
        return
    # through autograd: on a non-leaf, the gradient equals that of the out-of-place op
    arrays = case.arrays("float64")
    leaves = tensors(arrays, requires_grad=True)
    g_out = ember.tensor(np.random.default_rng(0).standard_normal(np.shape(expected)))
    case.op(*leaves).backward(g_out)
    want = [t.grad for t in leaves]
    leaves2 = tensors(arrays, requires_grad=True)
    y = leaves2[0] * 1
    case.inplace(y, *leaves2[1:]).backward(g_out)
    for i, (a, b) in enumerate(zip(want, (t.grad for t in leaves2))):
        assert (a is None) == (b is None), f"{case.id}: input {i} gradient presence differs in-place"
        if a is not None:
            np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-10, atol=1e-12,
                                       err_msg=f"{case.id}: in-place gradient of input {i}")
