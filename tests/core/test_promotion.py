"""Type promotion of `a + b`, `a * b`, `a / b` against torch's table (fixtures/make_promotion.py), and broadcasting."""

import json
import pathlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, mutually_broadcastable_shapes

import ember as E

FIXTURE = json.loads((pathlib.Path(__file__).parent / "fixtures" / "promotion.json").read_text())
CASES = FIXTURE["cases"]
OPS = {"add": lambda a, b: a + b, "mul": lambda a, b: a * b, "div": lambda a, b: a / b}
KEY = {(c["op"], c["kind_a"], c["dtype_a"], c["kind_b"], c["dtype_b"]): c for c in CASES}


def _operand(kind, dtype):
    if kind == "python":
        return FIXTURE["python_scalars"][dtype]
    shape = (2,) if kind == "tensor" else ()
    return E.full(shape, FIXTURE["tensor_value"], dtype=getattr(E, dtype))


def _check(case):
    a, b = _operand(case["kind_a"], case["dtype_a"]), _operand(case["kind_b"], case["dtype_b"])
    where = f"{case['kind_a']} {case['dtype_a']} {case['op']} {case['kind_b']} {case['dtype_b']}"
    if "error" in case:
        with pytest.raises(Exception) as info:
            OPS[case["op"]](a, b)
        assert type(info.value).__name__ == case["error"], where
        return
    out = OPS[case["op"]](a, b)
    assert out.dtype.name == case["result"], f"{where}: {out.dtype.name}, torch gives {case['result']}"
    assert list(out.shape) == case["shape"], where
    np.testing.assert_allclose(out.numpy().astype(np.float64).reshape(-1), case["values"], rtol=1e-3, err_msg=where)


def test_fixture_covers_every_pair():
    dtypes = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
    kinds = [(k, d) for k in ("tensor", "zerodim") for d in dtypes] + [("python", p) for p in FIXTURE["python_scalars"]]
    for op in OPS:
        for ka in kinds:
            for kb in kinds:
                if ka[0] == kb[0] == "python":
                    continue
                assert (op, *ka, *kb) in KEY


@settings(max_examples=300, deadline=None)
@given(case=st.sampled_from(CASES))
def test_promotion_matches_torch(case):
    """Random (op, kind, dtype) pairs: result dtype, shape and values are torch's."""
    _check(case)


def test_promotion_matches_torch_exhaustively():
    """Every recorded pair once (cheap), so a failure doesn't depend on what hypothesis happens to draw."""
    for case in CASES:
        _check(case)


@settings(max_examples=200, deadline=None)
@given(shapes=mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=3),
       op=st.sampled_from(sorted(OPS)))
def test_broadcast_shapes_match_numpy(shapes, op):
    sa, sb = shapes.input_shapes
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(sa), rng.uniform(1, 2, sb)
    out = OPS[op](E.tensor(a), E.tensor(b))
    assert tuple(out.shape) == np.broadcast_shapes(sa, sb) == shapes.result_shape
    np.testing.assert_allclose(out.numpy(), OPS[op](a, b))


@settings(max_examples=200, deadline=None)
@given(sa=array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4),
       sb=array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4), op=st.sampled_from(sorted(OPS)))
def test_shapes_that_do_not_broadcast_raise_naming_both(sa, sb, op):
    a, b = E.ones(sa), E.ones(sb)
    try:
        expected = np.broadcast_shapes(sa, sb)
    except ValueError:
        with pytest.raises(RuntimeError) as info:
            OPS[op](a, b)
        msg = str(info.value)
        assert "must match the size of tensor b" in msg
        assert str(list(sa)) in msg and str(list(sb)) in msg
        return
    assert tuple(OPS[op](a, b).shape) == expected
