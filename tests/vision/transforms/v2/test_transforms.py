"""v2 transform classes: samples of any structure, images/masks/boxes moved together, labels untouched,
seeded reproducibility, conversions, MixUp/CutMix."""

import io
import pickle

import numpy as np
import pytest
from PIL import Image

import ember
import embervision.transforms.v2 as T
from embervision import tv_tensors as tv
from embervision.transforms.v2 import functional as F


def sample(h=30, w=40):
    rng = np.random.default_rng(0)
    img = tv.Image(ember.from_numpy(rng.integers(0, 256, (3, h, w), dtype=np.uint8)))
    mask = np.zeros((h, w), dtype=np.uint8)
    mask[5:15, 10:30] = 1
    boxes = tv.BoundingBoxes([[10, 5, 30, 15]], format="XYXY", canvas_size=(h, w))
    return {"image": img, "mask": tv.Mask(ember.from_numpy(mask)), "boxes": boxes, "labels": ember.tensor([3])}


def mask_box(out) -> tuple:
    """The mask's bounding rectangle, to compare with the moved box."""
    m = out["mask"].as_subclass(ember.Tensor).numpy()
    ys, xs = np.nonzero(m)
    return xs.min(), ys.min(), xs.max() + 1, ys.max() + 1


GEOMETRIC = [
    T.RandomHorizontalFlip(1.0),
    T.RandomVerticalFlip(1.0),
    T.RandomResizedCrop((24, 24), scale=(0.5, 1.0)),
    T.RandomCrop((20, 30)),
    T.CenterCrop((20, 30)),
    T.Resize((15, 20)),
    T.Pad([2, 3, 4, 5]),
    T.RandomZoomOut(p=1.0),
    T.RandomRotation((90, 90), expand=True),
    T.RandomAffine(0, translate=(0.1, 0.1)),
    T.ScaleJitter((40, 30), scale_range=(0.5, 1.5)),
    T.RandomIoUCrop(),
]


@pytest.mark.parametrize("transform", GEOMETRIC, ids=lambda t: type(t).__name__)
def test_geometry_moves_image_mask_and_boxes_together(transform):
    ember.manual_seed(0)
    out = transform(sample())
    assert isinstance(out["image"], tv.Image) and isinstance(out["mask"], tv.Mask)
    assert isinstance(out["boxes"], tv.BoundingBoxes)
    assert out["labels"].tolist() == [3]
    h, w = out["image"].shape[-2:]
    assert tuple(out["mask"].shape) == (h, w) and out["boxes"].canvas_size == (h, w)
    # nearest resampling keeps mask values; the box encloses the mask (within a pixel of rounding)
    assert set(np.unique(out["mask"].numpy())) <= {0, 1}
    box = out["boxes"].tolist()[0]
    np.testing.assert_allclose(box, mask_box(out), atol=1.01)


def test_colour_transforms_leave_masks_and_boxes():
    s = sample()
    out = T.Compose([T.ColorJitter(0.5, 0.5, 0.5, 0.1), T.RandomInvert(1.0), T.Grayscale(3)])(s)
    assert out["mask"] is s["mask"] and out["boxes"] is s["boxes"]
    assert not np.array_equal(out["image"].numpy(), s["image"].numpy())


@pytest.mark.parametrize("transform", [t for t in GEOMETRIC if not isinstance(t, T.RandomIoUCrop)] + [
    T.ColorJitter(0.5, 0.5, 0.5, 0.2), T.RandomPhotometricDistort(p=1.0), T.RandomPerspective(p=1.0),
    T.GaussianBlur(3), T.RandomChannelPermutation(), T.RandomGrayscale(0.5), T.AutoAugment(), T.RandAugment(),
    T.TrivialAugmentWide(), T.AugMix(), T.RandomShortestSize([16, 24], 60), T.RandomResize(10, 30),
    T.ElasticTransform(alpha=20.0, sigma=3.0), T.ScaleJitter((30, 40)), T.JPEG((20, 80)),
], ids=lambda t: type(t).__name__)
def test_seed_reproduces(transform):
    img = sample()["image"]
    outs = []
    for seed in (1, 1):
        ember.manual_seed(seed)
        outs.append(transform(img).numpy())
    np.testing.assert_array_equal(*outs)


