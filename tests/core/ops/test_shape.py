"""ops/shape.py: views and reshapes, joins and splits, repeats, flips, triangles and diagonals, against NumPy."""

import numpy as np
import pytest

import ember as E

from .harness import (UNARY, cases, forward_check, forward_params, grad_check, grad_params, gradgrad_check,
                      gradgrad_params)


def _split_at(sizes, axis=0):
    """np.split by piece sizes (torch's split_with_sizes)."""
    return lambda x: np.split(x, np.cumsum(sizes)[:-1], axis=axis)


def _repeat_interleave_ref(reps, axis):
    return lambda x: np.repeat(x, reps, axis=axis)


S23, S234 = (((2, 3),),), (((2, 3, 4),),)  # one input of that shape

TABLE = [
    # views and reshapes
    *cases("view", lambda x: x.view(3, 2), lambda x: x.reshape(3, 2), S23, noncontig=False),
    *cases("view_infer", lambda x: x.view(-1, 4), lambda x: x.reshape(-1, 4), S234, noncontig=False),
    *cases("view_0d", lambda x: x.view(1, 1), lambda x: x.reshape(1, 1), UNARY[1:], noncontig=False),
    *cases("view_as", lambda x: x.view_as(E.empty(6)), lambda x: x.reshape(6), S23, noncontig=False),
    *cases("reshape", lambda x: x.reshape(3, -1), lambda x: x.reshape(3, -1), S23 + S234),
    *cases("reshape_0d", lambda x: x.reshape(-1), lambda x: x.reshape(-1), UNARY),
    *cases("reshape_fn", lambda x: E.reshape(x, (4, 6)), lambda x: x.reshape(4, 6), S234),
    *cases("permute", lambda x: x.permute(2, 0, 1), lambda x: x.transpose(2, 0, 1), S234),
    *cases("permute_neg", lambda x: E.permute(x, (-1, 0, 1)), lambda x: x.transpose(2, 0, 1), S234),
    *cases("transpose", lambda x: x.transpose(0, -1), lambda x: np.swapaxes(x, 0, -1), S234),
    *cases("swapaxes", lambda x: E.swapaxes(x, 1, 2), lambda x: np.swapaxes(x, 1, 2), S234),
    *cases("t", lambda x: x.t(), lambda x: x.T, S23 + (((3,),),) + UNARY[1:]),
    *cases("T", lambda x: x.T, lambda x: x.T, S234 + S23),
    *cases("mT", lambda x: x.mT, lambda x: np.swapaxes(x, -1, -2), S234 + S23),
    *cases("movedim", lambda x: x.movedim(0, -1), lambda x: np.moveaxis(x, 0, -1), S234),
    *cases("movedim_multi", lambda x: E.movedim(x, (0, 1), (2, 0)), lambda x: np.moveaxis(x, (0, 1), (2, 0)), S234),
    *cases("expand", lambda x: x.expand(2, 3, 4), lambda x: np.broadcast_to(x, (2, 3, 4)), (((3, 1),),)),
    *cases("expand_keep", lambda x: x.expand(-1, 4), lambda x: np.broadcast_to(x, (3, 4)), (((3, 1),),)),
    *cases("expand_0d", lambda x: x.expand(3), lambda x: np.broadcast_to(x, (3,)), UNARY[1:]),
    *cases("expand_as", lambda x: x.expand_as(E.empty(2, 3)), lambda x: np.broadcast_to(x, (2, 3)), (((3,),),)),
    *cases("broadcast_to", lambda x: E.broadcast_to(x, (2, 2, 3)), lambda x: np.broadcast_to(x, (2, 2, 3)), S23),
    *cases("squeeze", lambda x: x.squeeze(), np.squeeze, (((1, 3, 1),),) + UNARY[1:]),
    *cases("squeeze_dim", lambda x: x.squeeze(0), lambda x: np.squeeze(x, 0), (((1, 3, 1),),)),
    *cases("squeeze_dims", lambda x: E.squeeze(x, (0, 2)), lambda x: np.squeeze(x, (0, 2)), (((1, 3, 1),),)),
    *cases("squeeze_noop", lambda x: x.squeeze(1), lambda x: x, (((1, 3, 1),),)),
    *cases("unsqueeze", lambda x: x.unsqueeze(1), lambda x: np.expand_dims(x, 1), S23),
    *cases("unsqueeze_neg", lambda x: E.unsqueeze(x, -1), lambda x: np.expand_dims(x, -1), S23 + UNARY[1:]),
    *cases("flatten", lambda x: x.flatten(), lambda x: x.reshape(-1), S234 + UNARY[1:]),
    *cases("flatten_range", lambda x: E.flatten(x, 0, 1), lambda x: x.reshape(6, 4), S234),
    *cases("flatten_start", lambda x: x.flatten(1), lambda x: x.reshape(2, 12), S234),
    *cases("ravel", E.ravel, np.ravel, S23),
    *cases("unflatten", lambda x: x.unflatten(2, (2, 2)), lambda x: x.reshape(2, 3, 2, 2), S234),
    *cases("unflatten_infer", lambda x: E.unflatten(x, -1, (-1, 2)), lambda x: x.reshape(2, 3, 2, 2), S234),
    *cases("reshape_as", lambda x: x.reshape_as(E.empty(3, 2)), lambda x: x.reshape(3, 2), S23),
    *cases("sum_to_size", lambda x: x.sum_to_size(2, 1), lambda x: x.sum(1, keepdims=True), S23),
    *cases("sum_to_size_lead", lambda x: x.sum_to_size((3, 1)), lambda x: x.sum((0, 2))[:, None], (((2, 3, 4),),)),
    *cases("atleast_2d", E.atleast_2d, np.atleast_2d, (((3,),),) + UNARY[1:]),
    *cases("atleast_3d", E.atleast_3d, np.atleast_3d, S23 + (((3,),),)),
    *cases("H", lambda x: x.H, lambda x: x.T, S23),
    *cases("mH", lambda x: x.mH, lambda x: np.swapaxes(x, -1, -2), S234),
    *cases("clone", E.clone, np.copy, S23 + UNARY[1:]),
    *cases("contiguous", lambda x: x.transpose(0, 1).contiguous(), lambda x: x.T.copy(), S23),
    # narrow / select / split family
    *cases("narrow", lambda x: x.narrow(0, 1, 2), lambda x: x[1:3], (((4, 3),),)),
    *cases("narrow_neg_start", lambda x: E.narrow(x, 1, -2, 2), lambda x: x[:, -2:], (((4, 3),),)),
    *cases("select", lambda x: x.select(1, -1), lambda x: x[:, -1], (((4, 3),),)),
    *cases("select_fn", lambda x: E.select(x, 0, 2), lambda x: x[2], (((4, 3),),)),
    *cases("split", lambda x: x.split(2), lambda x: np.split(x, [2, 4]), (((5, 3),),)),
    *cases("split_sizes", lambda x: E.split(x, [1, 4]), _split_at([1, 4]), (((5, 3),),)),
    *cases("split_dim", lambda x: x.split(2, dim=1), lambda x: np.split(x, [2], axis=1), (((2, 3),),)),
    *cases("split_with_sizes", lambda x: x.split_with_sizes([1, 2], dim=1), _split_at([1, 2], axis=1),
           (((2, 3),),)),
    # an empty piece: gradgradcheck would need a 0-element grad_output, which ember's gradcheck can't perturb
    *cases("split_empty_piece", lambda x: x.split_with_sizes([2, 0, 1], dim=1), _split_at([2, 0, 1], axis=1),
           (((2, 3),),), gradgrad=False),
    *cases("chunk", lambda x: x.chunk(3), lambda x: np.split(x, [2, 4]), (((5, 3),),)),
    *cases("chunk_dim", lambda x: E.chunk(x, 2, dim=-1), lambda x: np.split(x, [2], axis=-1), (((2, 3),),)),
    *cases("chunk_fewer", lambda x: x.chunk(4), lambda x: np.split(x, [2, 4]), (((6,),),)),
    *cases("tensor_split", lambda x: E.tensor_split(x, 3), lambda x: np.array_split(x, 3), (((7,),),)),
    *cases("unbind", lambda x: x.unbind(), list, S23),
    *cases("unbind_dim", lambda x: E.unbind(x, 1), lambda x: list(np.moveaxis(x, 1, 0)), S23),
    # joins
    *cases("cat", lambda x, y: E.cat([x, y]), lambda x, y: np.concatenate([x, y]), (((2, 3), (1, 3)),)),
    *cases("cat_dim", lambda x, y: E.cat((x, y), dim=-1), lambda x, y: np.concatenate([x, y], -1),
           (((2, 3), (2, 1)), ((2, 2, 1), (2, 2, 3)))),
    *cases("cat_three", lambda x, y, z: E.cat([x, y, z], 1), lambda x, y, z: np.concatenate([x, y, z], 1),
           (((2, 1), (2, 3), (2, 2)),)),
    *cases("cat_skips_empty_1d", lambda x, y: E.cat([x, y]), lambda x, y: x.copy(), (((2, 3), (0,)),),
           grad=False),
    *cases("concat", lambda x, y: E.concat([x, y], dim=1), lambda x, y: np.concatenate([x, y], 1),
           (((2, 3), (2, 3)),)),
    *cases("stack", lambda x, y: E.stack([x, y]), lambda x, y: np.stack([x, y]), (((2, 3), (2, 3)), ((), ()))),
    *cases("stack_dim", lambda x, y: E.stack([x, y], dim=-1), lambda x, y: np.stack([x, y], -1),
           (((2, 3), (2, 3)),)),
    *cases("hstack", lambda x, y: E.hstack([x, y]), lambda x, y: np.hstack([x, y]), (((2, 3), (2, 1)), ((3,), (2,)))),
    *cases("vstack", lambda x, y: E.vstack([x, y]), lambda x, y: np.vstack([x, y]), (((2, 3), (1, 3)), ((3,), (3,)))),
    *cases("dstack", lambda x, y: E.dstack([x, y]), lambda x, y: np.dstack([x, y]), (((2, 3), (2, 3)),)),
    *cases("column_stack", lambda x, y: E.column_stack([x, y]), lambda x, y: np.column_stack([x, y]),
           (((3,), (3, 2)),)),
    # repeats, flips, rolls
    *cases("repeat", lambda x: x.repeat(2, 1), lambda x: np.tile(x, (2, 1)), S23),
    *cases("repeat_new_dims", lambda x: x.repeat(2, 1, 2), lambda x: np.tile(x, (2, 1, 2)), S23),
    *cases("repeat_0d", lambda x: x.repeat(3), lambda x: np.tile(x, 3), UNARY[1:]),
    *cases("tile", lambda x: x.tile((2,)), lambda x: np.tile(x, 2), S23),
    *cases("tile_fn", lambda x: E.tile(x, (2, 1, 1)), lambda x: np.tile(x, (2, 1, 1)), S23),
    *cases("repeat_interleave", lambda x: E.repeat_interleave(x, 2), lambda x: np.repeat(x, 2), S23),
    *cases("repeat_interleave_dim", lambda x: x.repeat_interleave(2, dim=1), _repeat_interleave_ref(2, 1), S23),
    *cases("repeat_interleave_tensor", lambda x: x.repeat_interleave(E.tensor([1, 0, 3]), dim=1),
           _repeat_interleave_ref([1, 0, 3], 1), S23),
    *cases("repeat_interleave_0d", lambda x: x.repeat_interleave(3), lambda x: np.repeat(x, 3), UNARY[1:]),
    *cases("flip", lambda x: x.flip(0), lambda x: np.flip(x, 0), S234),
    *cases("flip_dims", lambda x: E.flip(x, (0, -1)), lambda x: np.flip(x, (0, 2)), S234),
    *cases("fliplr", E.fliplr, np.fliplr, S23),
    *cases("flipud", E.flipud, np.flipud, S23),
    *cases("roll", lambda x: x.roll(1), lambda x: np.roll(x, 1), (((3, 4),),)),
    *cases("roll_dim", lambda x: E.roll(x, -1, 1), lambda x: np.roll(x, -1, 1), (((3, 4),),)),
    *cases("roll_dims", lambda x: x.roll((1, -5), (0, 1)), lambda x: np.roll(x, (1, -5), (0, 1)), (((3, 4),),)),
    *cases("rot90", lambda x: E.rot90(x), np.rot90, S23),
    *cases("rot90_k", lambda x: E.rot90(x, -1, (1, 2)), lambda x: np.rot90(x, -1, (1, 2)), S234),
    # triangles and diagonals
    *cases("tril", lambda x: x.tril(), np.tril, (((3, 4),), ((2, 3, 4),))),
    *cases("tril_k", lambda x: E.tril(x, 1), lambda x: np.tril(x, 1), (((3, 4),),)),
    *cases("triu", lambda x: x.triu(), np.triu, (((3, 4),), ((2, 3, 4),))),
    *cases("triu_k", lambda x: E.triu(x, -1), lambda x: np.triu(x, -1), (((4, 3),),)),
    *cases("diagonal", lambda x: x.diagonal(), np.diagonal, (((3, 4),),)),
    *cases("diagonal_offset", lambda x: E.diagonal(x, 1), lambda x: np.diagonal(x, 1), (((3, 4),),)),
    *cases("diagonal_dims", lambda x: x.diagonal(0, 1, 2), lambda x: np.diagonal(x, 0, 1, 2), S234),
    *cases("diagonal_neg", lambda x: x.diagonal(-1, -1, 0), lambda x: np.diagonal(x, -1, 2, 0), S234),
    *cases("diag_vector", E.diag, np.diag, (((3,),),)),
    *cases("diag_vector_offset", lambda x: E.diag(x, -2), lambda x: np.diag(x, -2), (((3,),),)),
    *cases("diag_matrix", E.diag, np.diag, (((3, 4),),)),
    *cases("diag_matrix_offset", lambda x: x.diag(1), lambda x: np.diag(x, 1), (((3, 4),),)),
    *cases("diag_embed", E.diag_embed, lambda x: np.stack([np.diag(r) for r in x]), S23),
    *cases("trace", E.trace, np.trace, (((3, 4),),)),
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


# ---------------------------------------------------------------------------- views share memory
VIEWS = {
    "view": lambda x: x.view(6, 4),
    "view_as": lambda x: x.view_as(E.empty(4, 6)),
    "reshape": lambda x: x.reshape(4, 6),
    "permute": lambda x: x.permute(2, 0, 1),
    "transpose": lambda x: x.transpose(0, 2),
    "t_of_flatten": lambda x: x.flatten(1).t(),  # a view of a view
    "T": lambda x: x.T,
    "mT": lambda x: x.mT,
    "movedim": lambda x: x.movedim(0, 2),
    "squeeze": lambda x: x.unsqueeze(1).squeeze(1),
    "unsqueeze": lambda x: x.unsqueeze(0),
    "flatten": lambda x: x.flatten(),
    "unflatten": lambda x: x.unflatten(2, (2, 2)),
    "narrow": lambda x: x.narrow(1, 1, 2),
    "select": lambda x: x.select(2, 1),
    "split": lambda x: x.split(2, dim=2)[1],
    "chunk": lambda x: x.chunk(3, dim=1)[2],
    "unbind": lambda x: x.unbind(0)[1],
    "diagonal": lambda x: x.diagonal(0, 1, 2),
    "expand": lambda x: x.unsqueeze(0).expand(2, 2, 3, 4),
    "detach": lambda x: x.detach(),
}
NOT_VIEWS = {
    "cat": lambda x: E.cat([x, x]), "stack": lambda x: E.stack([x]), "repeat": lambda x: x.repeat(1, 1, 1),
    "tile": lambda x: x.tile((1,)), "flip": lambda x: x.flip(0), "roll": lambda x: x.roll(1),
    "tril": lambda x: x.tril(), "triu": lambda x: x.triu(), "diag": lambda x: x[0].diag(),
    "repeat_interleave": lambda x: x.repeat_interleave(1, dim=0), "clone": lambda x: x.clone(),
    "reshape_noncontiguous": lambda x: x.transpose(0, 1).reshape(-1),
    "flatten_noncontiguous": lambda x: x.transpose(1, 2).flatten(),
}


def _base():
    return E.tensor(np.arange(24.0).reshape(2, 3, 4))


@pytest.mark.parametrize("name", list(VIEWS))
def test_view_sees_changes_to_its_base(name):
    fn = VIEWS[name]
    base = _base()
    view = fn(base)
    assert view._base is base
    base.add_(100)
    np.testing.assert_array_equal(view.numpy(), fn(_base()).numpy() + 100)
    assert view._version == base._version == 1


@pytest.mark.parametrize("name", [n for n in VIEWS if n != "expand"])  # an expanded view isn't writable
def test_base_sees_changes_to_its_view(name):
    fn = VIEWS[name]
    base = _base()
    before = base.numpy().copy()
    view = fn(base)
    view.mul_(-1)
    assert base._version == 1
    # a fresh view reads the base's memory: it must show the negated values
    np.testing.assert_array_equal(fn(base).numpy(), -fn(_base()).numpy())
    assert (base.numpy() != before).any()


@pytest.mark.parametrize("name", list(NOT_VIEWS))
def test_copies_do_not_share_memory(name):
    fn = NOT_VIEWS[name]
    base = _base()
    out = fn(base)
    expected = out.numpy().copy()
    base.add_(100)
    np.testing.assert_array_equal(out.numpy(), expected)
    assert not np.shares_memory(out.numpy(), base.numpy())


def test_view_on_non_contiguous_raises_torch_error():
    x = E.ones(2, 3).t()
    with pytest.raises(RuntimeError, match=r"view size is not compatible with input tensor's size and stride "
                                           r"\(at least one dimension spans across two contiguous subspaces\)"
                                           r".*Use \.reshape\(\.\.\.\) instead"):
        x.view(6)
    assert x.reshape(6).tolist() == [1.0] * 6
    # views that keep the strides' structure are fine even when non-contiguous
    assert E.ones(4, 3)[::2].view(2, 3).shape == (2, 3)
    assert E.ones(2, 3, 4).transpose(0, 1).view(3, 2, 2, 2).shape == (3, 2, 2, 2)


def test_view_as_dtype_reinterprets_memory():
    x = E.tensor([1.0, -2.0], dtype=E.float32)
    bits = x.view(E.int32)
    np.testing.assert_array_equal(bits.numpy(), x.numpy().view(np.int32))
    assert bits._base is x
    bits.zero_()
    assert x.tolist() == [0.0, 0.0]


def test_contiguous():
    x = E.ones(2, 3)
    assert x.contiguous() is x
    y = x.t().contiguous()
    assert y.is_contiguous() and y.shape == (3, 2)


def test_view_gradient_flows_through_in_place_on_view():
    x = E.tensor(np.arange(6.0).reshape(2, 3), dtype=E.float64, requires_grad=True)
    y = x * 1
    y.select(0, 1).mul_(2)
    y.sum().backward()
    assert x.grad.tolist() == [[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]]


# ---------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("fn, error, match", [
    (lambda: E.ones(2, 3).view(4, 2), RuntimeError, r"shape '\[4, 2\]' is invalid for input of size 6"),
    (lambda: E.ones(2, 3).view(-1, -1), RuntimeError, "only one dimension can be inferred"),
    (lambda: E.ones(2, 3).permute(0), RuntimeError, "number of dimensions"),
    (lambda: E.ones(2, 3).permute(0, 0), RuntimeError, "duplicate dims"),
    (lambda: E.ones(2, 3).transpose(0, 2), IndexError, "Dimension out of range"),
    (lambda: E.ones(2, 3, 4).t(), RuntimeError, "t\\(\\) expects a tensor with <= 2 dimensions"),
    (lambda: E.ones(3).mT, RuntimeError, "only supported on matrices"),
    (lambda: E.ones(2, 3).expand(2, 4), RuntimeError, "expanded size of the tensor \\(4\\) must match the existing "
                                                      "size \\(3\\)"),
    (lambda: E.ones(2, 3).expand(3), RuntimeError, "must be greater or equal to the number of dimensions"),
    (lambda: E.ones(2).unsqueeze(3), IndexError, "Dimension out of range"),
    (lambda: E.ones(2, 3, 4).flatten(2, 1), RuntimeError, "start_dim cannot come after end_dim"),
    (lambda: E.ones(2, 6).unflatten(1, (4, 2)), RuntimeError, "don't multiply up to the size of dim"),
    (lambda: E.ones(4, 3).narrow(0, 3, 2), RuntimeError, "exceeds dimension size"),
    (lambda: E.ones(4, 3).select(1, 3), IndexError, "out of range"),
    (lambda: E.ones(()).select(0, 0), IndexError, "cannot be applied to a 0-dim tensor"),
    (lambda: E.ones(5).split([1, 1]), RuntimeError, "split_with_sizes expects split_sizes to sum exactly to 5"),
    (lambda: E.ones(5).chunk(0), RuntimeError, "chunk expects `chunks` to be greater than 0"),
    (lambda: E.cat([]), ValueError, "expected a non-empty list of Tensors"),
    (lambda: E.cat([E.ones(2, 3), E.ones(2, 4)]), RuntimeError,
     "Sizes of tensors must match except in dimension 0. Expected size 3 but got size 4 for tensor number 1"),
    (lambda: E.cat([E.ones(2, 3), E.ones(3)]), RuntimeError,
     "Tensors must have same number of dimensions: got 2 and 1"),
    (lambda: E.cat([E.ones(()), E.ones(())]), RuntimeError, "zero-dimensional tensor \\(at position 0\\) cannot be "
                                                            "concatenated"),
    (lambda: E.cat([E.ones(2, 3)], dim=2), IndexError, "Dimension out of range"),
    (lambda: E.stack([E.ones(2, 3), E.ones(3, 2)]), RuntimeError, "stack expects each tensor to be equal size, but "
                                                                 "got \\[2, 3\\] at entry 0 and \\[3, 2\\] at entry 1"),
    (lambda: E.ones(2, 3).repeat(2), RuntimeError, "can not be smaller than number of dimensions"),
    (lambda: E.ones(3).tril(), RuntimeError, "at least 2 dimensions"),
    (lambda: E.ones(2, 2, 2).diag(), RuntimeError, "Supports 1D or 2D tensors"),
    (lambda: E.ones(3, 4).roll((1, 2), 0), RuntimeError, "shifts and dimensions must align"),
    (lambda: E.ones(2, 3).repeat_interleave(E.tensor([1, 2]), dim=1), RuntimeError, "repeats must have the same size"),
], ids=lambda v: None)
def test_bad_input(fn, error, match):
    with pytest.raises(error, match=match):
        fn()


