"""v1 transform classes: seeded reproducibility, parameter ranges, agreement with the functional calls."""

import math

import numpy as np
import pytest
from PIL import Image

import ember
import embervision.transforms as T
import embervision.transforms.functional as F


def u8_image(h=20, w=24, seed=0):
    rng = np.random.default_rng(seed)
    return ember.from_numpy(rng.integers(10, 230, (3, h, w), dtype=np.uint8))  # not full range: autocontrast acts


def pil_image(h=20, w=24, seed=0):
    return F.to_pil_image(u8_image(h, w, seed))


def as_array(x):
    if isinstance(x, tuple):
        return np.stack([as_array(o) for o in x])
    return x.numpy() if isinstance(x, ember.Tensor) else np.asarray(x)


RANDOM_TRANSFORMS = [
    T.RandomCrop(12, padding=2, padding_mode="reflect"),
    T.RandomResizedCrop(10),
    T.RandomHorizontalFlip(),
    T.RandomVerticalFlip(),
    T.RandomRotation(40, interpolation=T.InterpolationMode.BILINEAR, fill=7),
    T.RandomAffine(20, translate=(0.2, 0.1), scale=(0.7, 1.3), shear=(-10, 10, -5, 5)),
    T.RandomPerspective(0.6, p=0.7),
    T.ElasticTransform(alpha=30.0, sigma=3.0, fill=5),
    T.ColorJitter(0.5, 0.5, 0.5, 0.2),
    T.RandomGrayscale(0.5),
    T.GaussianBlur(5, (0.2, 3.0)),
    T.RandomInvert(),
    T.RandomPosterize(3),
    T.RandomSolarize(100),
    T.RandomAdjustSharpness(3.0),
    T.RandomAutocontrast(),
    T.RandomEqualize(),
    T.AutoAugment(T.AutoAugmentPolicy.CIFAR10),
    T.RandAugment(),
    T.TrivialAugmentWide(),
    T.AugMix(),
    T.RandomApply([T.ColorJitter(0.3), T.RandomRotation(10)], p=0.5),
    T.RandomChoice([T.RandomInvert(1.0), T.GaussianBlur(3), T.RandomRotation(30)]),
    T.RandomOrder([T.RandomInvert(0.5), T.ColorJitter(brightness=0.8), T.RandomHorizontalFlip()]),
]


@pytest.mark.parametrize("make", [u8_image, pil_image], ids=["tensor", "pil"])
@pytest.mark.parametrize("transform", RANDOM_TRANSFORMS, ids=lambda t: type(t).__name__)
def test_seed_reproduces(transform, make):
    img = make()
    outs = []
    for seed in (3, 3, 4, 5, 6, 7):
        ember.manual_seed(seed)
        outs.append(as_array(transform(img)))
    np.testing.assert_array_equal(outs[0], outs[1])
    # a random transform does not give the same output for every seed
    assert any(o.shape != outs[0].shape or not np.array_equal(o, outs[0]) for o in outs[2:])


def test_random_erasing_reproduces():
    t = T.RandomErasing(p=1.0, value="random")
    x = ember.rand(3, 20, 24)
    ember.manual_seed(0)
    a = t(x)
    ember.manual_seed(0)
    b = t(x)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert not np.array_equal(a.numpy(), x.numpy())


def test_pipeline_same_on_pil_and_tensor_geometry():
    # the same seed draws the same crop on both input kinds
    pil = pil_image(40, 50)
    ten = F.pil_to_tensor(pil)
    t = T.RandomCrop(17)
    ember.manual_seed(11)
    a = as_array(t(pil)).transpose(2, 0, 1)
    ember.manual_seed(11)
    np.testing.assert_array_equal(a, as_array(t(ten)))


# ------------------------------------------------------------------------------------------ ranges


def test_random_resized_crop_params_in_range():
    img = u8_image(60, 80)
    scale, ratio = (0.2, 0.6), (0.5, 2.0)
    ember.manual_seed(0)
    for _ in range(300):
        i, j, h, w = T.RandomResizedCrop.get_params(img, scale, ratio)
        assert 0 <= i <= 60 - h and 0 <= j <= 80 - w
        # rounding h and w moves area and ratio a little off the drawn values
        assert scale[0] * 0.8 <= h * w / (60 * 80) <= scale[1] * 1.2
        assert ratio[0] * 0.8 <= w / h <= ratio[1] * 1.25