def test_plain_tensor_rule_only_first_is_image():
    a = ember.zeros(3, 10, 10)
    b = ember.zeros(3, 10, 10)
    out_a, out_b = T.Resize((5, 5))(a, b)
    assert tuple(out_a.shape) == (3, 5, 5) and tuple(out_b.shape) == (3, 10, 10)
    # with a PIL image present, plain tensors pass through
    pil = Image.new("RGB", (10, 10))
    out_pil, out_t = T.Resize((5, 5))(pil, a)
    assert out_pil.size == (5, 5) and out_t is a


def test_structures_round_trip():
    img = tv.Image(ember.zeros(3, 8, 8, dtype=ember.uint8))
    out = T.Resize(4)([img, (1, {"x": img, "name": "n"})])
    assert isinstance(out, list) and out[1][0] == 1 and out[1][1]["name"] == "n"
    assert tuple(out[0].shape) == (3, 4, 4) and tuple(out[1][1]["x"].shape) == (3, 4, 4)


def test_to_image_to_dtype_to_pure_tensor():
    pil = Image.fromarray(np.full((4, 5, 3), 255, dtype=np.uint8))
    pipeline = T.Compose([T.ToImage(), T.ToDtype(ember.float32, scale=True), T.Normalize([0.5] * 3, [0.5] * 3)])
    img, label = pipeline(pil, 7)
    assert isinstance(img, tv.Image) and img.dtype == ember.float32 and label == 7
    np.testing.assert_allclose(img.numpy(), 1.0)
    pure = T.ToPureTensor()(img)
    assert type(pure) is ember.Tensor


def test_to_dtype_dict_and_mask_not_scaled():
    s = sample()
    out = T.ToDtype({tv.Image: ember.float32, tv.Mask: ember.int64, "others": None}, scale=True)(s)
    assert out["image"].dtype == ember.float32 and float(out["image"].max()) <= 1.0
    assert out["mask"].dtype == ember.int64 and int(out["mask"].max()) == 1
    assert out["boxes"].dtype == s["boxes"].dtype


def test_pad_fill_dict_by_type():
    s = sample()
    out = T.Pad(2, fill={tv.Image: 9, tv.Mask: 255})(s)
    assert int(out["mask"].numpy()[0, 0]) == 255 and int(out["image"].numpy()[0, 0, 0]) == 9


def test_sanitize_bounding_boxes_drops_degenerate_boxes_and_labels():
    boxes = tv.BoundingBoxes([[0, 0, 10, 10], [5, 5, 5.5, 20], [1, 1, 4, 4]], format="XYXY", canvas_size=(20, 20))
    out = T.SanitizeBoundingBoxes(min_size=2)({"boxes": boxes, "labels": ember.tensor([1, 2, 3])})
    assert out["boxes"].tolist() == [[0, 0, 10, 10], [1, 1, 4, 4]] and out["labels"].tolist() == [1, 3]


def test_mixup_and_cutmix():
    x = ember.rand(4, 3, 8, 8)
    y = ember.tensor([0, 1, 2, 3])
    ember.manual_seed(0)
    xm, ym = T.MixUp(num_classes=5)(x, y)
    assert tuple(xm.shape) == (4, 3, 8, 8) and tuple(ym.shape) == (4, 5)
    np.testing.assert_allclose(ym.numpy().sum(1), 1.0, rtol=1e-6)
    lam = float(ym[0, 0])  # row 0 keeps lam of its own class 0 and 1 - lam of row 3's class 3
    np.testing.assert_allclose(xm.numpy(), lam * x.numpy() + (1 - lam) * np.roll(x.numpy(), 1, 0), rtol=1e-5)
    xc, yc = T.CutMix(num_classes=5)(x, y)
    changed = (xc.numpy() != x.numpy()).any(axis=(0, 1))  # (H, W): the pasted box
    area = changed.mean()
    np.testing.assert_allclose(1.0 - float(yc[0, 0]), area, atol=1e-6)
    ember.manual_seed(0)
    again, _ = T.MixUp(num_classes=5)(x, y)
    np.testing.assert_array_equal(again.numpy(), xm.numpy())


