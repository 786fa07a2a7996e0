"""Catalog records embervision's datasets need that emberdata's catalog does not carry yet.

URLs and md5s are torchvision's (torchvision/datasets/{mnist,stl10,flowers102,oxford_iiit_pet}.py). Each is
registered only when emberdata has no record of that name, so emberdata's own record wins once it exists.
"""

from __future__ import annotations

import emberdata
from emberdata.catalog import FileSpec, Record

_QMNIST = "https://raw.githubusercontent.com/facebookresearch/qmnist/master/"
_VGG_FLOWERS = ("https://thor.robots.ox.ac.uk/datasets/flowers-102/", "https://www.robots.ox.ac.uk/~vgg/data/flowers/102/")
_VGG_PETS = ("https://thor.robots.ox.ac.uk/pets/", "https://www.robots.ox.ac.uk/~vgg/data/pets/data/")


def _files(prefixes, md5s: dict[str, str]) -> tuple[FileSpec, ...]:
    prefixes = (prefixes,) if isinstance(prefixes, str) else prefixes
    return tuple(FileSpec(name, tuple(p + name for p in prefixes), md5=md5) for name, md5 in md5s.items())


RECORDS = (
    Record(
        name="qmnist",
        files=_files(_QMNIST, {
            "qmnist-train-images-idx3-ubyte.gz": "ed72d4157d28c017586c42bc6afe6370",
            "qmnist-train-labels-idx2-int.gz": "0058f8dd561b90ffdd0f734c6a30e5e4",
            "qmnist-test-images-idx3-ubyte.gz": "1394631089c404de565df7b7aeaf9412",
            "qmnist-test-labels-idx2-int.gz": "5b5b05890a5e13444e108efe57b788aa",
            "xnist-images-idx3-ubyte.xz": "7f124b3b8ab81486c9d8c2749c17f834",
            "xnist-labels-idx2-int.xz": "5ed0e788978e45d4a8bd4b7caec3d79d",
        }),
        homepage="https://github.com/facebookresearch/qmnist",
        licence="BSD-style (per the repository)",
        citation="C. Yadav, L. Bottou. Cold Case: The Lost MNIST Digits. NeurIPS 2019.",
        description="MNIST's test set rebuilt from NIST, with extended labels (QMNIST); train, test and nist sets.",
    ),
    Record(
        name="stl10",
        aliases=("stl-10",),
        files=_files("http://ai.stanford.edu/~acoates/stl10/",
                     {"stl10_binary.tar.gz": "91f7769df0f17e558f3565bffb0c7dfb"}),
        homepage="https://cs.stanford.edu/~acoates/stl10/",
        licence="not stated by the authors",
        citation="A. Coates, H. Lee, A. Y. Ng. An Analysis of Single Layer Networks in Unsupervised Feature "
        "Learning. AISTATS 2011.",
        description="96x96 colour images: 5,000 train, 8,000 test (10 classes) and 100,000 unlabeled; binary files.",
    ),
    Record(
        name="flowers-102",
        aliases=("flowers102",),
        files=_files(_VGG_FLOWERS, {
            "102flowers.tgz": "52808999861908f626f3c1f4e79d11fa",
            "imagelabels.mat": "e0620be6f572b9609742df49c70aed4d",
            "setid.mat": "a5357ecc9cb78c4bef273ce3793fc85c",
        }),
        homepage="https://www.robots.ox.ac.uk/~vgg/data/flowers/102/",
        licence="not stated by the authors",
        citation="M.-E. Nilsback, A. Zisserman. Automated Flower Classification over a Large Number of Classes. "
        "ICVGIP 2008.",
        description="8,189 flower photos in 102 classes with train/val/test splits (.mat label files).",
    ),
    Record(
        name="oxford-iiit-pet",
        aliases=("oxfordiiitpet",),
        files=_files(_VGG_PETS, {
            "images.tar.gz": "5c4f3ee8e5d25df40f4fd59a7f44e54c",
            "annotations.tar.gz": "95a8c909bbe2e81eed6a22bccdf3f68f",
        }),
        homepage="https://www.robots.ox.ac.uk/~vgg/data/pets/",
        licence="CC BY-SA 4.0",
        citation="O. M. Parkhi, A. Vedaldi, A. Zisserman, C. V. Jawahar. Cats and Dogs. CVPR 2012.",
        description="7,349 photos of 37 cat and dog breeds with trimap segmentations; trainval/test splits.",
    ),
)


def register_missing() -> None:
    known = set(emberdata.catalog.list())
    for record in RECORDS:
        if record.name not in known:
            emberdata.catalog.register(record)
