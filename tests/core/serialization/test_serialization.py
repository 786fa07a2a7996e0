"""ember.save / ember.load: torch's formats read without torch, round trips, safety, crash safety."""

import collections
import io
import os
import pickle
import signal
import struct
import subprocess
import sys
import tarfile
import textwrap
import zipfile

import numpy as np
import pytest

import ember
from ember.serialization import CheckpointError, UnpicklingError

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")
EXPECTED = np.load(os.path.join(FIXTURES, "expected.npz"))


def as_numpy(t):
    a = t.detach().numpy()
    return a.astype(np.float32) if t.dtype is ember.bfloat16 else a


# ---------------------------------------------------------------------------- files written by torch
@pytest.mark.parametrize("name", ["torch_zip.pt", "torch_legacy.pt"])
def test_reads_torch_checkpoints(name):
    obj = ember.load(os.path.join(FIXTURES, name))
    sd = obj["model"]
    assert isinstance(sd, collections.OrderedDict)
    assert list(sd) == ["f32", "f64", "f16", "bf16", "i64", "i32", "i16", "i8", "u8", "bool", "scalar", "empty",
                        "base", "transposed", "row_slice", "col"]
    for k, t in sd.items():
        np.testing.assert_array_equal(as_numpy(t), EXPECTED[k], err_msg=k)
    assert sd["f16"].dtype is ember.float16 and sd["bf16"].dtype is ember.bfloat16 and sd["bool"].dtype is ember.bool
    assert sd["scalar"].shape == () and sd["empty"].shape == (0, 3)
    assert obj["epoch"] == 7 and obj["lr"] == 0.01 and obj["name"] == "run-1"
    assert obj["flags"] == [True, None, (1, 2.5)] and float(obj["step"]) == 12.0


def test_views_of_one_storage_share_memory_after_loading():
    sd = ember.load(os.path.join(FIXTURES, "torch_zip.pt"))["model"]
    sd["base"][1, 0] = 100.0
    assert float(sd["transposed"][0, 1]) == 100.0 and float(sd["row_slice"][0, 0]) == 100.0


def test_reads_torch_parameters_and_optimizer_state():
    params = ember.load(os.path.join(FIXTURES, "torch_params.pt"))
    assert params["weight"].requires_grad
    np.testing.assert_array_equal(params["weight"].detach().numpy(), EXPECTED["params_saved_weight"])
    opt = ember.load(os.path.join(FIXTURES, "torch_optim.pt"))
    assert opt["param_groups"][0]["params"] == [0, 1] and opt["param_groups"][0]["betas"] == (0.8, 0.9)
    np.testing.assert_array_equal(opt["state"][0]["exp_avg"].numpy(), EXPECTED["optim_exp_avg_0"])
    np.testing.assert_array_equal(opt["state"][1]["exp_avg_sq"].numpy(), EXPECTED["optim_exp_avg_sq_1"])


def test_mmap_load_maps_instead_of_reading():
    sd = ember.load(os.path.join(FIXTURES, "torch_zip.pt"), mmap=True)["model"]
    obj, chain = sd["f32"]._data, []
    while obj is not None:  # as_strided puts a helper object between the view and the memmap
        chain.append(obj)
        obj = getattr(obj, "base", None)
    import mmap

    # the chain ends in the file mapping (NumPy may hold it through a memoryview)
    assert any(isinstance(o, (np.memmap, mmap.mmap)) or (isinstance(o, memoryview) and isinstance(o.obj, mmap.mmap))
               for o in chain)
    np.testing.assert_array_equal(sd["f32"].numpy(), EXPECTED["f32"])


def test_map_location_forms():
    path = os.path.join(FIXTURES, "torch_zip.pt")
    for loc in ("cpu", ember.device("cpu"), {"cpu": "cpu"}, lambda storage, location: storage):
        sd = ember.load(path, map_location=loc)["model"]
        assert sd["f32"].device == ember.device("cpu")


# ---------------------------------------------------------------------------- round trips
def test_round_trip_keeps_dtypes_values_views_and_grad_flags(tmp_path):
    base = ember.arange(12.0).reshape(3, 4)
    obj = {
        "base": base, "t": base.t(), "row": base[1], "f16": ember.ones(3, dtype=ember.float16),
        "bf16": ember.tensor([1.5, -2.0], dtype=ember.bfloat16), "i64": ember.tensor([1, -2]),
        "b": ember.tensor([True]), "w": ember.randn(2, 2).requires_grad_(), "meta": {"n": 3, "s": "x"},
        "size": ember.Size([2, 3]), "dtype": ember.float64, "dev": ember.device("cpu"),
    }
    path = tmp_path / "ck.pt"
    ember.save(obj, path)
    back = ember.load(path)
    for k in ("base", "t", "row", "f16", "bf16", "i64", "b"):
        assert back[k].dtype is obj[k].dtype
        np.testing.assert_array_equal(as_numpy(back[k]), as_numpy(obj[k]))
    assert back["w"].requires_grad and back["meta"] == {"n": 3, "s": "x"}
    assert back["size"] == ember.Size([2, 3]) and back["dtype"] is ember.float64 and back["dev"] == "cpu"
    back["base"][0, 1] = -1.0
    assert float(back["t"][1, 0]) == -1.0  # one storage written once, views restored


