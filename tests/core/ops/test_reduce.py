"""ops/reduce.py: reductions, scans, norms, softmax and median against NumPy; their gradients, edge cases, errors."""

import math
import warnings

import numpy as np
import pytest

import ember as E

from .harness import (cases, forward_check, forward_params, grad_check, grad_params, gradgrad_check,
                      gradgrad_params)


def with_zeros(lo=-2.0, hi=2.0, every=3):
    """Uniform values with every `every`-th element set to 0 (products and scans must survive zeros)."""
    def sample(rng, shape):
        a = rng.uniform(lo, hi, shape)
        a.reshape(-1)[::every] = 0.0
        return a
    return sample


def with_nans(rng, shape):
    a = rng.uniform(-2, 2, shape)
    a.reshape(-1)[1::3] = np.nan
    return a


def _np_logsumexp(x, axis=None, keepdims=False):
    m = np.max(x, axis=axis, keepdims=True)
    return np.log(np.exp(x - m).sum(axis=axis, keepdims=True)) + m if keepdims else (
        np.log(np.exp(x - m).sum(axis=axis)) + np.squeeze(m, axis=axis))


def _np_softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _np_vector_norm(x, p, axis=None, keepdims=False):
    a = np.abs(x.astype(np.float64))
    if p == math.inf:
        r = a.max(axis=axis, keepdims=keepdims)
    elif p == -math.inf:
        r = a.min(axis=axis, keepdims=keepdims)
    elif p == 0:
        r = (a != 0).sum(axis=axis, keepdims=keepdims)
    else:
        with np.errstate(divide="ignore"):
            r = (a ** p).sum(axis=axis, keepdims=keepdims) ** (1 / p)
    return np.asarray(r).astype(x.dtype)


def _np_lower_median(x, axis):
    """Values of torch's median along axis: the lower of the two middle elements."""
    s = np.sort(x, axis=axis)
    k = (x.shape[axis] - 1) // 2
    return np.take(s, k, axis=axis)


def _np_nanmedian_lower(x, axis):
    s = np.sort(x, axis=axis)  # NaN last
    n_ok = (~np.isnan(x)).sum(axis=axis, keepdims=True)
    k = np.maximum(n_ok - 1, 0) // 2
    return np.take_along_axis(s, k, axis=axis).squeeze(axis)


S23 = (((2, 3),),)
S234 = (((2, 3, 4),),)
SCALAR = (((),),)
DIMS = [None, 0, -1, (0, 2)]