def test_random_resized_crop_falls_back_to_center():
    img = u8_image(10, 100)  # aspect 10 is outside ratio: every draw fails
    ember.manual_seed(0)
    i, j, h, w = T.RandomResizedCrop.get_params(img, (0.9, 1.0), (0.5, 1.0))
    assert (h, w) == (10, 10) and j == 45 and i == 0


def test_random_crop_params_cover_range():
    img = u8_image(20, 24)
    ember.manual_seed(0)
    seen = {T.RandomCrop.get_params(img, (18, 20))[:2] for _ in range(400)}
    assert seen == {(i, j) for i in range(3) for j in range(5)}


def test_random_crop_pad_if_needed():
    out = T.RandomCrop((30, 40), pad_if_needed=True, fill=9)(u8_image(20, 24))
    assert tuple(out.shape) == (3, 30, 40)


def test_random_rotation_angle_range():
    ember.manual_seed(0)
    angles = [T.RandomRotation.get_params([-10.0, 25.0]) for _ in range(500)]
    assert -10 <= min(angles) < -8 and 23 < max(angles) <= 25


def test_random_affine_params_in_range():
    ember.manual_seed(0)
    for _ in range(200):
        angle, (tx, ty), scale, (sx, sy) = T.RandomAffine.get_params(
            [-5.0, 5.0], (0.1, 0.2), (0.5, 1.5), [-3.0, 3.0, 10.0, 20.0], [50, 40]
        )
        assert -5 <= angle <= 5 and abs(tx) <= 5 and abs(ty) <= 8
        assert 0.5 <= scale <= 1.5 and -3 <= sx <= 3 and 10 <= sy <= 20


def test_color_jitter_factor_ranges():
    ember.manual_seed(0)
    for _ in range(200):
        idx, b, c, s, h = T.ColorJitter.get_params((0.5, 1.5), (0.2, 0.4), None, (-0.1, 0.1))
        assert sorted(idx.tolist()) == [0, 1, 2, 3]
        assert 0.5 <= b <= 1.5 and 0.2 <= c <= 0.4 and s is None and -0.1 <= h <= 0.1


def test_color_jitter_argument_checks():
    assert T.ColorJitter(brightness=0.3).brightness == (0.7, 1.3)
    assert T.ColorJitter(contrast=2.0).contrast == (0.0, 3.0)
    assert T.ColorJitter(hue=0).hue is None
    with pytest.raises(ValueError, match="non negative"):
        T.ColorJitter(brightness=-1)
    with pytest.raises(ValueError, match="hue values should be between"):
        T.ColorJitter(hue=0.7)
    with pytest.raises(TypeError, match="single number or a list/tuple"):
        T.ColorJitter(saturation=[1, 2, 3])


def test_gaussian_blur_sigma_range():
    ember.manual_seed(0)
    sigmas = [T.GaussianBlur.get_params(0.5, 1.5) for _ in range(300)]
    assert 0.5 <= min(sigmas) and max(sigmas) <= 1.5


def test_random_erasing_box_in_range():
    x = ember.zeros(3, 30, 40)
    ember.manual_seed(0)
    for _ in range(200):
        i, j, h, w, v = T.RandomErasing.get_params(x, (0.1, 0.2), (0.5, 2.0), value=[1.0])
        if h == 30:
            continue  # no box found in 10 tries: the image itself
        assert 0 <= i <= 30 - h and 0 <= j <= 40 - w
        assert 0.08 <= h * w / 1200 <= 0.25


def test_random_perspective_endpoints_in_range():
    ember.manual_seed(0)
    for _ in range(100):
        start, end = T.RandomPerspective.get_params(40, 30, 0.5)
        assert start == [[0, 0], [39, 0], [39, 29], [0, 29]]
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = end
        assert 0 <= x0 <= 10 and 0 <= y0 <= 7 and 29 <= x1 < 40 and 0 <= y1 <= 7
        assert 29 <= x2 < 40 and 22 <= y2 < 30 and 0 <= x3 <= 10 and 22 <= y3 < 30


