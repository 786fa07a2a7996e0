"""repr(tensor) matches torch's exactly, against strings recorded by fixtures/make_repr.py."""

import json
import pathlib

import numpy as np
import pytest

import ember

FIXTURE = json.loads((pathlib.Path(__file__).parent / "fixtures" / "repr.json").read_text())


def _build(expr):
    return eval(expr, {"torch": ember})


def _expected(case):
    return case["repr"].replace("torch.", "ember.")


@pytest.mark.parametrize("case", FIXTURE["cases"], ids=[c["expr"] for c in FIXTURE["cases"]])
def test_repr_matches_torch(case):
    t = _build(case["expr"])
    assert repr(t) == _expected(case)
    assert str(t) == _expected(case)


@pytest.mark.parametrize("case", FIXTURE["option_cases"], ids=[f"{c['expr']}-{c['opts']}-{c['default_dtype']}"
                                                              for c in FIXTURE["option_cases"]])
def test_repr_with_print_options_matches_torch(case):
    ember.set_printoptions(**case["opts"])
    if case["default_dtype"]:
        ember.set_default_dtype(getattr(ember, case["default_dtype"]))
    try:
        assert repr(_build(case["expr"])) == _expected(case)
    finally:
        ember.set_printoptions(profile="default")
        ember.set_default_dtype(ember.float32)


def test_printoptions_context_restores():
    before = ember.get_printoptions()
    with ember.printoptions(precision=1):
        assert repr(ember.tensor([1.25, 2.5])) == "tensor([1.2, 2.5])"
    assert ember.get_printoptions() == before
    assert repr(ember.tensor([1.25, 2.5])) == "tensor([1.2500, 2.5000])"


def test_huge_vector_formats_only_edge_items(monkeypatch):
    from ember import _tensor_str

    seen = []
    real_format = _tensor_str._Formatter.format

    def counting_format(self, value):
        seen.append(value)
        return real_format(self, value)

    monkeypatch.setattr(_tensor_str._Formatter, "format", counting_format)
    text = repr(ember.arange(5_000_000, dtype=ember.float64))
    assert text == "tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 5.0000e+06, 5.0000e+06,\n        5.0000e+06],"\
        " dtype=ember.float64)"
    assert len(seen) == 6


def test_repr_of_noncontiguous_view_and_format():
    x = ember.arange(6).reshape(2, 3).t()
    assert repr(x) == "tensor([[0, 3],\n        [1, 4],\n        [2, 5]])"
    assert f"{ember.tensor(2.5):.2f}" == "2.50"
    assert np.isclose(float(f"{ember.tensor(1.0 / 3):.3f}"), 0.333)