TABLE = [
    # sums and means
    *[c for dim in DIMS for keep in (False, True) for c in cases(
        f"sum_dim{dim}_keep{keep}", lambda x, d=dim, k=keep: E.sum(x, d, k) if d is not None else E.sum(x),
        lambda x, d=dim, k=keep: np.sum(x, axis=d, keepdims=k) if d is not None else np.sum(x), S234)],
    *cases("sum_0d", E.sum, np.sum, SCALAR),
    *cases("sum_dim0_on_0d", lambda x: x.sum(0), np.sum, SCALAR),
    *cases("sum_dtype", lambda x: x.sum(1, dtype=E.float64), lambda x: x.astype(np.float64).sum(1), S23,
           dtypes=("float32",)),
    *[c for dim in DIMS for c in cases(f"mean_dim{dim}", lambda x, d=dim: E.mean(x, d, keepdim=True),
                                       lambda x, d=dim: np.mean(x, axis=d, keepdims=True), S234)],
    *cases("nansum", lambda x: x.nansum(1), lambda x: np.nansum(x, 1), S234, domain=with_nans),
    *cases("nansum_all", E.nansum, np.nansum, S23, domain=with_nans),
    *cases("nanmean", lambda x: x.nanmean(-1), lambda x: np.nanmean(x, -1), S234, domain=with_nans),
    # products, including zeros
    *cases("prod_all", E.prod, np.prod, S23, domain=with_zeros(every=4)),
    *cases("prod_all_nozero", E.prod, np.prod, S23),
    *cases("prod_all_two_zeros", E.prod, np.prod, S23, domain=with_zeros(every=2)),
    *[c for dim in (0, 1, -1) for c in cases(f"prod_dim{dim}", lambda x, d=dim: x.prod(d),
                                              lambda x, d=dim: np.prod(x, axis=d), S234, domain=with_zeros())],
    *cases("prod_keepdim", lambda x: x.prod(1, keepdim=True), lambda x: np.prod(x, 1, keepdims=True), S23),
    *cases("prod_0d", lambda x: x.prod(0), np.prod, SCALAR),
    # variance and standard deviation
    *[c for dim in DIMS for corr in (0, 1, 2) if (dim, corr) != (0, 2) for c in cases(
        f"var_dim{dim}_c{corr}", lambda x, d=dim, c=corr: E.var(x, d, correction=c),
        lambda x, d=dim, c=corr: np.var(x, axis=d, ddof=c), S234)],
    *[c for dim in DIMS for c in cases(
        f"std_dim{dim}", lambda x, d=dim: E.std(x, d, keepdim=True), lambda x, d=dim: np.std(x, axis=d, ddof=1,
                                                                                         keepdims=True), S234)],
    *cases("std_unbiased_false", lambda x: x.std(1, unbiased=False), lambda x: np.std(x, 1), S234),
    *cases("var_legacy_positional", lambda x: E.var(x, 0, False, True), lambda x: np.var(x, 0, keepdims=True),
           S23),
    *cases("std_mean", lambda x: E.std_mean(x, 1), lambda x: (np.std(x, 1, ddof=1), np.mean(x, 1)), S234),
    *cases("var_mean", lambda x: E.var_mean(x, (0, 1), correction=0, keepdim=True),
           lambda x: (np.var(x, (0, 1), keepdims=True), np.mean(x, (0, 1), keepdims=True)), S234),
    # norms
    *[c for p in (2, 1, math.inf, -math.inf, 3, 1.5, 0.5, -1, "fro") for dim in (None, 1, (0, 2))
      for c in cases(f"norm_p{p}_dim{dim}", lambda x, p=p, d=dim: E.norm(x, p, d),
                     lambda x, p=p, d=dim: _np_vector_norm(x, 2 if p == "fro" else p, d), S234)],
    *cases("norm_p0", lambda x: x.norm(0, 1, keepdim=True), lambda x: _np_vector_norm(x, 0, 1, True), S234,
           domain=with_zeros(), grad=False),
    *cases("norm_keepdim", lambda x: x.norm(dim=-1, keepdim=True), lambda x: _np_vector_norm(x, 2, -1, True), S234),
    # logsumexp, softmax, log_softmax
    *[c for dim in (0, -1, (0, 2)) for c in cases(
        f"logsumexp_dim{dim}", lambda x, d=dim: E.logsumexp(x, d), lambda x, d=dim: _np_logsumexp(x, d), S234)],
    *cases("logsumexp_keepdim", lambda x: x.logsumexp(1, keepdim=True), lambda x: _np_logsumexp(x, 1, True), S234),
    *cases("logsumexp_large", lambda x: (x * 500).logsumexp(1), lambda x: _np_logsumexp(x * 500, 1), S23),
    *[c for dim in (0, 1, -1) for c in cases(
        f"softmax_dim{dim}", lambda x, d=dim: E.softmax(x, d), lambda x, d=dim: _np_softmax(x, d), S234)],
    *[c for dim in (0, -1) for c in cases(
        f"log_softmax_dim{dim}", lambda x, d=dim: E.log_softmax(x, d),
        lambda x, d=dim: np.log(_np_softmax(x, d)), S234)],
    *cases("softmax_large", lambda x: (x * 500).softmax(-1), lambda x: _np_softmax(x * 500, -1), S23, rtol=1e-4,
           atol=1e-5),
    *cases("softmax_dtype", lambda x: x.softmax(1, dtype=E.float64), lambda x: _np_softmax(x.astype(np.float64), 1),
           S23, dtypes=("float32",)),
    *cases("softmax_0d", lambda x: x.softmax(0), np.ones_like, SCALAR),
    # scans
    *[c for dim in (0, 1, -1) for c in cases(
        f"cumsum_dim{dim}", lambda x, d=dim: E.cumsum(x, d), lambda x, d=dim: np.cumsum(x, axis=d), S234)],
    *[c for dim in (0, 1, -1) for c in cases(
        f"cumprod_dim{dim}", lambda x, d=dim: E.cumprod(x, d), lambda x, d=dim: np.cumprod(x, axis=d), S234,
        domain=with_zeros(every=5))],
    *cases("cumprod_nozero", lambda x: x.cumprod(1), lambda x: np.cumprod(x, 1), S234),
    *cases("cumprod_two_zeros_per_row", lambda x: x.cumprod(1), lambda x: np.cumprod(x, 1), (((2, 6),),),
           domain=with_zeros(every=2)),
    *cases("cumsum_0d", lambda x: x.cumsum(0), lambda x: x.copy(), SCALAR),
    # extrema and medians (values; indices are checked against the values below)
    *cases("amax", lambda x: x.amax((0, 2)), lambda x: np.max(x, (0, 2)), S234),
    *cases("amin_keepdim", lambda x: x.amin(1, keepdim=True), lambda x: np.min(x, 1, keepdims=True), S234),
    *cases("max_all", E.max, np.max, S23),
    *cases("max_dim", lambda x: x.max(1).values, lambda x: np.max(x, 1), S234),
    *cases("min_dim_keepdim", lambda x: x.min(-1, keepdim=True).values, lambda x: np.min(x, -1, keepdims=True),
           S234),
    *cases("max_0d_dim", lambda x: E.max(x, 0).values, lambda x: x.copy(), SCALAR),
    *cases("aminmax", lambda x: E.aminmax(x), lambda x: (np.min(x), np.max(x)), S23),
    *cases("aminmax_dim", lambda x: E.aminmax(x, dim=1, keepdim=True),
           lambda x: (np.min(x, 1, keepdims=True), np.max(x, 1, keepdims=True)), S234),
    *cases("median_all", E.median, lambda x: _np_lower_median(x.reshape(-1), 0), S23),
    *cases("median_all_odd", E.median, np.median, (((3, 3),),)),
    *cases("median_dim", lambda x: x.median(1).values, lambda x: _np_lower_median(x, 1), S234),
    *cases("median_dim_keepdim", lambda x: x.median(-1, True).values,
           lambda x: np.expand_dims(_np_lower_median(x, -1), -1), S234),
    *cases("nanmedian_dim", lambda x: x.nanmedian(1).values, lambda x: _np_nanmedian_lower(x, 1), S234,
           domain=with_nans),
]


