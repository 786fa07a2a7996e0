"""ImageFolder / DatasetFolder on fake trees; FakeData; SKLearnDigits (scikit-learn's bundled digits)."""

import importlib.util
import os

import numpy as np
import pytest
from PIL import Image

import ember
import embervision.transforms as T
from embervision import datasets


def make_tree(root, layout):
    rng = np.random.default_rng(0)
    for cls, files in layout.items():
        os.makedirs(os.path.join(root, cls), exist_ok=True)
        for name in files:
            path = os.path.join(root, cls, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            if name.endswith((".jpg", ".png")):
                Image.fromarray(rng.integers(0, 256, (10, 14, 3), dtype=np.uint8)).save(path)
            else:
                with open(path, "w") as f:
                    f.write("not an image")


def test_image_folder(tmp_path):
    make_tree(tmp_path, {"dog": ["b.jpg", "a.png", "notes.txt", "sub/c.JPG"], "cat": ["z.jpg"]})
    ds = datasets.ImageFolder(str(tmp_path), transform=T.ToTensor(), target_transform=lambda t: t * 10)
    assert ds.classes == ["cat", "dog"] and ds.class_to_idx == {"cat": 0, "dog": 1}
    names = [os.path.relpath(p, tmp_path) for p, _ in ds.samples]
    assert names == ["cat/z.jpg", "dog/a.png", "dog/b.jpg", os.path.join("dog", "sub", "c.JPG")]
    assert ds.targets == [0, 1, 1, 1] and ds.imgs is ds.samples
    x, y = ds[2]
    assert isinstance(x, ember.Tensor) and tuple(x.shape) == (3, 10, 14) and y == 10
    raw = datasets.ImageFolder(str(tmp_path))
    assert isinstance(raw[0][0], Image.Image) and raw[0][0].mode == "RGB"
    assert "Number of datapoints: 4" in repr(ds)


def test_is_valid_file_and_allow_empty(tmp_path):
    make_tree(tmp_path, {"a": ["x.jpg", "keep.txt"], "b": ["y.jpg"], "empty": []})
    with pytest.raises(FileNotFoundError, match="Found no valid file for the classes empty"):
        datasets.ImageFolder(str(tmp_path))
    ds = datasets.ImageFolder(str(tmp_path), allow_empty=True)
    assert ds.classes == ["a", "b", "empty"] and len(ds) == 2
    txt = datasets.DatasetFolder(str(tmp_path), loader=lambda p: open(p).read(),
                                 is_valid_file=lambda p: p.endswith(".txt"), allow_empty=True)
    assert len(txt) == 1 and txt[0] == ("not an image", 0)
    with pytest.raises(ValueError, match="Both extensions and is_valid_file"):
        datasets.DatasetFolder(str(tmp_path), loader=print, extensions=(".jpg",), is_valid_file=lambda p: True)


def test_no_class_folders(tmp_path):
    with pytest.raises(FileNotFoundError, match="Couldn't find any class folder"):
        datasets.ImageFolder(str(tmp_path))


def test_damaged_image_names_file(tmp_path):
    make_tree(tmp_path, {"a": ["x.jpg"]})
    with open(tmp_path / "a" / "x.jpg", "wb") as f:
        f.write(b"\xff\xd8 broken jpeg")
    with pytest.raises(RuntimeError, match="x.jpg: cannot read image"):
        datasets.ImageFolder(str(tmp_path))[0]


def test_fake_data_is_stable_per_index():
    ds = datasets.FakeData(size=4, image_size=(3, 6, 5), num_classes=3, transform=T.PILToTensor())
    ember.manual_seed(123)
    before = ember.rand(1).item()
    ember.manual_seed(123)
    a, ya = ds[2]
    assert ember.rand(1).item() == before  # the global RNG state is restored
    b, yb = ds[2]
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert ya == yb and 0 <= ya < 3 and tuple(a.shape) == (3, 6, 5)
    assert not np.array_equal(ds[1][0].numpy(), a.numpy())
    with pytest.raises(IndexError):
        ds[4]


@pytest.mark.skipif(importlib.util.find_spec("sklearn") is None, reason="SKLearnDigits reads scikit-learn's files")
def test_sklearn_digits():
    train = datasets.SKLearnDigits(train=True)
    test = datasets.SKLearnDigits(train=False)
    every = datasets.SKLearnDigits(train=None)
    assert len(every) == 1797 and len(train) + len(test) == 1797 and 340 < len(test) < 380
    img, label = test[0]
    assert img.mode == "L" and img.size == (8, 8) and 0 <= label <= 9
    assert int(train.data.max()) == 255 and train.classes == [str(i) for i in range(10)]
    # stratified: every class appears in the test split about 20% of its size
    counts = np.bincount(test.targets.numpy(), minlength=10)
    assert counts.min() >= 33
    x, y = datasets.SKLearnDigits(train=False, transform=T.ToTensor(), target_transform=float)[0]
    assert tuple(x.shape) == (1, 8, 8) and isinstance(y, float)
