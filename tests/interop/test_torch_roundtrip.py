"""ember <-> torch checkpoints with real torch (the nox `interop` session installs torch 2.13 CPU).

The main test suite reads committed torch-written fixtures instead; these tests also write with
ember and read with torch, and write with torch and read with ember, for every tensor kind.
"""

import collections

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import ember  # noqa: E402

DTYPES = [(torch.float32, ember.float32), (torch.float64, ember.float64), (torch.float16, ember.float16),
          (torch.bfloat16, ember.bfloat16), (torch.int64, ember.int64), (torch.int32, ember.int32),
          (torch.int8, ember.int8), (torch.uint8, ember.uint8), (torch.bool, ember.bool)]


def _np(t):
    if isinstance(t, torch.Tensor):
        return (t.float() if t.dtype == torch.bfloat16 else t).detach().numpy()
    return (t.float() if t.dtype is ember.bfloat16 else t).detach().numpy()


@pytest.mark.parametrize("tdt, edt", DTYPES)
def test_ember_to_torch_every_dtype(tmp_path, tdt, edt):
    base = ember.arange(24).reshape(4, 6).to(edt)
    obj = {"x": base, "t": base.t(), "s": base[1:3, ::2], "n": 3}
    ember.save(obj, tmp_path / "e.pt")
    back = torch.load(tmp_path / "e.pt", weights_only=True)
    for k in ("x", "t", "s"):
        assert back[k].dtype == tdt and tuple(back[k].shape) == tuple(obj[k].shape)
        np.testing.assert_array_equal(_np(back[k]), _np(obj[k]))
    assert back["x"].untyped_storage().data_ptr() == back["t"].untyped_storage().data_ptr()


@pytest.mark.parametrize("legacy", [False, True])
@pytest.mark.parametrize("tdt, edt", DTYPES)
def test_torch_to_ember_every_dtype(tmp_path, tdt, edt, legacy):
    base = torch.arange(24).reshape(4, 6).to(tdt)
    obj = collections.OrderedDict(x=base, t=base.t(), s=base[1:3, ::2])
    torch.save(obj, tmp_path / "t.pt", _use_new_zipfile_serialization=not legacy)
    back = ember.load(tmp_path / "t.pt")
    for k in obj:
        assert back[k].dtype is edt
        np.testing.assert_array_equal(_np(back[k]), _np(obj[k]))


def test_nn_state_dicts_both_ways(tmp_path):
    nn = pytest.importorskip("ember.nn")
    torch.manual_seed(0)
    tm = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4), torch.nn.ReLU(),
                             torch.nn.Flatten(), torch.nn.LazyLinear(5))
    tm(torch.randn(2, 3, 8, 8))
    torch.save(tm.state_dict(), tmp_path / "t.pt")
    em = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(), nn.Linear(144, 5))
    em.load_state_dict(ember.load(tmp_path / "t.pt"))
    x = np.random.default_rng(0).standard_normal((2, 3, 8, 8)).astype(np.float32)
    tm.eval()
    em.eval()
    np.testing.assert_allclose(em(ember.tensor(x)).detach().numpy(), tm(torch.tensor(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-5)
    ember.save(em.state_dict(), tmp_path / "e.pt")
    tm.load_state_dict(torch.load(tmp_path / "e.pt", weights_only=True))


def test_optimizer_state_dict_both_ways(tmp_path):
    lin = torch.nn.Linear(3, 2)
    opt = torch.optim.Adam(lin.parameters(), lr=0.1)
    lin(torch.ones(4, 3)).sum().backward()
    opt.step()
    torch.save(opt.state_dict(), tmp_path / "o.pt")
    sd = ember.load(tmp_path / "o.pt")
    ember.save(sd, tmp_path / "o2.pt")
    back = torch.load(tmp_path / "o2.pt", weights_only=True)
    assert back["param_groups"] == opt.state_dict()["param_groups"]
    for i in (0, 1):
        for k, v in opt.state_dict()["state"][i].items():
            np.testing.assert_array_equal(back["state"][i][k].numpy(), v.numpy())


def test_safetensors_both_ways(tmp_path):
    st_torch = pytest.importorskip("safetensors.torch")
    import ember.safetensors as st

    st.save_file({"a": ember.arange(6.0).reshape(2, 3), "b": ember.ones(2, dtype=ember.bfloat16)}, tmp_path / "e.st")
    back = st_torch.load_file(str(tmp_path / "e.st"))
    assert back["a"].tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]] and back["b"].dtype == torch.bfloat16
    st_torch.save_file({"c": torch.arange(3)}, str(tmp_path / "t.st"))
    assert st.load_file(tmp_path / "t.st")["c"].tolist() == [0, 1, 2]