@pytest.mark.parametrize("case, dtype", forward_params(TABLE))
def test_forward(case, dtype):
    forward_check(case, dtype)


@pytest.mark.parametrize("case", grad_params(TABLE))
def test_gradcheck(case):
    grad_check(case)


# gradgradcheck costs several gradchecks: run it on the cases whose second derivative is its own code path
_GRADGRAD = ("sum_dim0", "mean_dim", "nansum", "prod", "var_dim(0, 2)_c1", "var_dimNone_c0", "std_dim",
             "std_mean", "var_mean", "norm_p", "logsumexp", "softmax_dim", "log_softmax", "cumsum_dim1", "cumprod",
             "amax", "aminmax", "median", "max_dim", "nanmedian")


@pytest.mark.parametrize("case", gradgrad_params([c for c in TABLE if c.name.startswith(_GRADGRAD)]))
def test_gradgradcheck(case):
    gradgrad_check(case)


# ---------------------------------------------------------------------------- gradients at the awkward points
def _grad(fn, x):
    x = E.tensor(x, dtype=E.float64, requires_grad=True)
    fn(x).backward()
    return x.grad.numpy()


def test_prod_gradient_with_one_zero_is_product_of_the_others():
    np.testing.assert_allclose(_grad(E.prod, [2.0, 0.0, 3.0]), [0.0, 6.0, 0.0])
    np.testing.assert_allclose(_grad(lambda x: x.prod(1).sum(), [[2.0, 0.0, 3.0], [1.0, 2.0, 4.0]]),
                               [[0.0, 6.0, 0.0], [8.0, 4.0, 2.0]])


def test_prod_gradient_with_two_zeros_is_zero():
    np.testing.assert_array_equal(_grad(E.prod, [0.0, 2.0, 0.0]), [0.0, 0.0, 0.0])


