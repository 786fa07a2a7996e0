"""Image datasets. URLs and checksums are the ones torchvision publishes (torchvision/datasets/*.py)."""

from __future__ import annotations

from ._types import FileSpec, Record

_MNIST_MIRRORS = ("https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/")
# Sizes in bytes of the four MNIST files, as reported by the original download scripts.
_MNIST_SIZES = {
    "train-images-idx3-ubyte.gz": 9912422,
    "train-labels-idx1-ubyte.gz": 28881,
    "t10k-images-idx3-ubyte.gz": 1648877,
    "t10k-labels-idx1-ubyte.gz": 4542,
}


_QMNIST = "https://raw.githubusercontent.com/facebookresearch/qmnist/master/"
_VGG_FLOWERS = ("https://thor.robots.ox.ac.uk/datasets/flowers-102/", "https://www.robots.ox.ac.uk/~vgg/data/flowers/102/")
_VGG_PETS = ("https://thor.robots.ox.ac.uk/pets/", "https://www.robots.ox.ac.uk/~vgg/data/pets/data/")


def _idx_files(mirrors: tuple[str, ...], md5s: dict[str, str], sizes: dict[str, int] | None = None):
    sizes = sizes or {}
    return tuple(
        FileSpec(name, tuple(m + name for m in mirrors), md5=md5, size=sizes.get(name)) for name, md5 in md5s.items()
    )


