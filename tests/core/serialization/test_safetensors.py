"""ember.safetensors: round trips, files written by the safetensors package, header validation."""

import json
import os
import struct

import numpy as np
import pytest

import ember
import ember.safetensors as st

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")


def test_round_trip_with_metadata_all_dtypes(tmp_path):
    tensors = {name: ember.arange(6).reshape(2, 3).to(dt) for name, dt in [
        ("f64", ember.float64), ("f32", ember.float32), ("f16", ember.float16), ("bf16", ember.bfloat16),
        ("i64", ember.int64), ("i32", ember.int32), ("i16", ember.int16), ("i8", ember.int8), ("u8", ember.uint8),
        ("b", ember.bool)]}
    tensors["t"] = ember.arange(6.0).reshape(2, 3).t()  # non-contiguous input
    st.save_file(tensors, tmp_path / "m.safetensors", metadata={"format": "pt"})
    back = st.load_file(tmp_path / "m.safetensors")
    assert set(back) == set(tensors)
    for k, t in tensors.items():
        assert back[k].dtype is t.dtype and back[k].shape == t.shape
        assert back[k].float().tolist() == t.float().tolist()
    assert st.load_metadata(tmp_path / "m.safetensors") == {"format": "pt"}
    back["f32"][0, 0] = 5  # loaded tensors are writable
    assert st.load(st.save(tensors))["i64"].tolist() == tensors["i64"].tolist()


def test_reads_file_written_by_safetensors_package():
    back = st.load_file(os.path.join(FIXTURES, "torch.safetensors"))
    expected = np.load(os.path.join(FIXTURES, "safetensors_expected.npz"))
    for k in expected.files:
        a = back[k].float().numpy() if back[k].dtype is ember.bfloat16 else back[k].numpy()
        np.testing.assert_array_equal(a, expected[k])
    assert st.load_metadata(os.path.join(FIXTURES, "torch.safetensors")) == {"source": "torch"}


def test_safe_open_reads_one_tensor_lazily(tmp_path):
    st.save_file({"a": ember.ones(3), "b": ember.zeros(2)}, tmp_path / "x.safetensors")
    with st.safe_open(tmp_path / "x.safetensors", framework="pt") as f:
        assert f.keys() == ["a", "b"]
        assert f.get_tensor("b").tolist() == [0.0, 0.0]
        with pytest.raises(KeyError, match="no tensor named 'c'"):
            f.get_tensor("c")


def _write_raw(path, header: dict, data: bytes):
    raw = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + data)


@pytest.mark.parametrize("header, data, message", [
    ({"x": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}, b"\0" * 8, "outside the 8 bytes"),
    ({"x": {"dtype": "F32", "shape": [4], "data_offsets": [0, 12]}}, b"\0" * 16, "needs 16 bytes"),
    ({"x": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
      "y": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}, b"\0" * 16, "overlap"),
    ({"x": {"dtype": "C64", "shape": [1], "data_offsets": [0, 8]}}, b"\0" * 8, "bad header entry"),
])
def test_bad_headers_are_refused(tmp_path, header, data, message):
    _write_raw(tmp_path / "bad.safetensors", header, data)
    with pytest.raises(st.SafetensorError, match=message):
        st.load_file(tmp_path / "bad.safetensors")


def test_header_length_past_end_of_file(tmp_path):
    (tmp_path / "h.safetensors").write_bytes(struct.pack("<Q", 10_000) + b"{}")
    with pytest.raises(st.SafetensorError, match="past the end of the file"):
        st.load_file(tmp_path / "h.safetensors")


def test_module_state_dict_through_safetensors_and_torch_format(tmp_path):
    nn = ember.nn
    ember.manual_seed(0)
    src = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2))
    src.train()(ember.randn(5, 3))  # moves BatchNorm's running stats away from their defaults
    st.save_file(src.state_dict(), tmp_path / "m.safetensors")
    ember.save(src.state_dict(), tmp_path / "m.pt")
    x = ember.randn(2, 3)
    src.eval()
    for loaded in (st.load_file(tmp_path / "m.safetensors"), ember.load(tmp_path / "m.pt")):
        dst = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2))
        result = dst.load_state_dict(loaded)
        assert list(result.missing_keys) == [] and list(result.unexpected_keys) == []
        np.testing.assert_array_equal(dst.eval()(x).detach().numpy(), src(x).detach().numpy())
