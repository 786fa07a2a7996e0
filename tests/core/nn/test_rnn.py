"""nn/modules/rnn.py and nn/functional/_rnn.py: RNN, LSTM, GRU and their cells against torch recordings,
gradcheck/gradgradcheck of the fused recurrence, torch's errors, dropout between layers, packing."""

import math
import warnings

import numpy as np
import pytest

import ember
import ember.nn as nn
from ember.autograd import gradcheck, gradgradcheck
from ember.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

from .seq_parity import cases_named, check_error, error_keys, meta, run_case

RNN_CASES = cases_named("rnn", "lstm", "gru")


@pytest.mark.parametrize("name", RNN_CASES)
def test_parity_with_torch(name):
    run_case(name)


@pytest.mark.parametrize("name", [p for p in RNN_CASES if p.values[0] in (
    "rnn_relu_2layer_hx", "rnn_packed", "lstm_proj_bidir_hx", "lstm_packed_unsorted_hx", "gru_2layer_bidir_hx",
    "gru_packed_unsorted", "lstmcell", "grucell_chain", "rnncell_unbatched")])
def test_differentiable_backward_matches_torch(name):
    """The create_graph path (Tensor-op BPTT) gives torch's gradients too."""
    run_case(name, create_graph=True)


@pytest.mark.parametrize("key", error_keys("rnn", "lstm", "gru"))
def test_errors_match_torch(key):
    check_error(key)


def test_reprs_match_torch():
    for expr, want in meta()["reprs"].items():
        if expr.startswith(("nn.RNN", "nn.LSTM", "nn.GRU")):
            assert repr(eval(expr, {"nn": nn})) == want


def test_state_dict_keys_and_shapes_match_torch():
    for expr, want in meta()["keys"].items():
        if expr.startswith("nn.LSTM"):
            sd = eval(expr, {"nn": nn}).state_dict()
            assert list(sd) == want["state"]
            assert [list(v.shape) for v in sd.values()] == want["shapes"]


def test_single_layer_dropout_warns_as_torch():
    expr, texts = meta()["warnings"]["rnn_dropout_one_layer"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        eval(expr, {"nn": nn})
    assert [str(w.message) for w in caught] == texts


# ------------------------------------------------------------------------------------------- gradcheck
def _f64(*shape, seed=0):
    return ember.tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)


def _functional(module, packed_lengths=None):
    """f(x, *states, *params) running `module` with the given parameters (gradcheck needs them as inputs)."""
    names = [n for n, _ in module.named_parameters()]

    def f(x, *rest):
        n_states = len(rest) - len(names)
        states, params = rest[:n_states], rest[n_states:]
        for n, p in zip(names, params):
            module._parameters[n] = p
        inp = pack_padded_sequence(x, packed_lengths, enforce_sorted=False) if packed_lengths else x
        hx = None if not states else states[0] if len(states) == 1 else tuple(states)
        out, h = module(inp, hx)
        out = out.data if isinstance(out, PackedSequence) else out
        return (out,) + (tuple(h) if isinstance(h, tuple) else (h,))

    params = [ember.tensor(p.detach().numpy().copy(), requires_grad=True) for p in module.parameters()]
    return f, params


@pytest.mark.parametrize("expr, x_shape, state_shapes, lengths", [
    ("nn.RNN(2, 2, num_layers=2, nonlinearity='relu')", (3, 2, 2), [(2, 2, 2)], None),
    ("nn.RNN(2, 2, bidirectional=True)", (3, 2, 2), [], [3, 1]),
    ("nn.LSTM(1, 2, num_layers=2)", (3, 1, 1), [(2, 1, 2), (2, 1, 2)], None),
    ("nn.LSTM(1, 2, bidirectional=True)", (3, 2, 1), [(2, 2, 2), (2, 2, 2)], [2, 3]),
    ("nn.LSTM(2, 3, proj_size=1)", (3, 1, 2), [(1, 1, 1), (1, 1, 3)], None),
    ("nn.GRU(1, 2, num_layers=2)", (3, 1, 1), [(2, 1, 2)], None),
    ("nn.GRU(1, 2, bidirectional=True)", (3, 2, 1), [(2, 2, 2)], [3, 2]),
])
def test_gradcheck_and_gradgradcheck(expr, x_shape, state_shapes, lengths):
    ember.manual_seed(0)
    module = eval(expr, {"nn": nn}).double()
    f, params = _functional(module, lengths)
    args = (_f64(*x_shape),) + tuple(_f64(*s, seed=i + 1) for i, s in enumerate(state_shapes)) + tuple(params)
    assert gradcheck(f, args)
    assert gradgradcheck(f, args)


@pytest.mark.parametrize("cell, states", [("nn.RNNCell(2, 3, nonlinearity='relu')", 1), ("nn.LSTMCell(2, 2)", 2),
                                          ("nn.GRUCell(2, 2)", 1)])
def test_cells_gradcheck_and_gradgradcheck(cell, states):
    ember.manual_seed(0)
    module = eval(cell, {"nn": nn}).double()
    names = [n for n, _ in module.named_parameters()]
    hid = module.hidden_size

    def f(x, *rest):
        for n, p in zip(names, rest[states:]):
            module._parameters[n] = p
        hx = rest[0] if states == 1 else (rest[0], rest[1])
        out = module(x, hx)
        return module(x, out) if states == 1 else module(x, out)  # two steps: the state feeds back

    params = [ember.tensor(p.detach().numpy().copy(), requires_grad=True) for p in module.parameters()]
    args = (_f64(2, 2),) + tuple(_f64(2, hid, seed=i + 1) for i in range(states)) + tuple(params)
    assert gradcheck(f, args)
    assert gradgradcheck(f, args)