def test_prod_second_derivative_at_zero():
    # d2/dxdy (x * y * z) = z even where x = y = 0
    x = E.tensor([0.0, 0.0, 3.0], dtype=E.float64, requires_grad=True)
    (g,) = E.autograd.grad(x.prod(), x, create_graph=True)
    (h0,) = E.autograd.grad(g[0], x)
    np.testing.assert_allclose(h0.numpy(), [0.0, 3.0, 0.0])
    assert E.autograd.gradgradcheck(lambda t: t.prod(), (x,))


def test_cumprod_gradient_with_zeros_matches_finite_differences():
    x = E.tensor([[2.0, 0.0, 3.0, 0.0, 1.5], [0.5, 1.5, 0.0, 2.0, 3.0]], dtype=E.float64, requires_grad=True)
    assert E.autograd.gradcheck(lambda t: t.cumprod(1), (x,))
    assert E.autograd.gradgradcheck(lambda t: t.cumprod(1), (x,))


@pytest.mark.parametrize("p", [2, 3, 1.5, "fro", math.inf])
def test_norm_gradient_at_zero_vector_is_zero(p):
    g = _grad(lambda x: x.norm(p), np.zeros(4))
    np.testing.assert_array_equal(g, np.zeros(4))


def test_norm_gradient_rows_with_and_without_zeros():
    g = _grad(lambda x: x.norm(dim=1).sum(), [[0.0, 0.0], [3.0, 4.0]])
    np.testing.assert_allclose(g, [[0.0, 0.0], [0.6, 0.8]])


def test_inf_norm_and_amax_share_the_gradient_between_ties():
    np.testing.assert_allclose(_grad(lambda x: x.norm(math.inf), [2.0, -2.0, 1.0]), [0.5, -0.5, 0.0])
    np.testing.assert_allclose(_grad(E.amax, [3.0, 3.0, 3.0, 1.0]), [1 / 3, 1 / 3, 1 / 3, 0.0])
    np.testing.assert_allclose(_grad(E.median, [2.0, 2.0, 1.0]), [0.5, 0.5, 0.0])


def test_std_gradient_of_constant_input_is_zero():
    np.testing.assert_array_equal(_grad(E.std, np.ones(4)), np.zeros(4))
    np.testing.assert_array_equal(_grad(lambda x: x.std(1).sum(), np.ones((2, 3))), np.zeros((2, 3)))


def test_logsumexp_handles_infinities():
    x = E.tensor([[math.inf, 1.0], [-math.inf, -math.inf], [math.inf, -math.inf], [1000.0, 1000.0]])
    np.testing.assert_allclose(x.logsumexp(1).numpy(), [math.inf, -math.inf, math.inf, 1000.0 + math.log(2)])
    # a slice of only -inf (a fully masked row) gets gradient 0, not NaN
    g = _grad(lambda t: t.logsumexp(0), [-math.inf, -math.inf])
    np.testing.assert_array_equal(g, [0.0, 0.0])
    np.testing.assert_allclose(_grad(lambda t: t.logsumexp(0), [0.0, -math.inf]), [1.0, 0.0])


def test_softmax_is_stable_and_log_softmax_exact_for_large_inputs():
    x = E.tensor([[1000.0, 0.0], [-1000.0, -1001.0]], dtype=E.float64)
    np.testing.assert_allclose(x.softmax(1).numpy(), [[1.0, 0.0], [1 / (1 + math.exp(-1)), 1 / (1 + math.e)]])
    np.testing.assert_allclose(x.log_softmax(1).numpy(), [[0.0, -1000.0], [-math.log1p(math.exp(-1)),
                                                                          -1 - math.log1p(math.exp(-1))]])
    masked = E.tensor([0.0, -math.inf]).softmax(0)
    np.testing.assert_array_equal(masked.numpy(), [1.0, 0.0])


def test_softmax_dim_none_warns_and_picks_torchs_dim():
    x = E.tensor(np.arange(6.0).reshape(2, 3))
    with pytest.warns(UserWarning, match="Implicit dimension"):
        out = E.softmax(x)
    np.testing.assert_allclose(out.numpy(), _np_softmax(np.arange(6.0).reshape(2, 3), 1))