# ---------------------------------------------------------------------------- details
def test_chunk_of_empty_dim():
    pieces = E.ones(0).chunk(3)
    assert len(pieces) == 3 and all(p.shape == (0,) for p in pieces)


def test_repeat_interleave_counts_only():
    out = E.repeat_interleave(E.tensor([2, 0, 3]))
    assert out.tolist() == [0, 0, 2, 2, 2] and out.dtype == E.int64


def test_cat_promotes_dtypes():
    out = E.cat([E.ones(2, dtype=E.int64), E.ones(2, dtype=E.float32)])
    assert out.dtype == E.float32


def test_diag_embed_dims():
    x = E.tensor(np.arange(6.0).reshape(2, 3))
    out = E.diag_embed(x, 0, 0, 2)
    assert out.shape == (3, 2, 3)
    np.testing.assert_array_equal(out.numpy(), np.moveaxis(np.stack([np.diag(r) for r in x.numpy()]), 1, 0))


def test_broadcast_helpers():
    a, b = E.broadcast_tensors(E.ones(2, 1), E.ones(3))
    assert a.shape == b.shape == (2, 3)
    assert E.broadcast_shapes((2, 1), (3,), (1, 1, 1)) == (1, 2, 3)
    assert E.atleast_3d(E.ones(3)).shape == (1, 3, 1)


def test_tril_triu_keep_infinities_out_of_the_zeroed_part():
    x = E.full((3, 3), float("-inf"))
    assert E.isnan(x.triu(1)).sum().item() == 0 and x.triu(1)[1, 0].item() == 0.0
    assert E.isnan(x.tril()).sum().item() == 0 and x.tril()[0, 2].item() == 0.0