@pytest.mark.parametrize("p", [0.0, 1.0])
def test_probability_extremes(p):
    img = u8_image()
    for t, fn in [(T.RandomHorizontalFlip(p), F.hflip), (T.RandomVerticalFlip(p), F.vflip),
                  (T.RandomInvert(p), F.invert), (T.RandomEqualize(p), F.equalize)]:
        expected = fn(img) if p == 1.0 else img
        np.testing.assert_array_equal(t(img).numpy(), expected.numpy())


def test_flip_probability_is_respected():
    img = u8_image()
    flipped = F.hflip(img).numpy()
    ember.manual_seed(0)
    hits = sum(np.array_equal(T.RandomHorizontalFlip(0.3)(img).numpy(), flipped) for _ in range(400))
    assert 80 < hits < 160


# ------------------------------------------------------------------------------------------ class == functional


def test_random_resized_crop_equals_functional():
    img = u8_image(40, 50)
    t = T.RandomResizedCrop((12, 14), scale=(0.3, 0.9))
    ember.manual_seed(5)
    i, j, h, w = t.get_params(img, t.scale, t.ratio)
    ember.manual_seed(5)
    np.testing.assert_array_equal(t(img).numpy(), F.resized_crop(img, i, j, h, w, [12, 14]).numpy())


def test_random_affine_equals_functional():
    img = u8_image(40, 50)
    t = T.RandomAffine(30, (0.1, 0.1), (0.8, 1.2), 10, fill=3)
    ember.manual_seed(2)
    angle, tr, scale, shear = t.get_params(t.degrees, t.translate, t.scale, t.shear, [50, 40])
    ember.manual_seed(2)
    expected = F.affine(img, angle, list(tr), scale, list(shear), fill=[3.0] * 3)
    np.testing.assert_array_equal(t(img).numpy(), expected.numpy())


def test_color_jitter_equals_functional_in_drawn_order():
    img = u8_image()
    t = T.ColorJitter(0.4, 0.4, 0.4, 0.1)
    ember.manual_seed(9)
    idx, b, c, s, h = t.get_params(t.brightness, t.contrast, t.saturation, t.hue)
    expected = img
    for k in idx.tolist():
        expected = [F.adjust_brightness, F.adjust_contrast, F.adjust_saturation, F.adjust_hue][k](
            expected, [b, c, s, h][k])
    ember.manual_seed(9)
    np.testing.assert_array_equal(t(img).numpy(), expected.numpy())


def test_deterministic_classes_equal_functional():
    img = u8_image(20, 24)
    pairs = [
        (T.Resize(10), F.resize(img, 10)),
        (T.Resize((7, 9), T.InterpolationMode.BICUBIC), F.resize(img, [7, 9], F.InterpolationMode.BICUBIC)),
        (T.CenterCrop(8), F.center_crop(img, 8)),
        (T.Pad((1, 2), fill=4, padding_mode="constant"), F.pad(img, [1, 2], 4)),
        (T.Grayscale(3), F.rgb_to_grayscale(img, 3)),
        (T.FiveCrop(6), F.five_crop(img, 6)),
        (T.TenCrop(6, vertical_flip=True), F.ten_crop(img, 6, True)),
        (T.ConvertImageDtype(ember.float32), F.convert_image_dtype(img)),
        (T.Lambda(lambda x: x * 2), img * 2),
    ]
    for t, expected in pairs:
        np.testing.assert_array_equal(as_array(t(img)), as_array(expected), err_msg=repr(t))


def test_compose_pipeline_and_repr():
    t = T.Compose([T.Resize(16), T.CenterCrop(12), T.ToTensor(), T.Normalize([0.5] * 3, [0.25] * 3)])
    out = t(pil_image(30, 40))
    assert tuple(out.shape) == (3, 12, 12) and out.dtype == ember.float32
    assert -2.0 <= float(out.min()) and float(out.max()) <= 2.0
    text = repr(t)
    assert text.startswith("Compose(\n    Resize(size=16") and "Normalize(mean=[0.5, 0.5, 0.5]" in text


def test_random_choice_weights():
    ember.manual_seed(0)
    t = T.RandomChoice([T.Lambda(lambda x: 0), T.Lambda(lambda x: 1)], p=[0.2, 0.8])
    picks = [t(None) for _ in range(500)]
    assert 60 < picks.count(0) < 150