def test_mixup_errors():
    with pytest.raises(ValueError, match="batched"):
        T.MixUp(num_classes=3)(ember.rand(3, 8, 8), ember.tensor([0, 1, 2]))
    with pytest.raises(TypeError, match="float"):
        T.MixUp(num_classes=3)(ember.zeros(3, 3, 8, 8, dtype=ember.uint8), ember.tensor([0, 1, 2]))
    with pytest.raises(ValueError, match="does not support PIL"):
        T.CutMix(num_classes=3)(Image.new("RGB", (4, 4)), ember.tensor([0]))


def test_random_erasing_on_image_only():
    s = sample()
    s["image"] = T.ToDtype(ember.float32, scale=True)(s["image"])
    ember.manual_seed(0)
    out = T.RandomErasing(p=1.0, value=0.0)(s)
    assert out["mask"] is s["mask"]
    assert (out["image"].numpy() == 0).any()


def test_auto_augment_refuses_boxes():
    with pytest.raises(TypeError, match="does not support (Mask|BoundingBoxes)"):
        T.AutoAugment()(sample())


def test_random_choice_and_order_and_apply():
    img = sample()["image"]
    ember.manual_seed(0)
    outs = {tuple(T.RandomChoice([T.Resize(5), T.Resize(7)])(img).shape) for _ in range(20)}
    assert outs == {(3, 5, 6), (3, 7, 9)}
    out = T.RandomApply([T.RandomInvert(1.0)], p=1.0)(img)
    np.testing.assert_array_equal(out.numpy(), F.invert(img).numpy())
    shapes = {tuple(T.RandomOrder([T.Resize(10), T.CenterCrop(8)])(img).shape) for _ in range(20)}
    assert shapes == {(3, 8, 8), (3, 10, 10)}  # crop last, or resize last


def test_tv_tensors_pickle_and_repr():
    b = sample()["boxes"]
    b2 = pickle.loads(pickle.dumps(b))
    assert isinstance(b2, tv.BoundingBoxes) and b2.canvas_size == (30, 40) and b2.tolist() == b.tolist()
    assert "canvas_size=(30, 40)" in repr(b)
    assert type(b + 1) is ember.Tensor  # ops give plain tensors, as torchvision
    with pytest.raises(ValueError, match=r"\(N, 4\)"):
        tv.BoundingBoxes([[1, 2, 3]], format="XYXY", canvas_size=(4, 4))


def test_v2_resize_bad_size():
    with pytest.raises(ValueError, match="size can be an integer"):
        T.Resize(2.5)


# ------------------------------------------------------------------------------------------ elastic


def test_elastic_moves_mask_exactly_like_image_and_boxes_approximately():
    s = sample(40, 50)
    mask = s["mask"].as_subclass(ember.Tensor)
    # channel 0 of the image is the mask scaled to 255: nearest resampling must keep them equal
    s["image"] = tv.Image(ember.stack([mask * 255, mask * 100, mask * 50]).to(ember.uint8))
    t = T.ElasticTransform(alpha=15.0, sigma=4.0, interpolation=T.InterpolationMode.NEAREST)
    for seed in range(5):
        ember.manual_seed(seed)
        out = t(s)
        assert isinstance(out["mask"], tv.Mask) and isinstance(out["boxes"], tv.BoundingBoxes)
        m = out["mask"].numpy()
        np.testing.assert_array_equal(out["image"].numpy()[0], m * 255)
        assert not np.array_equal(m, s["mask"].numpy())
        # boxes move by the approximate inverse (identity - displacement) read at their corners
        np.testing.assert_allclose(out["boxes"].tolist()[0], mask_box(out), atol=2.5)
        assert out["labels"].tolist() == [3]