def test_views_are_written_once(tmp_path):
    big = ember.zeros(1000)
    ember.save({"a": big, "b": big[10:20], "c": big[::2]}, tmp_path / "v.pt")
    with zipfile.ZipFile(tmp_path / "v.pt") as z:
        data = [i for i in z.infolist() if "/data/" in i.filename]
    assert len(data) == 1 and data[0].file_size == 4000


def test_records_are_64_byte_aligned(tmp_path):
    ember.save({"x": ember.ones(7), "y": ember.ones(3, dtype=ember.int64)}, tmp_path / "a.pt")
    with zipfile.ZipFile(tmp_path / "a.pt") as z, open(tmp_path / "a.pt", "rb") as f:
        for info in z.infolist():
            if "/data/" in info.filename:
                f.seek(info.header_offset + 26)
                n, m = struct.unpack("<HH", f.read(4))
                assert (info.header_offset + 30 + n + m) % 64 == 0


def test_save_to_and_load_from_file_objects():
    buf = io.BytesIO()
    ember.save({"x": ember.arange(3)}, buf)
    buf.seek(0)
    assert ember.load(buf)["x"].tolist() == [0, 1, 2]
    assert ember.load(buf.getvalue())["x"].tolist() == [0, 1, 2]


# ---------------------------------------------------------------------------- safety
class _Payload:
    def __init__(self, fn, args):
        self.fn, self.args = fn, args

    def __reduce__(self):
        return self.fn, self.args


def _zip_with_pickle(path, data_pkl: bytes):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("archive/data.pkl", data_pkl)
        z.writestr("archive/version", "3\n")


@pytest.mark.parametrize("fn_name", ["os.system", "builtins.eval", "subprocess.Popen", "builtins.exec"])
def test_malicious_globals_are_refused_without_running(tmp_path, fn_name):
    sentinel = tmp_path / "pwned"
    module, name = fn_name.split(".")
    fn = getattr(__import__(module), name)
    cmd = f"touch {sentinel}"
    args = {"os.system": (cmd,), "subprocess.Popen": ((["touch", str(sentinel)]),),
            "builtins.eval": (f"open({str(sentinel)!r}, 'w')",),
            "builtins.exec": (f"open({str(sentinel)!r}, 'w')",)}[fn_name]
    payload = pickle.dumps({"w": _Payload(fn, args)}, protocol=2)
    _zip_with_pickle(tmp_path / "evil.pt", payload)
    # protocol 2 spells some modules the Python 2 way (__builtin__, commands): any spelling is refused
    with pytest.raises(UnpicklingError, match=r"Weights only load failed.*references the global '[\w.]+\."
                                              r"(system|eval|exec|Popen)'"):
        ember.load(tmp_path / "evil.pt")
    assert not sentinel.exists()


def test_reduce_payload_in_legacy_format_is_refused(tmp_path):
    sentinel = tmp_path / "pwned"
    f = io.BytesIO()
    for header in (0x1950A86A20F9469CFC6C, 1001, {"protocol_version": 1001}):
        pickle.dump(header, f, protocol=2)
    pickle.dump(_Payload(os.system, (f"touch {sentinel}",)), f, protocol=2)
    (tmp_path / "evil_legacy.pt").write_bytes(f.getvalue())
    with pytest.raises(UnpicklingError, match="references the global"):
        ember.load(tmp_path / "evil_legacy.pt")
    assert not sentinel.exists()


def test_weights_only_false_is_the_explicit_opt_in(tmp_path):
    payload = pickle.dumps({"when": collections.Counter("aab")}, protocol=2)
    _zip_with_pickle(tmp_path / "counter.pt", payload)
    with pytest.raises(UnpicklingError, match="collections.Counter"):
        ember.load(tmp_path / "counter.pt")
    assert ember.load(tmp_path / "counter.pt", weights_only=False)["when"]["a"] == 2


