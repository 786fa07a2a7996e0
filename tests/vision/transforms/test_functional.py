"""transforms.functional against torchvision 0.29's recorded outputs (fixtures/make_transforms.py), plus errors."""

import importlib.util
import os

import numpy as np
import pytest
from PIL import Image

import ember
import embervision.transforms.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
VISION = os.path.dirname(HERE)


def _load_cases():
    spec = importlib.util.spec_from_file_location("vision_transform_cases", os.path.join(VISION, "transform_cases.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


CASES = _load_cases()
REF = np.load(os.path.join(VISION, "fixtures", "transforms.npz"))
INPUTS = CASES.inputs()


def convert(v):
    if isinstance(v, str) and v.startswith("IM:"):
        return F.InterpolationMode(v[3:])
    if isinstance(v, str) and v.startswith("DT:"):
        return getattr(ember, v[3:])
    if isinstance(v, str) and v.startswith("AR:"):
        return ember.from_numpy(CASES.arrays()[v[3:]].copy())
    return v


def to_array(out):
    if isinstance(out, (tuple, list)):
        return np.stack([to_array(o) for o in out])
    if isinstance(out, ember.Tensor):
        return out.numpy()
    assert isinstance(out, Image.Image)
    return np.asarray(out)


def make_input(name, device="cpu"):
    kind, arr = INPUTS[name]
    if kind == "tensor":
        return ember.from_numpy(arr.copy()).to(device)
    return Image.fromarray(arr)


def _cpu(out):
    if isinstance(out, ember.Tensor):
        return out.cpu()
    if isinstance(out, tuple):
        return tuple(_cpu(o) for o in out)
    return out


def _devices(out) -> set:
    if isinstance(out, ember.Tensor):
        return {out.device}
    if isinstance(out, tuple):
        return set().union(*(_devices(o) for o in out))
    return set()


def run_case(fn, inp, args, kwargs, device="cpu"):
    img = make_input(inp, device)
    out = getattr(F, fn)(img, *[convert(a) for a in args], **{k: convert(v) for k, v in kwargs.items()})
    if isinstance(img, ember.Tensor) and fn != "to_pil_image":
        assert _devices(out) == {img.device}
    return to_array(_cpu(out))


def check(name, fn, out):
    ref = REF[name]
    assert out.shape == ref.shape, f"{name}: shape {out.shape} != torchvision {ref.shape}"
    assert out.dtype == ref.dtype, f"{name}: dtype {out.dtype} != torchvision {ref.dtype}"
    if out.dtype.kind == "f":
        np.testing.assert_allclose(out, ref, rtol=1e-5, atol=3e-6, err_msg=name)
    elif fn in ("resize", "resized_crop") and out.dtype == np.uint8:
        # torch accumulates the float resampling in another order: a value at .5 may round the other way
        diff = np.abs(out.astype(np.int64) - ref.astype(np.int64))
        assert diff.max() <= 1 and (diff > 0).mean() < 0.005, f"{name}: max diff {diff.max()}"
    else:
        np.testing.assert_array_equal(out, ref, err_msg=name)


@pytest.mark.parametrize("name,fn,inp,args,kwargs", CASES.cases(), ids=[c[0] for c in CASES.cases()])
def test_matches_torchvision(name, fn, inp, args, kwargs):
    check(name, fn, run_case(fn, inp, args, kwargs))


GPU_CASES = [c for c in CASES.cases() if INPUTS[c[2]][0] == "tensor" and c[1] != "erase"][::3]


@pytest.mark.cuda
@pytest.mark.parametrize("name,fn,inp,args,kwargs", GPU_CASES, ids=[c[0] for c in GPU_CASES])
def test_matches_torchvision_on_gpu(name, fn, inp, args, kwargs):
    check(name, fn, run_case(fn, inp, args, kwargs, device="cuda"))


def test_fixture_covers_every_case():
    assert sorted(REF.files) == sorted(c[0] for c in CASES.cases())


# ------------------------------------------------------------------------------------------ behaviour


def test_normalize_keeps_autograd_and_input():
    x = ember.rand(3, 4, 5, dtype=ember.float64, requires_grad=True)
    y = F.normalize(x, [0.1, 0.2, 0.3], [0.5, 0.5, 2.0])
    y.sum().backward()
    expected = np.broadcast_to(np.array([2.0, 2.0, 0.5]).reshape(3, 1, 1), (3, 4, 5))
    np.testing.assert_allclose(x.grad.numpy(), expected)


def test_normalize_inplace():
    x = ember.ones(3, 2, 2)
    out = F.normalize(x, [1.0, 0.0, 0.0], [1.0, 1.0, 2.0], inplace=True)
    assert out is x
    np.testing.assert_allclose(x.numpy()[:, 0, 0], [0.0, 1.0, 0.5])


def test_resize_same_size_returns_input():
    x = ember.zeros(3, 8, 9)
    assert F.resize(x, [8, 9]) is x


def test_resize_max_size_caps_long_edge():
    x = ember.zeros(3, 10, 40, dtype=ember.uint8)
    assert tuple(F.resize(x, 8, max_size=16).shape) == (3, 4, 16)


def test_batched_matches_per_image():
    batch = make_input("u8b")
    out = F.rotate(batch, 25.0, F.InterpolationMode.BILINEAR)
    for i in range(2):
        np.testing.assert_array_equal(out[i].numpy(), F.rotate(batch[i], 25.0, F.InterpolationMode.BILINEAR).numpy())


def test_to_tensor_and_back_round_trip():
    img = make_input("pil")
    t = F.to_tensor(img)
    assert t.dtype == ember.float32 and tuple(t.shape) == (3, CASES.H, CASES.W)
    assert float(t.max()) <= 1.0
    np.testing.assert_array_equal(np.asarray(F.to_pil_image(F.pil_to_tensor(img))), np.asarray(img))


def test_to_tensor_ndarray():
    arr = np.arange(24, dtype=np.uint8).reshape(2, 4, 3)
    t = F.to_tensor(arr)
    np.testing.assert_allclose(t.numpy(), arr.transpose(2, 0, 1) / 255.0, rtol=1e-6)
    f = np.ones((2, 3), dtype=np.float32)
    assert F.to_tensor(f).dtype == ember.float32 and tuple(F.to_tensor(f).shape) == (1, 2, 3)


def test_convert_image_dtype_int_to_int():
    x = ember.tensor([[[0, 128, 255]]], dtype=ember.uint8)
    assert F.convert_image_dtype(x, ember.int16).tolist() == [[[0, 128 * 128, 255 * 128]]]
    y = ember.tensor([[[0, 32767]]], dtype=ember.int16)
    assert F.convert_image_dtype(y, ember.uint8).tolist() == [[[0, 255]]]


@pytest.mark.parametrize(
    "call,exc,match",
    [
        (lambda img: F.resize(img, [1, 2, 3]), ValueError, "1 or 2 element"),
        (lambda img: F.resize(img, [4, 4], max_size=9), ValueError, "max_size should only be passed"),
        (lambda img: F.resize(img, 4, max_size=4), ValueError, "strictly greater"),
        (lambda img: F.resize(img, 4, interpolation="cubic-ish"), TypeError, "interpolation"),
        (lambda img: F.resize(img, 4, interpolation=F.InterpolationMode.LANCZOS), ValueError, "unsupported"),
        (lambda img: F.pad(img, [1, 2, 3]), ValueError, "1, 2, or 4 element"),
        (lambda img: F.pad(img, 1, padding_mode="wrap"), ValueError, "constant, edge, reflect or symmetric"),
        (lambda img: F.pad(img, 30, padding_mode="reflect"), ValueError, "smaller than"),
        (lambda img: F.normalize(img, [0.5], [0.5]), TypeError, "float tensor"),
        (lambda img: F.normalize(img.float(), [0.5], [0.0]), ValueError, "division by zero"),
        (lambda img: F.adjust_hue(img, 0.7), ValueError, r"\[-0.5, 0.5\]"),
        (lambda img: F.adjust_brightness(img, -1), ValueError, "non-negative"),
        (lambda img: F.posterize(img.float(), 3), TypeError, "uint8"),
        (lambda img: F.equalize(img.float()), TypeError, "uint8"),
        (lambda img: F.solarize(img, 300), TypeError, "Threshold"),
        (lambda img: F.gaussian_blur(img, 4), ValueError, "odd and positive"),
        (lambda img: F.gaussian_blur(img, 3, -1.0), ValueError, "positive"),
        (lambda img: F.five_crop(img, 100), ValueError, "bigger than input size"),
        (lambda img: F.rotate(img, "30"), TypeError, "angle"),
        (lambda img: F.affine(img, 0.0, [1], 1.0, 0.0), ValueError, "translate"),
        (lambda img: F.affine(img, 0.0, [1, 1], 0.0, 0.0), ValueError, "scale should be positive"),
        (lambda img: F.affine(img, 0.0, [1, 1], 1.0, [1, 2, 3]), ValueError, "Shear"),
        (lambda img: F.rotate(img, 10.0, F.InterpolationMode.BICUBIC), ValueError, "unsupported"),
        (lambda img: F.rotate(img, 10.0, fill=[1.0, 2.0]), ValueError, "fill"),
        (lambda img: F.perspective(img, [[0, 0]] * 3, [[0, 0]] * 4), ValueError, "four corners"),
        (lambda img: F.convert_image_dtype(img.float(), ember.int64), RuntimeError, "cannot be performed safely"),
        (lambda img: F.to_pil_image(ember.zeros(5, 2, 2)), ValueError, "> 4 channels"),
        (lambda img: F.rgb_to_grayscale(ember.zeros(2, 4, 4)), TypeError, "channel"),
        (lambda img: F.hflip("not an image"), TypeError, "PIL Image or Tensor"),
        (lambda img: F.erase(F.to_pil_image(img), 0, 0, 1, 1, 0), TypeError, "Tensor Image"),
    ],
)
def test_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call(make_input("u8"))


def test_pil_fill_channel_mismatch():
    with pytest.raises(ValueError, match="does not match the number of channels"):
        F.rotate(make_input("pil"), 10.0, fill=[1, 2])


def test_pil_resize_warns_without_antialias():
    with pytest.warns(UserWarning, match="Anti-alias"):
        F.resize(make_input("pil"), [5, 5], antialias=False)
