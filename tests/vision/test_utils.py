"""embervision.utils against torchvision 0.29's recorded outputs (fixtures/utils.npz), plus errors."""

import importlib.util
import io
import os

import numpy as np
import pytest
from PIL import Image

import ember
from embervision import utils as U

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("vision_transform_cases_utils", os.path.join(HERE, "transform_cases.py"))
CASES = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(CASES)
REF = np.load(os.path.join(HERE, "fixtures", "utils.npz"))
DATA = CASES.utils_inputs()


@pytest.mark.parametrize("name,fn,args,kwargs", CASES.utils_cases(), ids=[c[0] for c in CASES.utils_cases()])
def test_matches_torchvision(name, fn, args, kwargs):
    kwargs = {k: ember.from_numpy(DATA[v[3:]].copy()) if isinstance(v, str) and v.startswith("AR:") else v
              for k, v in kwargs.items()}
    out = getattr(U, fn)(*[ember.from_numpy(DATA[a].copy()) for a in args], **kwargs).numpy()
    ref = REF[name]
    assert out.shape == ref.shape and out.dtype == ref.dtype
    if out.dtype.kind == "f":
        np.testing.assert_allclose(out, ref, rtol=1e-6, atol=1e-6)
    else:
        np.testing.assert_array_equal(out, ref)


@pytest.mark.parametrize("name,kwargs", [("save_default", {}), ("save_nrow", {"nrow": 3, "padding": 1})])
def test_save_image_matches_torchvision(tmp_path, name, kwargs):
    path = tmp_path / "grid.png"
    U.save_image(ember.from_numpy(DATA["batch"].copy()), str(path), **kwargs)
    np.testing.assert_array_equal(np.asarray(Image.open(path)), REF[name])
    buf = io.BytesIO()
    U.save_image([ember.from_numpy(x.copy()) for x in DATA["batch"]], buf, format="png", **kwargs)
    np.testing.assert_array_equal(np.asarray(Image.open(buf)), REF[name])


def test_make_grid_errors_and_empty():
    with pytest.raises(TypeError, match="tensor or list of tensors"):
        U.make_grid(np.zeros((2, 3, 4, 4)))
    with pytest.raises(TypeError, match="value_range"):
        U.make_grid(ember.rand(2, 3, 4, 4), normalize=True, value_range=[0, 1])
    with pytest.warns(UserWarning, match="No box was drawn"):
        U.draw_bounding_boxes(ember.zeros(3, 4, 4, dtype=ember.uint8), ember.zeros(0, 4))


@pytest.mark.parametrize("call,exc,match", [
    (lambda: U.draw_bounding_boxes(ember.zeros(3, 4, 4, dtype=ember.int32), ember.zeros(1, 4)), ValueError, "dtype"),
    (lambda: U.draw_bounding_boxes(ember.zeros(2, 3, 4, 4, dtype=ember.uint8), ember.zeros(1, 4)), ValueError,
     "batches"),
    (lambda: U.draw_bounding_boxes(ember.zeros(3, 8, 8, dtype=ember.uint8), ember.tensor([[5, 0, 1, 4]])),
     ValueError, "xmin, ymin, xmax, ymax"),
    (lambda: U.draw_bounding_boxes(ember.zeros(3, 8, 8, dtype=ember.uint8), ember.tensor([[0, 0, 1, 4]]),
                                   labels=["a", "b"]), ValueError, "mismatch"),
    (lambda: U.draw_bounding_boxes(ember.zeros(3, 8, 8, dtype=ember.uint8), ember.tensor([[0, 0, 1, 4]] * 2),
                                   colors=["red"]), ValueError, "Number of colors"),
    (lambda: U.draw_segmentation_masks(ember.zeros(1, 4, 4, dtype=ember.uint8), ember.ones(4, 4, dtype=ember.bool)),
     ValueError, "RGB"),
    (lambda: U.draw_segmentation_masks(ember.zeros(3, 4, 4, dtype=ember.uint8), ember.ones(4, 4)), ValueError,
     "bool"),
    (lambda: U.draw_segmentation_masks(ember.zeros(3, 4, 4, dtype=ember.uint8), ember.ones(5, 4, dtype=ember.bool)),
     ValueError, "same height and width"),
])
def test_draw_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_fixture_covers_every_case():
    names = {c[0] for c in CASES.utils_cases()} | {"save_default", "save_nrow"}
    assert set(REF.files) == names