def test_random_order_applies_all():
    calls = []
    t = T.RandomOrder([T.Lambda(lambda x: calls.append("a") or x), T.Lambda(lambda x: calls.append("b") or x)])
    ember.manual_seed(0)
    orders = set()
    for _ in range(30):
        calls.clear()
        t(1)
        orders.add(tuple(calls))
    assert orders == {("a", "b"), ("b", "a")}


def test_linear_transformation_whitening():
    x = ember.rand(2, 2, 3, dtype=ember.float64)
    m = ember.eye(12, dtype=ember.float64) * 2
    mean = ember.full((12,), 0.5, dtype=ember.float64)
    out = T.LinearTransformation(m, mean)(x)
    np.testing.assert_allclose(out.numpy(), (x.numpy() - 0.5) * 2)
    with pytest.raises(ValueError, match="square"):
        T.LinearTransformation(ember.zeros(3, 4), ember.zeros(3))


@pytest.mark.parametrize(
    "make,exc,match",
    [
        (lambda: T.Resize(2.5), TypeError, "Size should be int or sequence"),
        (lambda: T.Resize([1, 2, 3]), ValueError, "1 or 2 values"),
        (lambda: T.CenterCrop([1, 2, 3]), ValueError, "two dimensions"),
        (lambda: T.RandomRotation(-5), ValueError, "must be positive"),
        (lambda: T.RandomRotation([1, 2, 3]), ValueError, "length 2"),
        (lambda: T.RandomAffine(0, translate=(2, 0)), ValueError, "between 0 and 1"),
        (lambda: T.RandomAffine(0, scale=(0, 1)), ValueError, "positive"),
        (lambda: T.RandomAffine(0, shear=(1, 2, 3)), ValueError, "length 2 or 4"),
        (lambda: T.GaussianBlur(4), ValueError, "odd and positive"),
        (lambda: T.GaussianBlur(3, (2.0, 1.0)), ValueError, "(min, max)"),
        (lambda: T.RandomErasing(value="noise"), ValueError, "'random'"),
        (lambda: T.RandomErasing(scale=(0.1, 1.5)), ValueError, "between 0 and 1"),
        (lambda: T.RandomErasing(p=2), ValueError, "probability"),
        (lambda: T.Lambda(3), TypeError, "callable"),
        (lambda: T.RandomChoice([T.RandomInvert()], p=[0.5, 0.5]), ValueError, "Length of p"),
        (lambda: T.Pad(1, padding_mode="wrap"), ValueError, "Padding mode"),
        (lambda: T.AugMix(severity=11), ValueError, "severity"),
        (lambda: T.ElasticTransform(alpha=50), TypeError, "alpha should be float"),  # torchvision's v1 refuses ints
        (lambda: T.ElasticTransform(sigma=(1.0, 2.0, 3.0)), ValueError, "length should be 2"),
        (lambda: T.ElasticTransform(sigma=(1.0, 2)), TypeError, "sequence of floats"),
        (lambda: T.ElasticTransform(fill="white"), TypeError, "fill should be"),
    ],
)
def test_argument_errors(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


def test_random_crop_too_large():
    with pytest.raises(ValueError, match="larger than input image size"):
        T.RandomCrop(50)(u8_image())


def test_random_erasing_value_channels():
    with pytest.raises(ValueError, match="number of input channels"):
        T.RandomErasing(p=1.0, value=[1.0, 2.0])(ember.zeros(3, 10, 10))


def test_transforms_pickle_for_dataloader_workers():
    import pickle

    t = T.Compose([T.RandomResizedCrop(8), T.ColorJitter(0.2), T.ToTensor()])
    t2 = pickle.loads(pickle.dumps(t))
    ember.manual_seed(1)
    a = t(pil_image())
    ember.manual_seed(1)
    np.testing.assert_array_equal(a.numpy(), t2(pil_image()).numpy())


def test_rotation_angle_math_matches_pil_direction():
    # a bright dot right of the centre goes up for a +90 degree (counter-clockwise) rotation
    x = ember.zeros(1, 9, 9, dtype=ember.uint8)
    x[0, 4, 7] = 255
    out = F.rotate(x, 90.0).numpy()[0]
    assert out[1, 4] == 255 and out.sum() == 255
    pil = np.asarray(F.rotate(F.to_pil_image(x), 90.0))
    np.testing.assert_array_equal(pil, out)
    assert math.isclose(F._get_inverse_affine_matrix([0, 0], 0.0, [0, 0], 2.0, [0, 0])[0], 0.5)


def test_pil_image_modes():
    for mode in ("L", "RGB", "RGBA"):
        img = Image.new(mode, (10, 8))
        assert F.get_dimensions(img) == [len(mode), 8, 10]
        assert T.RandomResizedCrop(5)(img).size == (5, 5)


# ------------------------------------------------------------------------------------------ elastic


def test_elastic_displacement_ranges_and_scaling():
    ember.manual_seed(0)
    d = T.ElasticTransform.get_params([40.0, 10.0], [0.0, 0.0], [20, 50]).numpy()
    assert d.shape == (1, 20, 50, 2) and d.dtype == np.float32
    # without smoothing: uniform [-1, 1) noise scaled to alpha / width (x) and alpha / height (y)
    for axis, bound in ((0, 40.0 / 50), (1, 10.0 / 20)):
        v = d[..., axis]
        assert -bound <= v.min() < -0.9 * bound and 0.9 * bound < v.max() < bound
    ember.manual_seed(0)
    smooth = T.ElasticTransform.get_params([40.0, 10.0], [3.0, 3.0], [20, 50]).numpy()
    # a Gaussian average of [-1, 1) noise stays inside the bound and varies less between neighbours
    assert np.abs(smooth[..., 0]).max() <= 40.0 / 50
    assert np.abs(np.diff(smooth[..., 0], axis=2)).mean() < 0.25 * np.abs(np.diff(d[..., 0], axis=2)).mean()


def test_elastic_class_equals_functional_with_drawn_displacement():
    img = u8_image(24, 30)
    t = T.ElasticTransform(alpha=25.0, sigma=4.0, interpolation=T.InterpolationMode.NEAREST, fill=9)
    ember.manual_seed(3)
    out = t(img)
    ember.manual_seed(3)
    d = T.ElasticTransform.get_params([25.0, 25.0], [4.0, 4.0], [24, 30])
    np.testing.assert_array_equal(out.numpy(), F.elastic_transform(img, d, T.InterpolationMode.NEAREST, [9.0]).numpy())
    assert repr(t).startswith("ElasticTransform(alpha=[25.0, 25.0], sigma=[4.0, 4.0]")


def test_elastic_zero_displacement_is_identity():
    img = u8_image(9, 13)
    zero = ember.zeros(1, 9, 13, 2)
    for mode in (T.InterpolationMode.NEAREST, T.InterpolationMode.BILINEAR):
        np.testing.assert_array_equal(F.elastic_transform(img, zero, mode).numpy(), img.numpy())


def test_elastic_constant_displacement_shifts_like_numpy():
    # a displacement of 2k / W (normalized units) samples k pixels to the right: out[..., j] = img[..., j + k]
    img = u8_image(8, 12)
    k = 3
    d = ember.zeros(1, 8, 12, 2)
    d[..., 0] = 2.0 * k / 12
    out = F.elastic_transform(img, d, T.InterpolationMode.NEAREST, fill=[200.0]).numpy()
    ref = np.full_like(img.numpy(), 200)
    ref[..., : 12 - k] = img.numpy()[..., k:]
    np.testing.assert_array_equal(out, ref)
    pil = F.elastic_transform(F.to_pil_image(img), d, T.InterpolationMode.NEAREST, fill=[200.0])
    np.testing.assert_array_equal(np.asarray(pil).transpose(2, 0, 1), ref)


def test_elastic_transform_errors():
    img = u8_image(8, 12)
    with pytest.raises(TypeError, match="displacement should be a Tensor"):
        F.elastic_transform(img, np.zeros((1, 8, 12, 2)))
    with pytest.raises(ValueError, match=r"displacement shape should be \(1, 8, 12, 2\)"):
        F.elastic_transform(img, ember.zeros(1, 12, 8, 2))