def test_elastic_functional_dispatch_and_errors():
    img = sample()["image"]
    zero = ember.zeros(1, 30, 40, 2)
    np.testing.assert_array_equal(F.elastic(img, zero).numpy(), img.numpy())
    assert isinstance(F.elastic(img, zero), tv.Image) and F.elastic_transform is F.elastic
    pil = F.to_pil_image(img)
    np.testing.assert_array_equal(np.asarray(F.elastic(pil, zero)), np.asarray(pil))
    boxes = sample()["boxes"]
    assert F.elastic(boxes, zero).tolist() == boxes.tolist()
    with pytest.raises(ValueError, match="displacement shape"):
        F.elastic(img, ember.zeros(1, 40, 30, 2))
    with pytest.raises(ValueError, match="displacement shape"):
        F.elastic(boxes, ember.zeros(1, 40, 30, 2))
    with pytest.raises(TypeError, match="displacement should be a Tensor"):
        F.elastic(img, np.zeros((1, 30, 40, 2)))
    with pytest.raises(ValueError, match="sequence of numbers"):
        T.ElasticTransform(alpha=("a", 1.0))


# ------------------------------------------------------------------------------------------ RandomIoUCrop


def iou_sample():
    h, w = 60, 80
    img = tv.Image(ember.zeros(3, h, w, dtype=ember.uint8))
    boxes = tv.BoundingBoxes([[5, 5, 25, 20], [30, 10, 70, 50], [60, 40, 78, 58], [2, 45, 12, 58]], format="XYXY",
                             canvas_size=(h, w))
    return {"image": img, "boxes": boxes, "labels": ember.tensor([1, 2, 3, 4])}


def test_random_iou_crop_follows_torchvision_rules():
    s = iou_sample()
    b = np.array(s["boxes"].tolist(), dtype=np.float64)
    cx, cy = (b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2
    t = T.RandomIoUCrop(min_scale=0.4, max_scale=0.9, sampler_options=[0.5])
    ember.manual_seed(0)
    for _ in range(30):
        params = t.make_params([s["image"], s["boxes"]])
        top, left, h, w = params["top"], params["left"], params["height"], params["width"]
        assert 0.4 * 60 - 1 <= h <= 0.9 * 60 and 0.4 * 80 - 1 <= w <= 0.9 * 80
        assert 0.5 <= w / h <= 2.0 and 0 <= top <= 60 - h and 0 <= left <= 80 - w
        within = (left < cx) & (cx < left + w) & (top < cy) & (cy < top + h)
        np.testing.assert_array_equal(params["is_within_crop_area"], within)
        # at least one box whose centre is inside overlaps the crop by the sampled IoU
        lt = np.maximum(b[within, :2], [left, top])
        rb = np.minimum(b[within, 2:], [left + w, top + h])
        inter = np.prod((rb - lt).clip(0), axis=1)
        union = np.prod(b[within, 2:] - b[within, :2], axis=1) + w * h - inter
        assert (inter / union).max() >= 0.5
        out = t.transform(s["boxes"], params)
        kept = F.crop(s["boxes"], top, left, h, w).tolist()
        for i, row in enumerate(out.tolist()):
            assert row == (kept[i] if within[i] else [0, 0, 0, 0])
        assert out.canvas_size == (h, w)


def test_random_iou_crop_then_sanitize_drops_boxes_and_labels():
    s = iou_sample()
    crop = T.RandomIoUCrop(sampler_options=[0.3])
    pipeline = T.Compose([crop, T.SanitizeBoundingBoxes()])
    sizes, dropped = set(), 0
    for seed in range(12):
        ember.manual_seed(seed)
        cropped = crop(s)
        ember.manual_seed(seed)
        out = pipeline(s)
        h, w = out["image"].shape[-2:]
        sizes.add((h, w))
        assert tuple(cropped["image"].shape[-2:]) == (h, w) and out["boxes"].canvas_size == (h, w)
        rows = np.array(cropped["boxes"].tolist())
        # marked boxes are all zero; SanitizeBoundingBoxes drops them (and any clipped below 1 pixel)
        keep = (rows[:, 2] - rows[:, 0] >= 1) & (rows[:, 3] - rows[:, 1] >= 1)
        dropped += int((~keep).sum())
        assert out["boxes"].tolist() == rows[keep].tolist()
        assert out["labels"].tolist() == np.array([1, 2, 3, 4])[keep].tolist()
    assert len(sizes) > 1 and dropped > 0


def test_random_iou_crop_seed_reproduces():
    outs = []
    for seed in (2, 2):
        ember.manual_seed(seed)
        out = T.RandomIoUCrop()(iou_sample())
        outs.append((tuple(out["image"].shape), out["boxes"].tolist()))
    assert outs[0] == outs[1]


def test_random_iou_crop_leave_as_is_option_and_input_check():
    s = iou_sample()
    out = T.RandomIoUCrop(sampler_options=[1.0])(s)
    assert out["boxes"] is s["boxes"] and out["image"] is s["image"]
    with pytest.raises(TypeError, match="requires input sample to contain tensor or PIL images and bounding boxes"):
        T.RandomIoUCrop()(s["image"])


# ------------------------------------------------------------------------------------------ ScaleJitter, JPEG


def test_scale_jitter_size_range_and_consistency():
    s = sample(30, 40)
    t = T.ScaleJitter((80, 60), scale_range=(0.5, 1.5))  # base scale min(80 / 40, 60 / 30) = 2
    ember.manual_seed(0)
    heights = []
    for _ in range(40):
        out = t(s)
        h, w = out["image"].shape[-2:]
        heights.append(h)
        assert 30 <= h <= 90 and 40 <= w <= 120 and abs(w / h - 4 / 3) < 0.1
        assert tuple(out["mask"].shape) == (h, w) and out["boxes"].canvas_size == (h, w)
    assert min(heights) < 40 and max(heights) > 80


def pil_round_trip(arr: np.ndarray, quality: int) -> np.ndarray:
    """(C, H, W) uint8 -> JPEG at ``quality`` through Pillow -> (C, H, W)."""
    img = Image.fromarray(arr[0] if arr.shape[0] == 1 else arr.transpose(1, 2, 0))
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=quality)
    out = np.asarray(Image.open(buf))
    return out[None] if out.ndim == 2 else out.transpose(2, 0, 1)