# ------------------------------------------------------------------------------------------- behaviour
def test_default_init_is_uniform_in_inverse_sqrt_hidden():
    ember.manual_seed(0)
    lstm = nn.LSTM(10, 16, num_layers=2, bidirectional=True, proj_size=4)
    bound = 1 / math.sqrt(16)
    for name, p in lstm.named_parameters():
        v = p.detach().numpy()
        assert np.abs(v).max() <= bound and np.abs(v).max() > 0.8 * bound, name
    names = [n for n, _ in lstm.named_parameters()]
    assert names[:5] == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_hr_l0"]
    assert names[5] == "weight_ih_l0_reverse"
    assert lstm.weight_ih_l1.shape == (64, 8) and lstm.weight_hh_l1.shape == (64, 4)
    cell = nn.GRUCell(5, 9)
    assert np.abs(cell.weight_hh.detach().numpy()).max() <= 1 / 3


def test_flat_weights_follow_conversions_and_flatten_is_a_noop():
    gru = nn.GRU(3, 4, num_layers=2)
    gru.flatten_parameters()
    assert gru._flat_weights_names == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_ih_l1",
                                       "weight_hh_l1", "bias_ih_l1", "bias_hh_l1"]
    gru.double()
    assert all(w.dtype == ember.float64 for w in gru._flat_weights)
    assert [len(ws) for ws in gru.all_weights] == [4, 4] and gru.all_weights[1][0] is gru.weight_ih_l1
    out, h = gru(ember.randn(2, 1, 3, dtype=ember.float64))
    assert out.dtype == ember.float64 and h.shape == (2, 1, 4)


def test_dropout_between_layers_only_in_training():
    ember.manual_seed(0)
    lstm = nn.LSTM(3, 5, num_layers=2, dropout=0.5)
    plain = nn.LSTM(3, 5, num_layers=2)
    plain.load_state_dict(lstm.state_dict())
    x = ember.randn(4, 2, 3)
    ref = plain(x)[0].detach().numpy()
    lstm.eval()
    np.testing.assert_array_equal(lstm(x)[0].detach().numpy(), ref)
    lstm.train()
    out, (h, c) = lstm(x)
    assert not np.allclose(out.detach().numpy(), ref)
    out.sum().backward()
    assert lstm.weight_ih_l0.grad is not None and np.isfinite(lstm.weight_ih_l0.grad.numpy()).all()
    one = nn.GRU(3, 5, dropout=0.0)
    one.train()
    y1, y2 = one(x)[0], one(x)[0]
    np.testing.assert_array_equal(y1.detach().numpy(), y2.detach().numpy())


def test_packed_output_keeps_the_packing():
    ember.manual_seed(0)
    gru = nn.GRU(3, 4, bidirectional=True)
    x = ember.randn(5, 3, 3)
    packed = pack_padded_sequence(x, [2, 5, 3], enforce_sorted=False)
    out, h = gru(packed)
    assert isinstance(out, PackedSequence)
    assert out.batch_sizes.tolist() == packed.batch_sizes.tolist()
    assert out.sorted_indices.tolist() == packed.sorted_indices.tolist()
    padded, lengths = pad_packed_sequence(out)
    assert lengths.tolist() == [2, 5, 3] and padded.shape == (5, 3, 8)
    # each sequence alone gives the same outputs and final states
    for b, n in enumerate([2, 5, 3]):
        alone, h_alone = gru(x[:n, b:b + 1])
        np.testing.assert_allclose(padded[:n, b].detach().numpy(), alone[:, 0].detach().numpy(), rtol=1e-5,
                                   atol=1e-6)
        np.testing.assert_allclose(h[:, b].detach().numpy(), h_alone[:, 0].detach().numpy(), rtol=1e-5, atol=1e-6)
        assert not padded[n:, b].detach().numpy().any()


def _graph_node_names(t) -> list:
    seen, stack = set(), [t.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        stack.extend(fn for fn, _ in getattr(node, "next_functions", ()))  # leaves have none
    return [n.name() for n in seen]


def test_one_node_per_layer_and_direction():
    lstm = nn.LSTM(3, 4, num_layers=2, bidirectional=True)
    short = _graph_node_names(lstm(ember.randn(5, 2, 3))[0])
    long = _graph_node_names(lstm(ember.randn(40, 2, 3))[0])
    assert long.count("LstmLayerBackward") == 4
    assert sorted(short) == sorted(long)  # the graph does not grow with the sequence


def test_long_sequence_does_not_recurse():
    rnn = nn.RNN(2, 3)
    out, h = rnn(ember.randn(3000, 1, 2))
    out.sum().backward()
    assert np.isfinite(rnn.weight_hh_l0.grad.numpy()).all()


def test_weight_modified_in_place_after_forward_is_caught():
    gru = nn.GRU(2, 3)
    out, _ = gru(ember.randn(4, 1, 2))
    with ember.no_grad():
        gru.weight_hh_l0.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.sum().backward()


def test_no_graph_under_no_grad_and_grad_only_for_used_outputs():
    lstm = nn.LSTM(2, 3)
    with ember.no_grad():
        out, (h, c) = lstm(ember.randn(4, 2, 2))
    assert not out.requires_grad and out.grad_fn is None
    out, (h, c) = lstm(ember.randn(4, 2, 2))
    c.sum().backward()  # only c_n used: the other outputs' gradients are zero
    assert lstm.weight_hh_l0.grad is not None and lstm.weight_ih_l0.grad.abs().sum().item() > 0