RECORDS = (
    Record(
        name="mnist",
        files=_idx_files(
            _MNIST_MIRRORS,
            {
                "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
                "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
                "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
                "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
            },
            _MNIST_SIZES,
        ),
        homepage="http://yann.lecun.com/exdb/mnist/",
        licence="not stated by the authors",
        citation="Y. LeCun, L. Bottou, Y. Bengio, P. Haffner. Gradient-based learning applied to document "
        "recognition. Proceedings of the IEEE 86(11), 1998.",
        description="70,000 28x28 grayscale handwritten digits (60,000 train, 10,000 test), 10 classes.",
    ),
    Record(
        name="fashion-mnist",
        aliases=("fashionmnist",),
        files=_idx_files(
            ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",),
            {
                "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
                "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
                "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
                "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
            },
        ),
        homepage="https://github.com/zalandoresearch/fashion-mnist",
        licence="MIT",
        citation="H. Xiao, K. Rasul, R. Vollgraf. Fashion-MNIST: a Novel Image Dataset for Benchmarking Machine "
        "Learning Algorithms. arXiv:1708.07747, 2017.",
        description="70,000 28x28 grayscale images of clothing in MNIST's format, 10 classes.",
    ),
    Record(
        name="kmnist",
        files=_idx_files(
            ("http://codh.rois.ac.jp/kmnist/dataset/kmnist/",),
            {
                "train-images-idx3-ubyte.gz": "bdb82020997e1d708af4cf47b453dcf7",
                "train-labels-idx1-ubyte.gz": "e144d726b3acfaa3e44228e80efcd344",
                "t10k-images-idx3-ubyte.gz": "5c965bf0a639b31b8f53240b1b52f4d7",
                "t10k-labels-idx1-ubyte.gz": "7320c461ea6c1c855c0b718fb2a4b134",
            },
        ),
        homepage="https://github.com/rois-codh/kmnist",
        licence="CC BY-SA 4.0",
        citation="T. Clanuwat, M. Bober-Irizar, A. Kitamoto, A. Lamb, K. Yamamoto, D. Ha. Deep Learning for "
        "Classical Japanese Literature. arXiv:1812.01718, 2018.",
        description="Kuzushiji-MNIST: 70,000 28x28 grayscale cursive Japanese characters, MNIST format, 10 classes.",
    ),
    Record(
        name="emnist",
        files=(
            FileSpec(
                "gzip.zip",
                (
                    "https://biometrics.nist.gov/cs_links/EMNIST/gzip.zip",
                    # the address older torchvision releases used
                    "https://www.itl.nist.gov/iaui/vip/cs_links/EMNIST/gzip.zip",
                ),
                md5="58c8d27c78d21e728a6bc7b3cc06412e",
            ),
        ),
        homepage="https://www.nist.gov/itl/products-and-services/emnist-dataset",
        licence="not stated by the authors (NIST)",
        citation="G. Cohen, S. Afshar, J. Tapson, A. van Schaik. EMNIST: an extension of MNIST to handwritten "
        "letters. arXiv:1702.05373, 2017.",
        description="Handwritten letters and digits in MNIST's format; splits byclass, bymerge, balanced, letters, "
        "digits, mnist (all inside one zip of gzip'd idx files).",
    ),
    Record(
        name="cifar-10",
        aliases=("cifar10",),
        files=(
            FileSpec(
                "cifar-10-python.tar.gz",
                ("https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",),
                md5="c58f30108f718f92721af3b95e74349a",
                size=170498071,
            ),
        ),
        homepage="https://www.cs.toronto.edu/~kriz/cifar.html",
        licence="not stated by the authors",
        citation="A. Krizhevsky. Learning Multiple Layers of Features from Tiny Images. Technical report, "
        "University of Toronto, 2009.",
        description="60,000 32x32 colour images (50,000 train, 10,000 test), 10 classes; python pickle batches.",
    ),
    Record(
        name="cifar-100",
        aliases=("cifar100",),
        files=(
            FileSpec(
                "cifar-100-python.tar.gz",
                ("https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz",),
                md5="eb9058c3a382ffc7106e4002c42a8d85",
                size=169001437,
            ),
        ),
        homepage="https://www.cs.toronto.edu/~kriz/cifar.html",
        licence="not stated by the authors",
        citation="A. Krizhevsky. Learning Multiple Layers of Features from Tiny Images. Technical report, "
        "University of Toronto, 2009.",
        description="60,000 32x32 colour images (50,000 train, 10,000 test), 100 fine / 20 coarse classes.",
    ),
    Record(
        name="svhn",
        files=(
            FileSpec(
                "train_32x32.mat",
                ("http://ufldl.stanford.edu/housenumbers/train_32x32.mat",),
                md5="e26dedcc434d2e4c54c9b2d4a06d8373",
            ),
            FileSpec(
                "test_32x32.mat",
                ("http://ufldl.stanford.edu/housenumbers/test_32x32.mat",),
                md5="eb5a983be6a315427106f1b164d9cef3",
            ),
            FileSpec(
                "extra_32x32.mat",
                ("http://ufldl.stanford.edu/housenumbers/extra_32x32.mat",),
                md5="a93ce644f1a588dc4d68dda5feec44a7",
            ),
        ),
        homepage="http://ufldl.stanford.edu/housenumbers/",
        licence="non-commercial use only (per the homepage)",
        citation="Y. Netzer, T. Wang, A. Coates, A. Bissacco, B. Wu, A. Y. Ng. Reading Digits in Natural Images "
        "with Unsupervised Feature Learning. NIPS Workshop on Deep Learning and Unsupervised Feature Learning, 2011.",
        description="Street View House Numbers, cropped 32x32 digits: train, test and extra splits as .mat files.",
    ),
    Record(
        name="qmnist",
        files=_idx_files((_QMNIST,), {
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
        files=_idx_files(("http://ai.stanford.edu/~acoates/stl10/",),
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
        files=_idx_files(_VGG_FLOWERS, {
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
        files=_idx_files(_VGG_PETS, {
            "images.tar.gz": "5c4f3ee8e5d25df40f4fd59a7f44e54c",
            "annotations.tar.gz": "95a8c909bbe2e81eed6a22bccdf3f68f",
        }),
        homepage="https://www.robots.ox.ac.uk/~vgg/data/pets/",
        licence="CC BY-SA 4.0",
        citation="O. M. Parkhi, A. Vedaldi, A. Zisserman, C. V. Jawahar. Cats and Dogs. CVPR 2012.",
        description="7,349 photos of 37 cat and dog breeds with trimap segmentations; trainval/test splits.",
    ),
)
