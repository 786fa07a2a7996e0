"""v2 transform classes: samples of any structure, images/masks/boxes moved together, labels untouched,
seeded reproducibility, conversions, MixUp/CutMix."""

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


@pytest.mark.parametrize("transform", GEOMETRIC + [
    T.ColorJitter(0.5, 0.5, 0.5, 0.2), T.RandomPhotometricDistort(p=1.0), T.RandomPerspective(p=1.0),
    T.GaussianBlur(3), T.RandomChannelPermutation(), T.RandomGrayscale(0.5), T.AutoAugment(), T.RandAugment(),
    T.TrivialAugmentWide(), T.AugMix(), T.RandomShortestSize([16, 24], 60), T.RandomResize(10, 30),
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
