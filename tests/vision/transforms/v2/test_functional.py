"""transforms.v2.functional on tv_tensors against torchvision 0.29's recorded outputs (boxes, masks, uint8 resize)."""

import importlib.util
import os

import numpy as np
import pytest

import ember
from embervision import tv_tensors as tv
from embervision.transforms.v2 import functional as F

VISION = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_spec = importlib.util.spec_from_file_location("vision_transform_cases_v2", os.path.join(VISION, "transform_cases.py"))
CASES = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(CASES)
REF = np.load(os.path.join(VISION, "fixtures", "transforms_v2.npz"))


def make(inp):
    kind, arr, fmt = CASES.v2_inputs()[inp]
    t = ember.from_numpy(arr.copy())
    if kind == "boxes":
        return tv.BoundingBoxes(t, format=fmt, canvas_size=(CASES.H, CASES.W))
    return tv.Mask(t) if kind == "mask" else tv.Image(t)


def convert(v):
    if isinstance(v, str) and v.startswith("DT:"):
        return getattr(ember, v[3:])
    if isinstance(v, str) and v.startswith("IM:"):
        return F.InterpolationMode(v[3:])
    if isinstance(v, str) and v.startswith("AR:"):
        return ember.from_numpy(CASES.arrays()[v[3:]].copy())
    if isinstance(v, str) and v.startswith("BF:"):
        return tv.BoundingBoxFormat[v[3:]]
    return v


def assert_matches(name, arr, ref):
    assert arr.shape == ref.shape and arr.dtype == ref.dtype, (name, arr.shape, ref.shape, arr.dtype, ref.dtype)
    if arr.dtype.kind == "f":
        np.testing.assert_allclose(arr, ref, rtol=1e-5, atol=1e-4, err_msg=name)
    else:
        np.testing.assert_array_equal(arr, ref, err_msg=name)


@pytest.mark.parametrize("name,fn,inp,args,kwargs", CASES.v2_cases(), ids=[c[0] for c in CASES.v2_cases()])
def test_matches_torchvision(name, fn, inp, args, kwargs):
    obj = make(inp)
    out = getattr(F, fn)(obj, *[convert(a) for a in args], **{k: convert(v) for k, v in kwargs.items()})
    assert type(out) is type(obj), f"{name}: the result keeps its tv_tensor type"
    assert_matches(name, out.as_subclass(ember.Tensor).numpy(), REF[name])
    if isinstance(out, tv.BoundingBoxes):
        assert tuple(out.canvas_size) == tuple(REF[name + ".canvas"])
        assert out.format == obj.format or fn == "convert_bounding_box_format"


@pytest.mark.parametrize("name,fn,inp,args,kwargs", CASES.v2_kernel_cases(),
                         ids=[c[0] for c in CASES.v2_kernel_cases()])
def test_kernels_match_torchvision(name, fn, inp, args, kwargs):
    _, arr, _ = CASES.v2_inputs()[inp]
    out = getattr(F, fn)(ember.from_numpy(arr.copy()), *[convert(a) for a in args],
                         **{k: convert(v) for k, v in kwargs.items()})
    if name + ".canvas" in REF.files:  # box kernels that change the canvas return (boxes, canvas_size)
        out, canvas = out
        assert tuple(canvas) == tuple(REF[name + ".canvas"])
    elif name + ".valid" in REF.files:
        out, valid = out
        np.testing.assert_array_equal(valid.numpy(), REF[name + ".valid"])
    if isinstance(out, tuple):
        assert all(type(o) is ember.Tensor for o in out)
        out = ember.stack(list(out))
    if isinstance(out, ember.Tensor):
        assert type(out) is ember.Tensor, f"{name}: kernels return plain tensors"
        out = out.numpy()
    assert_matches(name, np.asarray(out), REF[name])


def test_fixture_covers_every_case():
    names = {c[0] for c in CASES.v2_cases()} | {c[0] for c in CASES.v2_kernel_cases()}
    recorded = {k.split(".")[0] for k in REF.files}
    assert recorded == names


def test_colour_functionals_refuse_masks_and_boxes():
    with pytest.raises(TypeError, match="Mask"):
        F.adjust_brightness(make("mask"), 0.5)
    with pytest.raises(TypeError, match="BoundingBoxes"):
        F.normalize(make("boxes_xyxy"), [0.5], [0.5])
    assert F.passthrough(F.adjust_brightness, make("mask"), 0.5).dtype == ember.uint8


def test_resize_with_only_max_size():
    img = tv.Image(ember.zeros(3, 10, 40, dtype=ember.uint8))
    assert tuple(F.resize(img, None, max_size=20).shape) == (3, 5, 20)


