"""ops/linalg.py: matmul in every rank combination, mm/bmm/mv/dot/outer, addmm & co., einsum, against NumPy."""

import numpy as np
import pytest

import ember as E

from .harness import (cases, forward_check, forward_params, grad_check, grad_params, gradgrad_check,
                      gradgrad_params)

# (a, b) shapes for matmul: 1-D and 2-D operands, batches, and batch broadcasting
MATMUL_SHAPES = (
    ((3,), (3,)),  # dot
    ((2, 3), (3,)),  # matrix @ vector
    ((3,), (3, 4)),  # vector @ matrix
    ((2, 3), (3, 4)),
    ((2, 2, 3), (3, 4)),  # batch @ matrix
    ((3,), (2, 3, 4)),  # vector @ batch
    ((2, 3, 4), (4,)),  # batch @ vector
    ((2, 2, 3), (2, 3, 4)),
    ((2, 1, 2, 3), (3, 3, 2)),  # batch dims broadcast: (2, 1) with (3,)
    ((1, 2, 3), (2, 3, 1)),
)

TABLE = [
    *cases("matmul", E.matmul, np.matmul, MATMUL_SHAPES),
    *cases("matmul_operator", lambda a, b: a @ b, np.matmul, MATMUL_SHAPES[3:4]),
    *cases("mm", E.mm, np.matmul, (((2, 3), (3, 4)),)),
    *cases("mm_method", lambda a, b: a.mm(b.t()), lambda a, b: a @ b.T, (((2, 3), (4, 3)),)),
    *cases("bmm", E.bmm, np.matmul, (((2, 2, 3), (2, 3, 4)),)),
    *cases("mv", E.mv, np.matmul, (((2, 3), (3,)),)),
    *cases("dot", E.dot, np.dot, (((3,), (3,)),)),
    *cases("inner", E.inner, np.inner, (((3,), (3,)),)),
    *cases("outer", E.outer, np.outer, (((3,), (2,)),)),
    *cases("ger", E.ger, np.outer, (((2,), (2,)),)),
    *cases("addmm", E.addmm, lambda c, a, b: c + a @ b, (((2, 4), (2, 3), (3, 4)), ((4,), (2, 3), (3, 4)))),
    *cases("addmm_scaled", lambda c, a, b: E.addmm(c, a, b, beta=0.5, alpha=-2),
           lambda c, a, b: 0.5 * c - 2 * (a @ b), (((2, 4), (2, 3), (3, 4)), ((), (2, 3), (3, 4)))),
    *cases("addmm_beta0", lambda c, a, b: E.addmm(c, a, b, beta=0), lambda c, a, b: a @ b,
           (((2, 4), (2, 3), (3, 4)),)),
    *cases("baddbmm", lambda c, a, b: E.baddbmm(c, a, b, alpha=2), lambda c, a, b: c + 2 * (a @ b),
           (((2, 2, 4), (2, 2, 3), (2, 3, 4)), ((2, 4), (2, 2, 3), (2, 3, 4)))),
    *cases("addmv", lambda c, a, b: E.addmv(c, a, b, beta=2), lambda c, a, b: 2 * c + a @ b,
           (((2,), (2, 3), (3,)),)),
    # einsum: explicit and implicit outputs, ellipses, traces/diagonals, 3 operands
    *cases("einsum_mm", lambda a, b: E.einsum("ij,jk->ik", a, b), lambda a, b: a @ b, (((2, 3), (3, 4)),)),
    *cases("einsum_implicit", lambda a, b: E.einsum("ij,jk", a, b), lambda a, b: a @ b, (((2, 3), (3, 4)),)),
    *cases("einsum_implicit_order", lambda a, b: E.einsum("ba,cb", a, b), lambda a, b: (b @ a).T,
           (((3, 2), (4, 3)),)),
    *cases("einsum_list", lambda a, b: E.einsum("ij,kj->ik", [a, b]), lambda a, b: a @ b.T, (((2, 3), (4, 3)),)),
    *cases("einsum_spaces", lambda a, b: E.einsum("b i j, b j k -> b i k", a, b), np.matmul,
           (((2, 2, 3), (2, 3, 4)),)),
    *cases("einsum_transpose", lambda a: E.einsum("ij->ji", a), lambda a: a.T.copy(), (((2, 3),),)),
    *cases("einsum_sum", lambda a: E.einsum("ij->", a), np.sum, (((2, 3),),)),
    *cases("einsum_row_sum", lambda a: E.einsum("ij->i", a), lambda a: a.sum(1), (((2, 3),),)),
    *cases("einsum_dot", lambda a, b: E.einsum("i,i->", a, b), np.dot, (((3,), (3,)),)),
    *cases("einsum_outer", lambda a, b: E.einsum("i,j", a, b), np.outer, (((3,), (2,)),)),
    *cases("einsum_hadamard", lambda a, b: E.einsum("ij,ij->ij", a, b), np.multiply, (((2, 3), (2, 3)),)),
    *cases("einsum_trace", lambda a: E.einsum("ii", a), np.trace, (((3, 3),),)),
    *cases("einsum_diagonal", lambda a: E.einsum("ii->i", a), lambda a: np.diagonal(a).copy(), (((3, 3),),)),
    *cases("einsum_batch_diagonal", lambda a: E.einsum("bii->bi", a), lambda a: np.einsum("bii->bi", a),
           (((2, 3, 3),),)),
    *cases("einsum_three", lambda a, b, c: E.einsum("ij,jk,kl->il", a, b, c), lambda a, b, c: a @ b @ c,
           (((2, 3), (3, 2), (2, 4)),)),
    *cases("einsum_three_implicit", lambda a, b, c: E.einsum("bn,anm,bm", a, b, c),
           lambda a, b, c: np.einsum("bn,anm,bm->a", a, b, c), (((2, 3), (4, 3, 2), (2, 2)),)),
    *cases("einsum_ellipsis", lambda a, b: E.einsum("...ij,...jk->...ik", a, b), np.matmul,
           (((2, 2, 3), (3, 4)), ((2, 1, 2, 3), (3, 3, 2)))),
    *cases("einsum_ellipsis_implicit", lambda a, b: E.einsum("...ij,...jk", a, b), np.matmul,
           (((2, 2, 3), (3, 4)),)),
    *cases("einsum_ellipsis_sum", lambda a: E.einsum("...->", a), np.sum, (((2, 3),),)),
    *cases("einsum_ellipsis_middle", lambda a: E.einsum("i...j->...", a), lambda a: a.sum((0, 2)),
           (((2, 3, 2),),)),
    *cases("einsum_broadcast_one", lambda a, b: E.einsum("ij,ij->ij", a, b), np.multiply, (((2, 1), (2, 3)),)),
]