# ---------------------------------------------------------------------------- dtypes
def test_integer_reductions_and_scans_are_int64():
    x = E.tensor([[1, 2, 3], [4, 5, 6]], dtype=E.int32)
    for out in (x.sum(), x.prod(), x.prod(1), x.cumsum(0), x.cumprod(1), E.tensor([True, True]).cumsum(0)):
        assert out.dtype == E.int64
    assert x.prod().item() == 720
    assert x.cumsum(1, dtype=E.int32).dtype == E.int32
    assert x.sum(dtype=E.int32).dtype == E.int32 and x.prod(1, dtype=E.int32).dtype == E.int32
    assert x.prod(0, dtype=E.float64).dtype == E.float64
    np.testing.assert_array_equal(E.tensor([True, False, True]).cumsum(0).numpy(), [1, 1, 2])


def test_sum_and_mean_dtype_argument():
    x = E.tensor([[1, 2], [3, 4]])
    out = x.sum(1, dtype=E.float32)
    assert out.dtype == E.float32 and out.tolist() == [3.0, 7.0]
    assert x.mean(dtype=E.float64).item() == 2.5
    with pytest.raises(RuntimeError, match="mean\\(\\): could not infer output dtype. Input dtype"):
        x.mean()
    with pytest.raises(RuntimeError, match="Optional dtype must be either a floating point"):
        x.float().mean(dtype=E.int32)
    # the gradient comes back in the input's dtype
    y = E.ones(2, 3, requires_grad=True)
    y.sum(0, dtype=E.float64).backward(E.ones(3, dtype=E.float64))
    assert y.grad.dtype == E.float32


def test_all_any_keep_uint8():
    x = E.tensor([1, 2, 0], dtype=E.uint8)
    assert x.all().dtype == E.uint8 and x.all().item() == 0
    assert x.any().dtype == E.uint8 and x.any().item() == 1
    assert E.tensor([1.0, 0.0]).any(0).dtype == E.bool


def test_float_only_reductions_refuse_integers():
    x = E.tensor([1, 2, 3])
    with pytest.raises(RuntimeError, match="std and var only support floating point"):
        x.var()
    with pytest.raises(RuntimeError, match="std and var only support floating point"):
        x.std()
    with pytest.raises(RuntimeError, match="vector_norm: Expected a floating point"):
        x.norm()
    with pytest.raises(NotImplementedError, match="softmax"):
        x.softmax(0)
    assert x.norm(dtype=E.float64).dtype == E.float64
    assert x.softmax(0, dtype=E.float32).dtype == E.float32
    assert x.logsumexp(0).dtype == E.float32


# ---------------------------------------------------------------------------- shapes and edge cases
def test_empty_inputs():
    z = E.zeros(0, 3)
    assert math.isnan(z.mean().item())
    np.testing.assert_array_equal(z.mean(0).numpy(), [np.nan] * 3)
    assert z.mean(1).shape == (0,)
    assert z.sum().item() == 0.0
    np.testing.assert_array_equal(z.prod(0).numpy(), [1.0, 1.0, 1.0])
    assert z.norm().item() == 0.0
    np.testing.assert_array_equal(z.logsumexp(0).numpy(), [-np.inf] * 3)
    assert z.softmax(1).shape == (0, 3)
    assert z.max(1).values.shape == (0,)
    assert z.median(1).indices.shape == (0,)
    assert math.isnan(z.median().item())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert np.isnan(z.std(0).numpy()).all()


@pytest.mark.parametrize("call, exc, match", [
    (lambda z: z.max(0), IndexError, "max\\(\\): Expected reduction dim 0 to have non-zero size"),
    (lambda z: z.amax(), RuntimeError, "amax\\(\\): Expected reduction dim to be specified"),
    (lambda z: z.max(), RuntimeError, "max\\(\\): Expected reduction dim to be specified"),
    (lambda z: z.argmax(), IndexError, "argmax\\(\\): Expected reduction dim to be specified"),
    (lambda z: z.argmin(0), IndexError, "argmin\\(\\): Expected reduction dim 0"),
    (lambda z: z.amin(0), IndexError, "amin\\(\\): Expected reduction dim 0"),
    (lambda z: z.median(0), IndexError, "median\\(\\): Expected reduction dim 0"),
    (lambda z: z.aminmax(), RuntimeError, "cannot compute aminmax over an empty dimension"),
    (lambda z: z.norm(math.inf), RuntimeError, "inf norm on an empty tensor"),
])
def test_empty_reduction_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call(E.zeros(0, 3))