def test_to_image_from_ndarray_and_pil():
    arr = np.arange(24, dtype=np.uint8).reshape(2, 4, 3)
    img = F.to_image(arr)
    assert isinstance(img, tv.Image) and tuple(img.shape) == (3, 2, 4)
    np.testing.assert_array_equal(F.to_image(F.to_pil_image(img)).numpy(), img.numpy())


def test_gaussian_noise_needs_float():
    with pytest.raises(ValueError, match="float"):
        F.gaussian_noise(tv.Image(ember.zeros(3, 2, 2, dtype=ember.uint8)))
    ember.manual_seed(0)
    out = F.gaussian_noise(tv.Image(ember.full((3, 8, 8), 0.5)), sigma=0.1)
    assert isinstance(out, tv.Image) and 0.0 <= float(out.min()) and float(out.max()) <= 1.0
    assert 0.05 < float(out.std()) < 0.15


def test_kernel_names_and_signatures_follow_torchvision():
    import inspect

    assert list(inspect.signature(F.resize_image).parameters)[:2] == ["image", "size"]
    assert list(inspect.signature(F.resize_video).parameters)[:2] == ["video", "size"]
    assert list(inspect.signature(F.resize_bounding_boxes).parameters) == [
        "bounding_boxes", "canvas_size", "size", "max_size", "format", "clamping_mode"]
    video = tv.Video(ember.zeros(2, 3, 10, 12, dtype=ember.uint8))
    out = F.resize_video(video=video, size=[5, 6])
    assert type(out) is ember.Tensor and tuple(out.shape) == (2, 3, 5, 6)
    assert F.get_num_frames(video) == 2 and F.get_size_video(video) == [10, 12]
    assert F.get_dimensions_video(video) == [3, 10, 12] and F.get_num_channels_video(video) == 3
    assert F.get_size_bounding_boxes(make("boxes_xyxy")) == [CASES.H, CASES.W]
    assert F.is_pure_tensor(ember.zeros(1)) and not F.is_pure_tensor(video)
    img = make("img_u8")
    np.testing.assert_array_equal(F.invert_image(img).numpy(), F.invert(img).numpy())
    assert type(F.invert_image(img)) is ember.Tensor and isinstance(F.invert(img), tv.Image)
    for name in F.__all__:
        assert callable(getattr(F, name)) or name == "InterpolationMode", name


def test_box_kernels_check_their_arguments():
    boxes = ember.tensor([[1.0, 2.0, 5.0, 6.0]])
    with pytest.raises(ValueError, match="Padding mode 'reflect' is not supported with bounding boxes"):
        F.pad_bounding_boxes(boxes, "XYXY", (10, 10), [1], padding_mode="reflect")
    with pytest.raises(ValueError, match="clamping_mode"):
        F.crop_bounding_boxes(boxes, "XYXY", 0, 0, 5, 5, clamping_mode="loose")
    with pytest.raises(ValueError, match="shouldn't be defined concurrently"):
        F.perspective_bounding_boxes(boxes, "XYXY", (10, 10), [[0, 0]] * 4, [[0, 0]] * 4, coefficients=[0.0] * 8)
    with pytest.raises(ValueError, match="8 float values"):
        F.perspective(make("img_u8"), None, None, coefficients=[1.0] * 7)
    with pytest.raises(ValueError, match="Either the startpoints/endpoints or the coefficients"):
        F.perspective(make("img_u8"), None, None)


def test_sanitize_bounding_boxes_functional():
    boxes = tv.BoundingBoxes([[0, 0, 10, 10], [5, 5, 5.5, 9], [-1, 2, 4, 8], [3, 3, 30, 9]], format="XYXY",
                             canvas_size=(20, 20))
    kept, valid = F.sanitize_bounding_boxes(boxes)
    # torchvision 0.29: every corner inside the canvas, and at least min_size wide and tall
    assert valid.tolist() == [True, False, False, False] and kept.tolist() == [[0, 0, 10, 10]]
    assert isinstance(kept, tv.BoundingBoxes) and kept.canvas_size == (20, 20)
    plain, _ = F.sanitize_bounding_boxes(boxes.as_subclass(ember.Tensor), format="XYXY", canvas_size=(20, 20))
    assert type(plain) is ember.Tensor and plain.tolist() == [[0, 0, 10, 10]]
    with pytest.raises(ValueError, match="must be None"):
        F.sanitize_bounding_boxes(boxes, format="XYXY")
    with pytest.raises(ValueError, match="cannot be None"):
        F.sanitize_bounding_boxes(boxes.as_subclass(ember.Tensor))