def test_truncated_zip_is_a_clear_error(tmp_path):
    ember.save({"x": ember.ones(1000)}, tmp_path / "ok.pt")
    raw = (tmp_path / "ok.pt").read_bytes()
    (tmp_path / "cut.pt").write_bytes(raw[: len(raw) // 2])
    with pytest.raises((CheckpointError, UnpicklingError), match="cut.pt"):
        ember.load(tmp_path / "cut.pt")


def test_zip_entry_escaping_the_archive_is_refused(tmp_path):
    with zipfile.ZipFile(tmp_path / "esc.pt", "w") as z:
        z.writestr("archive/data.pkl", pickle.dumps({}, protocol=2))
        z.writestr("../../etc/evil", b"x")
    with pytest.raises(CheckpointError, match="escapes the archive"):
        ember.load(tmp_path / "esc.pt")


def test_storage_smaller_than_tensor_is_refused(tmp_path):
    ember.save({"x": ember.ones(4)}, tmp_path / "a.pt")
    with zipfile.ZipFile(tmp_path / "a.pt") as z:
        records = {i.filename: z.read(i) for i in z.infolist()}
    pkl = records["a/data.pkl"].replace(b"K\x04", b"K\x40")  # claim 64 elements instead of 4
    with zipfile.ZipFile(tmp_path / "b.pt", "w") as z:
        for name, data in records.items():
            z.writestr("b/" + name[2:], pkl if name.endswith("data.pkl") else data)
    with pytest.raises((CheckpointError, UnpicklingError), match="elements|bytes"):
        ember.load(tmp_path / "b.pt")


# ---------------------------------------------------------------------------- the old tar format
def _tar_checkpoint(path):
    """A checkpoint in torch's oldest (tar) layout, built member by member as torch's reader expects."""
    values = np.arange(6, dtype=np.float32)

    def pk(*objs):
        b = io.BytesIO()
        for o in objs:
            pickle.dump(o, b, protocol=2)
        return b

    storages = io.BytesIO()
    pickle.dump(1, storages, protocol=2)
    storages.write(b"\x80\x02(X\x01\x00\x00\x00kX\x03\x00\x00\x00cpuctorch\nFloatStorage\nt.")
    storages.write(struct.pack("<q", 6) + values.tobytes())
    pickle.dump([], storages, protocol=2)
    tensors = pk(1, (5, "k", None))
    tensors.write(struct.pack("<i", 2) + b"\0" * 4 + struct.pack("<2q", 2, 3) + struct.pack("<2q", 3, 1)
                  + struct.pack("<q", 0))
    main = b"\x80\x02}X\x01\x00\x00\x00wX\x01\x00\x00\x005Qs."  # {'w': persistent_load('5')}
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in (("sys_info", pk({}).getvalue()), ("storages", storages.getvalue()),
                           ("tensors", tensors.getvalue()), ("pickle", main)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return values.reshape(2, 3)


def test_reads_legacy_tar_format(tmp_path):
    expected = _tar_checkpoint(tmp_path / "old.tar.pt")
    out = ember.load(tmp_path / "old.tar.pt")
    np.testing.assert_array_equal(out["w"].numpy(), expected)


# ---------------------------------------------------------------------------- crash safety
def test_killed_save_leaves_previous_checkpoint_intact(tmp_path):
    path = tmp_path / "model.pt"
    ember.save({"v": ember.full((10,), 1.0)}, path)
    child = textwrap.dedent(f"""
        import time, ember
        from ember.serialization import _zipformat
        real = _zipformat.AlignedZipWriter.write
        def slow(self, name, data):
            real(self, name, data)
            if name.startswith("data/"):
                print("writing", flush=True)
                time.sleep(60)
        _zipformat.AlignedZipWriter.write = slow
        ember.save({{"v": ember.full((1_000_000,), 2.0)}}, {str(path)!r})
    """)
    proc = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "writing"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    back = ember.load(path)
    assert back["v"].tolist() == [1.0] * 10
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "model.pt"]
    assert all(name.endswith(".tmp") for name in leftovers)


def test_torch_optimizer_state_dict_loads_into_ember_optimizer(tmp_path):
    sd = ember.load(os.path.join(FIXTURES, "torch_optim.pt"))
    w = ember.zeros(2, 3, requires_grad=True)
    b = ember.zeros(2, requires_grad=True)
    opt = ember.optim.Adam([w, b], lr=0.5)
    opt.load_state_dict(sd)
    assert opt.param_groups[0]["lr"] == 0.1 and opt.param_groups[0]["betas"] == (0.8, 0.9)
    np.testing.assert_array_equal(opt.state[w]["exp_avg"].numpy(), EXPECTED["optim_exp_avg_0"])
    # and back out through ember.save in torch's layout
    ember.save(opt.state_dict(), tmp_path / "opt.pt")
    again = ember.load(tmp_path / "opt.pt")
    assert again["param_groups"][0]["params"] == [0, 1]
    np.testing.assert_array_equal(again["state"][1]["exp_avg_sq"].numpy(), EXPECTED["optim_exp_avg_sq_1"])