@pytest.mark.parametrize("case, dtype", forward_params(TABLE))
def test_forward(case, dtype):
    forward_check(case, dtype)


@pytest.mark.parametrize("case", grad_params(TABLE))
def test_gradcheck(case):
    grad_check(case)


@pytest.mark.parametrize("case", gradgrad_params(TABLE))
def test_gradgradcheck(case):
    gradgrad_check(case)


# ---------------------------------------------------------------------------- dtypes
def test_integer_matmul_stays_integer():
    a = np.arange(6).reshape(2, 3)
    out = E.tensor(a) @ E.tensor(a.T.copy())
    assert out.dtype == E.int64
    np.testing.assert_array_equal(out.numpy(), a @ a.T)


def test_matmul_needs_one_dtype():
    with pytest.raises(RuntimeError, match="expected m1 and m2 to have the same dtype"):
        E.ones(2, 3) @ E.ones(3, 2, dtype=E.float64)
    with pytest.raises(RuntimeError, match="expected scalar type Float but found Double"):
        E.einsum("ij,jk", E.ones(2, 3), E.ones(3, 2, dtype=E.float64))


def test_einsum_result_does_not_alias_its_operand():
    a = E.ones(2, 3)
    out = E.einsum("ij->ji", a)
    out.add_(1)
    assert a.tolist() == [[1.0] * 3] * 2


def test_addmm_beta0_ignores_nan_input():
    out = E.addmm(E.full((2, 2), float("nan")), E.ones(2, 3), E.ones(3, 2), beta=0)
    assert out.tolist() == [[3.0, 3.0], [3.0, 3.0]]


# ---------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("fn, match", [
    (lambda: E.ones(2, 3) @ E.ones(2, 3), r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 2x3\)"),
    (lambda: E.ones(3) @ E.ones(4), r"inconsistent tensor size, expected tensor \[3\] and src \[4\].* 3 and 4"),
    (lambda: E.ones(2, 3) @ E.ones(4), r"shapes cannot be multiplied \(2x3 and 4x1\)"),
    (lambda: E.ones(2, 2, 3) @ E.ones(3, 3, 4), r"\[2, 2, 3\] and \[3, 3, 4\]"),
    (lambda: E.ones(()) @ E.ones(3), "both arguments to matmul need to be at least 1D"),
    (lambda: E.mm(E.ones(2, 3), E.ones(3)), "2D"),
    (lambda: E.bmm(E.ones(2, 2, 3), E.ones(3, 3, 4)), "batch1 and batch2 must have same number of batches"),
    (lambda: E.bmm(E.ones(2, 3), E.ones(2, 3, 4)), "batch1 must be a 3D tensor"),
    (lambda: E.mv(E.ones(2, 3), E.ones(2)), "cannot be multiplied"),
    (lambda: E.dot(E.ones(2, 3), E.ones(2, 3)), "1D tensors expected, but got 2D and 2D tensors"),
    (lambda: E.outer(E.ones(2, 3), E.ones(3)), "outer: Expected 1-D argument self, but got 2-D"),
    (lambda: E.addmm(E.ones(3, 3), E.ones(2, 3), E.ones(3, 2)), r"input of shape \[3, 3\].*\[2, 2\]"),
    (lambda: E.addmm(E.ones(2, 2, 2), E.ones(2, 3), E.ones(3, 2)), r"input of shape \[2, 2, 2\]"),
    (lambda: E.einsum("ij,jk->ik", E.ones(2, 3)), "fewer operands were provided"),
    (lambda: E.einsum("ij->ij", E.ones(2, 3), E.ones(2)), "more operands were provided"),
    (lambda: E.einsum("ij,jk->ik", E.ones(2, 3), E.ones(2, 3)),
     "subscript j has size 2 for operand 1 which does not broadcast with previously seen size 3"),
    (lambda: E.einsum("ijk->i", E.ones(2, 3)), r"number of subscripts in the equation \(3\) does not match the number "
                                               r"of dimensions \(2\) for operand 0"),
    (lambda: E.einsum("ij->k", E.ones(2, 3)), "output subscript k does not appear"),
    (lambda: E.einsum("ij->ii", E.ones(2, 3)), "output subscript appears more than once"),
], ids=lambda v: None)
def test_bad_input(fn, match):
    with pytest.raises(RuntimeError, match=match):
        fn()


def test_matmul_rejects_non_tensors():
    with pytest.raises(TypeError, match="must be Tensor"):
        E.matmul(E.ones(2, 2), [[1.0, 0.0], [0.0, 1.0]])