def test_zero_dim_tensors_reduce_over_dim_0_and_minus_1():
    x = E.tensor(3.0)
    for fn in (E.max, E.min, E.median):
        r = fn(x, 0)
        assert r.values.item() == 3.0 and r.indices.item() == 0 and r.values.shape == ()
    assert E.max(x, -1, keepdim=True).values.shape == ()
    assert x.argmax(0).item() == 0 and x.sum(-1).item() == 3.0 and x.cumsum(0).item() == 3.0
    for call in (lambda: x.max(1), lambda: x.sum(1), lambda: x.argmax(1), lambda: x.prod(2), lambda: x.cumsum(1),
                 lambda: x.softmax(1)):
        with pytest.raises(IndexError, match="Dimension out of range"):
            call()


def test_max_min_with_indices_point_at_their_values():
    rng = np.random.default_rng(0)
    a = rng.integers(-3, 3, (4, 5, 6)).astype(np.float64)  # many ties
    x = E.tensor(a)
    for fn, ref in ((E.max, np.max), (E.min, np.min), (E.median, _np_lower_median)):
        for dim in (0, 1, -1):
            v, i = fn(x, dim)
            np.testing.assert_array_equal(v.numpy(), ref(a, dim))
            picked = np.take_along_axis(a, np.expand_dims(i.numpy(), dim), dim).squeeze(dim)
            np.testing.assert_array_equal(picked, v.numpy())
    np.testing.assert_array_equal(x.argmax(1).numpy(), np.argmax(a, 1))
    np.testing.assert_array_equal(x.argmin(-1, keepdim=True).numpy(), np.argmin(a, -1, keepdims=True))
    assert x.argmax().item() == np.argmax(a)
    assert x.argmax(keepdim=True).shape == (1, 1, 1)


def test_max_and_median_with_nan():
    x = E.tensor([[1.0, np.nan, 2.0], [3.0, 1.0, 2.0]])
    v, i = x.max(1)
    assert math.isnan(v[0].item()) and i.tolist() == [1, 0]
    v, i = x.median(1)
    assert math.isnan(v[0].item()) and i.tolist() == [1, 2]
    v, i = x.nanmedian(1)
    assert v.tolist() == [1.0, 2.0] and i.tolist() == [0, 2]
    assert math.isnan(x.median().item()) and x.nanmedian().item() == 2.0


def test_median_picks_the_lower_middle_and_a_consistent_index():
    x = E.tensor([[1.0, 2.0, 2.0, 1.0], [3.0, 3.0, 3.0, 3.0]])
    v, i = x.median(1)
    assert v.tolist() == [1.0, 3.0]
    assert [x[r, i[r]].item() for r in range(2)] == [1.0, 3.0]
    assert E.tensor([4, 1, 3, 2]).median().item() == 2


def test_var_argument_forms():
    a = np.arange(12.0).reshape(3, 4) ** 1.5
    x = E.tensor(a)
    np.testing.assert_allclose(E.var(x, False).numpy(), np.var(a))  # legacy positional `unbiased`
    np.testing.assert_allclose(x.var(1, True, True).numpy(), np.var(a, 1, ddof=1, keepdims=True))
    np.testing.assert_allclose(x.std(dim=0, correction=0.5).numpy(), np.std(a, 0, ddof=0.5))
    np.testing.assert_allclose(x.var([]).numpy(), np.var(a, ddof=1))
    std, mean = E.std_mean(x, 0, keepdim=True)
    np.testing.assert_allclose(std.numpy(), np.std(a, 0, ddof=1, keepdims=True))
    np.testing.assert_allclose(mean.numpy(), np.mean(a, 0, keepdims=True))
    with pytest.raises(TypeError, match="either `unbiased` or `correction`"):
        x.var(0, unbiased=False, correction=1)
    with pytest.warns(UserWarning, match="degrees of freedom is <= 0"):
        out = E.tensor([1.0, 2.0]).var(correction=2)
    assert out.item() == math.inf
    with pytest.warns(UserWarning, match="degrees of freedom"):
        assert math.isnan(E.tensor(3.0).std().item())