def test_flow_to_image_colour_wheel():
    flow = np.zeros((2, 3, 4), dtype=np.float32)
    flow[0, 0, 0] = 5.0  # the largest flow: full saturation
    flow[:, 1, 1] = [-1.0, 0.5]
    img = U.flow_to_image(ember.from_numpy(flow)).numpy()
    assert img.dtype == np.uint8 and img.shape == (3, 3, 4)
    np.testing.assert_array_equal(img[:, 2, 3], [255, 255, 255])  # no motion is white
    # +x motion: atan2(-0.0, -5) = -pi, the first wheel entry, red
    np.testing.assert_array_equal(img[:, 0, 0], [255, 0, 0])
    wheel = U._make_colorwheel()
    assert wheel.shape == (55, 3) and wheel.dtype == np.float32
    np.testing.assert_array_equal(wheel[[0, 15, 21, 25, 36, 49]], [[255, 0, 0], [255, 255, 0], [0, 255, 0],
                                                                     [0, 255, 255], [0, 0, 255], [255, 0, 255]])


def test_flow_to_image_errors():
    with pytest.raises(ValueError, match="dtype torch.float"):
        U.flow_to_image(ember.zeros(2, 4, 4, dtype=ember.float64))
    with pytest.raises(ValueError, match=r"\(2, H, W\) or \(N, 2, H, W\)"):
        U.flow_to_image(ember.zeros(3, 4, 4))


def test_draw_keypoints_visibility_shapes_and_no_change_when_hidden():
    img = ember.from_numpy(DATA["img_u8"].copy())
    kpts = ember.from_numpy(DATA["keypoints"].copy())
    hidden = ember.zeros(2, 4, 1, dtype=ember.bool)  # (N, K, 1) is accepted too
    np.testing.assert_array_equal(U.draw_keypoints(img, kpts, [(0, 1)], visibility=hidden).numpy(), img.numpy())
    out = U.draw_keypoints(img, kpts, colors="red", radius=1)
    x, y = DATA["keypoints"][0, 1].astype(np.int64)  # coordinates are truncated, as .to(torch.int64)
    np.testing.assert_array_equal(out.numpy()[:, y, x], [255, 0, 0])


@pytest.mark.parametrize("call,match", [
    (lambda: U.draw_keypoints(ember.zeros(1, 4, 4, dtype=ember.uint8), ember.zeros(1, 2, 2)), "RGB"),
    (lambda: U.draw_keypoints(ember.zeros(3, 4, 4, dtype=ember.int32), ember.zeros(1, 2, 2)), "dtype"),
    (lambda: U.draw_keypoints(ember.zeros(2, 3, 4, 4, dtype=ember.uint8), ember.zeros(1, 2, 2)), "batches"),
    (lambda: U.draw_keypoints(ember.zeros(3, 4, 4, dtype=ember.uint8), ember.zeros(2, 2)), "num_instances, K, 2"),
    (lambda: U.draw_keypoints(ember.zeros(3, 4, 4, dtype=ember.uint8), ember.zeros(1, 2, 2),
                              visibility=ember.ones(1, 3, dtype=ember.bool)), "same dimensionality"),
    (lambda: U.draw_keypoints(ember.zeros(3, 4, 4, dtype=ember.uint8), ember.zeros(1, 2, 2),
                              visibility=ember.ones(2, dtype=ember.bool)), "ndim=1"),
])
def test_draw_keypoints_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()