@pytest.mark.parametrize("quality", [1, 30, 100])
def test_jpeg_is_a_pillow_round_trip(quality):
    s = sample()
    out = T.JPEG(quality)(s)
    assert isinstance(out["image"], tv.Image) and out["mask"] is s["mask"] and out["boxes"] is s["boxes"]
    np.testing.assert_array_equal(out["image"].numpy(), pil_round_trip(s["image"].numpy(), quality))
    pil = F.to_pil_image(s["image"])
    np.testing.assert_array_equal(np.asarray(T.JPEG(quality)(pil)).transpose(2, 0, 1),
                                  pil_round_trip(s["image"].numpy(), quality))
    batch = ember.stack([s["image"].as_subclass(ember.Tensor)[:1]] * 2)  # (2, 1, H, W) grayscale
    np.testing.assert_array_equal(F.jpeg(batch, quality).numpy()[1], pil_round_trip(batch.numpy()[1], quality))


def test_jpeg_quality_range_is_inclusive():
    t = T.JPEG((3, 5))
    ember.manual_seed(0)
    drawn = {t.make_params([])["quality"] for _ in range(200)}
    assert drawn == {3, 4, 5}


@pytest.mark.parametrize("quality,exc", [(True, TypeError), (0, ValueError), (101, ValueError), ((50, 40), ValueError),
                                         ((10.0, 20), ValueError), ((1, 2, 3), ValueError)])
def test_jpeg_bad_quality(quality, exc):
    with pytest.raises(exc):
        T.JPEG(quality)


def test_jpeg_needs_uint8():
    with pytest.raises(RuntimeError, match="uint8"):
        F.jpeg(ember.rand(3, 8, 8), 50)
