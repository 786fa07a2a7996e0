"""backends/conv.py and backends/pooling.py: the array kernels against direct NumPy loops, on both the
stride-1 "wide" path and the strided path, with chunking forced so several chunks and a short last one run."""

import itertools

import numpy as np
import pytest

from ember.backends import conv as K
from ember.backends import pooling as P


def reference_conv(x, w, stride, pads, dilation, groups):
    """Direct sum over kernel offsets of x (N, C, *S) * w (O, C/groups, *K), float64."""
    D = x.ndim - 2
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0)) + tuple(pads))
    N, C = x.shape[:2]
    O, Kk = w.shape[0], w.shape[2:]
    OS = [(xp.shape[2 + d] - dilation[d] * (Kk[d] - 1) - 1) // stride[d] + 1 for d in range(D)]
    y = np.zeros((N, O) + tuple(OS))
    Cg, Og = C // groups, O // groups
    for idx in itertools.product(*[range(k) for k in Kk]):
        sl = tuple(slice(i * d, i * d + s * (n - 1) + 1, s) for i, d, s, n in zip(idx, dilation, stride, OS))
        xs = xp[(slice(None), slice(None)) + sl]
        for g in range(groups):
            wg = w[(slice(g * Og, (g + 1) * Og), slice(None)) + idx].astype(np.float64)
            y[:, g * Og:(g + 1) * Og] += np.einsum("oc,nc...->no...", wg, xs[:, g * Cg:(g + 1) * Cg])
    return y


GEOMETRIES = [
    # x shape, w shape, stride, pads, dilation, groups
    ((5, 4, 7, 6), (6, 2, 3, 2), (1, 1), ((1, 1), (0, 2)), (1, 2), 2),  # wide path, asymmetric pads
    ((5, 3, 9, 8), (4, 3, 3, 3), (2, 3), ((1, 0), (2, 1)), (1, 1), 1),  # strided path
    ((4, 3, 10), (6, 1, 3), (1,), ((2, 2),), (2,), 3),  # 1-D depthwise-ish
    ((3, 3, 10), (6, 3, 4), (3,), ((0, 1),), (1,), 1),
    ((3, 2, 5, 4, 6), (4, 2, 2, 3, 2), (1, 1, 1), ((1, 1), (0, 0), (1, 2)), (1, 1, 2), 1),  # 3-D wide
    ((3, 2, 5, 4, 6), (4, 1, 2, 3, 2), (2, 1, 2), ((1, 1), (0, 0), (1, 2)), (1, 1, 1), 2),  # 3-D strided
    ((7, 3, 5, 5), (4, 3, 1, 1), (1, 1), ((0, 0), (0, 0)), (1, 1), 1),  # 1x1
    ((3, 1, 6, 5), (6, 1, 3, 3), (1, 1), ((1, 1), (1, 1)), (1, 1), 1),  # O > 4C: input gradient by wide col2im
    ((2, 2, 4, 4), (3, 2, 2, 2), (1, 1), ((2, 2), (2, 1)), (1, 1), 1),  # padding past the kernel: col2im too
]


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    """A chunk budget of a few KB makes every geometry run in several chunks, the last one short."""
    monkeypatch.setattr(K, "_CHUNK_BYTES", 3000)


@pytest.mark.parametrize("geo", GEOMETRIES, ids=lambda g: "x".join(map(str, g[0])))
def test_forward_and_backward_match_direct_sums(geo):
    xs, ws, stride, pads, dil, groups = geo
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal(xs), rng.standard_normal(ws), rng.standard_normal(ws[0])
    y = K.conv_forward(x, w, stride, pads, dil, groups, bias=b)
    ref = reference_conv(x, w, stride, pads, dil, groups) + b.reshape((-1,) + (1,) * (len(xs) - 2))
    np.testing.assert_allclose(y, ref, rtol=1e-12, atol=1e-12)
    # the backward is the adjoint: <conv(x, w), g> = <x, gx> = <w, gw> for every x, w, so check on bases
    g = rng.standard_normal(y.shape)
    gx, gw = K.conv_backward(x, w, g, stride, pads, dil, groups, x.shape, w.shape)
    gx_ref = np.array([(reference_conv(e.reshape(xs), w, stride, pads, dil, groups) * g).sum()
                       for e in np.eye(x.size)]).reshape(xs)
    gw_ref = np.array([(reference_conv(x, e.reshape(ws), stride, pads, dil, groups) * g).sum()
                       for e in np.eye(w.size)]).reshape(ws)
    np.testing.assert_allclose(gx, gx_ref, rtol=1e-11, atol=1e-11)
    np.testing.assert_allclose(gw, gw_ref, rtol=1e-11, atol=1e-11)
    only_x, none_w = K.conv_backward(None, w, g, stride, pads, dil, groups, x.shape, w.shape, True, False)
    none_x, only_w = K.conv_backward(x, None, g, stride, pads, dil, groups, x.shape, w.shape, False, True)
    assert none_w is None and none_x is None
    np.testing.assert_array_equal(only_x, gx)
    np.testing.assert_array_equal(only_w, gw)


def test_float32_matches_float64():
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal((6, 5, 9, 9)), rng.standard_normal((7, 5, 3, 3))
    y64 = K.conv_forward(x, w, (1, 1), ((1, 1), (1, 1)), (1, 1), 1)
    y32 = K.conv_forward(x.astype(np.float32), w.astype(np.float32), (1, 1), ((1, 1), (1, 1)), (1, 1), 1)
    assert y32.dtype == np.float32
    np.testing.assert_allclose(y32, y64, rtol=1e-4, atol=1e-4)


def test_workspaces_do_not_leak_between_geometries():
    """Same buffer shapes, different padding: a reused zero-border buffer must not carry the old interior."""
    rng = np.random.default_rng(2)
    x, w = rng.standard_normal((2, 2, 6, 6)), rng.standard_normal((3, 2, 3, 3))
    a = K.conv_forward(x, w, (1, 1), ((2, 0), (1, 1)), (1, 1), 1)
    b = K.conv_forward(x, w, (1, 1), ((0, 2), (1, 1)), (1, 1), 1)
    np.testing.assert_allclose(a, reference_conv(x, w, (1, 1), ((2, 0), (1, 1)), (1, 1), 1), atol=1e-12)
    np.testing.assert_allclose(b, reference_conv(x, w, (1, 1), ((0, 2), (1, 1)), (1, 1), 1), atol=1e-12)
    again = K.conv_forward(x * 2, w, (1, 1), ((2, 0), (1, 1)), (1, 1), 1)
    np.testing.assert_allclose(again, 2 * a, atol=1e-12)


def test_out_spatial_limits_the_outputs():
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal((2, 2, 7, 7)), rng.standard_normal((3, 2, 3, 3))
    full = K.conv_forward(x, w, (1, 1), ((1, 1), (1, 1)), (2, 2), 1)
    part = K.conv_forward(x, w, (1, 1), ((1, 1), (1, 1)), (2, 2), 1, out_spatial=(3, 4))
    np.testing.assert_allclose(part, full[:, :, :3, :4], atol=1e-12)


def test_im2col_col2im_are_adjoint_and_match_unfold_layout():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 3, 7, 8))
    args = ((2, 3), (2, 1), ((1, 1), (0, 2)), (1, 2))
    cols = K.im2col(x, *args)
    # torch's unfold layout: row = c * kh * kw + i * kw + j, column = oh * OW + ow
    OH, OW = (7 + 2 - 2) // 2 + 1, (8 + 2 - 2 * 2 - 1) // 1 + 1
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (0, 2)))
    assert cols.shape == (2, 18, OH * OW)
    assert cols[1, 1 * 6 + 1 * 3 + 2, 2 * OW + 3] == xp[1, 1, 2 * 2 + 1, 3 + 2 * 2]
    g = rng.standard_normal(cols.shape)
    back = K.col2im(g, (7, 8), *args)
    np.testing.assert_allclose((cols * g).sum(), (x * back).sum(), rtol=1e-12)