def test_norm_argument_forms():
    a = np.array([[3.0, -4.0], [0.0, 1.0]])
    x = E.tensor(a)
    assert x.norm().item() == pytest.approx(np.linalg.norm(a))
    assert x.norm(p=None).item() == pytest.approx(np.linalg.norm(a))
    np.testing.assert_allclose(x.norm(1, dim=(0, 1)).numpy(), 8.0)  # numeric p: a vector norm over both dims
    np.testing.assert_allclose(E.norm(x, "fro", dim=(0, 1), keepdim=True).numpy(), [[np.linalg.norm(a)]])
    np.testing.assert_allclose(x.norm(-1).numpy(), 0.0)  # a zero entry makes a negative-p norm 0
    assert E.norm(x.float(), dtype=E.float64).dtype == E.float64
    with pytest.raises(RuntimeError, match="dim must be a 2-tuple"):
        E.ones(2, 2, 2).norm("fro", dim=(0, 1, 2))
    with pytest.raises(RuntimeError, match="Order abc not supported"):
        x.norm("abc")
    with pytest.raises(NotImplementedError, match="nuclear"):
        x.norm("nuc")


def test_prod_and_scans_take_a_single_int_dim():
    x = E.ones(2, 3)
    with pytest.raises(TypeError, match="must be int"):
        x.prod((0, 1))
    with pytest.raises(TypeError, match="must be int"):
        x.cumsum(None)
    with pytest.raises(TypeError):
        E.logsumexp(x)  # dim is required, as torch


def test_aminmax_forms():
    x = E.tensor([[2, 1, 0], [5, -1, 3]])
    r = E.aminmax(x)
    assert (r.min.item(), r.max.item()) == (-1, 5)
    assert r.min.dtype == E.int64
    r = x.aminmax(dim=1, keepdim=True)
    assert r.min.tolist() == [[0], [-1]] and r.max.tolist() == [[2], [5]]
    assert E.aminmax(x, keepdim=True).max.shape == (1, 1)


def test_median_of_bool_raises():
    with pytest.raises(NotImplementedError, match="Bool"):
        E.tensor([True, False]).median()


def test_case_ids_are_unique():
    ids = [c.id for c in TABLE]
    assert len(ids) == len(set(ids))


def test_table_covers_the_reductions():
    names = {c.name.split("_dim")[0].split("_p")[0] for c in TABLE}
    for op in ("sum", "mean", "nansum", "nanmean", "prod_all", "var", "std", "std_mean", "var_mean", "norm",
               "logsumexp", "softmax", "log_softmax", "cumsum", "cumprod", "amax", "aminmax", "median", "nanmedian"):
        assert any(n.startswith(op) for n in names), op


@pytest.mark.cuda
def test_reductions_on_cuda_match_cpu():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 4, 5))
    a.reshape(-1)[::7] = 0.0
    cpu, gpu = E.tensor(a), E.tensor(a, device="cuda")
    for fn in (lambda t: t.prod(1), lambda t: t.std(1), lambda t: t.norm(3, 2), lambda t: t.logsumexp(0),
               lambda t: t.cumprod(2), lambda t: t.softmax(1), lambda t: t.median(1).values,
               lambda t: t.median(1).indices, lambda t: t.max(0).indices, lambda t: E.aminmax(t).max):
        np.testing.assert_allclose(fn(gpu).cpu().numpy(), fn(cpu).numpy(), rtol=1e-10, atol=1e-12)
    x = E.tensor(a, device="cuda", requires_grad=True)
    x.cumprod(1).prod(2).sum().backward()
    y = E.tensor(a, requires_grad=True)
    y.cumprod(1).prod(2).sum().backward()
    np.testing.assert_allclose(x.grad.cpu().numpy(), y.grad.numpy(), rtol=1e-10, atol=1e-12)

