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
    return v


@pytest.mark.parametrize("name,fn,inp,args,kwargs", CASES.v2_cases(), ids=[c[0] for c in CASES.v2_cases()])
def test_matches_torchvision(name, fn, inp, args, kwargs):
    obj = make(inp)
    out = getattr(F, fn)(obj, *[convert(a) for a in args], **{k: convert(v) for k, v in kwargs.items()})
    assert type(out) is type(obj), f"{name}: the result keeps its tv_tensor type"
    arr = out.as_subclass(ember.Tensor).numpy()
    ref = REF[name]
    assert arr.shape == ref.shape and arr.dtype == ref.dtype, (arr.shape, ref.shape, arr.dtype, ref.dtype)
    if arr.dtype.kind == "f":
        np.testing.assert_allclose(arr, ref, rtol=1e-5, atol=1e-4)
    else:
        np.testing.assert_array_equal(arr, ref)
    if isinstance(out, tv.BoundingBoxes):
        assert tuple(out.canvas_size) == tuple(REF[name + ".canvas"])
        assert out.format == obj.format or fn == "convert_bounding_box_format"


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