def test_max_pool_kernel_picks_first_maximum_and_nan():
    x = np.array([[[1.0, 3.0, 3.0, 2.0, np.nan, 5.0, 5.0, 0.0]]])
    geo = P.PoolGeometry((8,), (2,), (2,), (0,), (1,), False)
    out, arg = P.max_pool_forward(x, geo)
    np.testing.assert_array_equal(out[0, 0, :2], [3.0, 3.0])
    assert np.isnan(out[0, 0, 2]) and out[0, 0, 3] == 5.0
    np.testing.assert_array_equal(arg[0, 0], [1, 0, 0, 0])
    np.testing.assert_array_equal(P.flat_indices(arg, geo)[0, 0], [1, 2, 4, 6])


def test_max_pool_all_neg_inf_window_points_inside_the_input():
    x = np.full((1, 1, 3), -np.inf)
    geo = P.PoolGeometry((3,), (3,), (2,), (1,), (1,), False)
    _, arg = P.max_pool_forward(x, geo)
    np.testing.assert_array_equal(P.flat_indices(arg, geo)[0, 0], [0, 1])


def test_avg_divisor_follows_torch_rules():
    # ceil_mode adds a last window starting inside the right padding: it counts up to the padding's end
    geo = P.PoolGeometry((6,), (3,), (2,), (1,), (1,), True)
    assert geo.OS == (4,)
    np.testing.assert_array_equal(P.avg_divisor(geo, True, None), [3, 3, 3, 2])
    np.testing.assert_array_equal(P.avg_divisor(geo, False, None), [2, 3, 3, 1])
    assert P.avg_divisor(P.PoolGeometry((5,), (3,), (2,), (1,), (1,), True), True, None) == 3.0
    assert P.avg_divisor(geo, True, 7) == 7.0


def test_adaptive_bounds_match_torch_formula():
    assert P.adaptive_bounds(7, 3) == [(0, 3), (2, 5), (4, 7)]
    assert P.adaptive_bounds(5, 5) == [(i, i + 1) for i in range(5)]


def test_tiny_workspace_budget_still_correct(monkeypatch):
    """With a budget smaller than one buffer, every call evicts: results must not depend on reuse."""
    monkeypatch.setattr(K, "_WORKSPACE_BYTES", 1)
    K._ws.buffers.clear()
    K._ws.nbytes = 0
    xs, ws, stride, pads, dil, groups = GEOMETRIES[0]
    rng = np.random.default_rng(5)
    x, w = rng.standard_normal(xs), rng.standard_normal(ws)
    for _ in range(2):
        y = K.conv_forward(x, w, stride, pads, dil, groups)
        np.testing.assert_allclose(y, reference_conv(x, w, stride, pads, dil, groups), atol=1e-12)
    assert len(K._ws.buffers) <= 1
