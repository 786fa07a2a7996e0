"""pin_memory: page-locked host memory through CuPy when a GPU is present; a warning and a no-op otherwise."""

import pytest

import ember
from ember.utils.data import DataLoader, Dataset, TensorDataset
from ember.utils.data._pin_memory import pin_memory


class Range(Dataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return i


def values(loader):
    return [b.tolist() for b in loader]


def test_pin_memory_without_gpu_warns_and_passes_data_through():
    if ember.cuda.is_available():
        pytest.skip("a GPU is present: pinned memory is used")
    loader = DataLoader(Range(4), batch_size=2, pin_memory=True)
    with pytest.warns(UserWarning, match="'pin_memory' argument is set as true but no accelerator is found, then "
                                         "device pinned memory won't be used."):
        assert values(loader) == [[0, 1], [2, 3]]


@pytest.mark.cuda
def test_pin_memory_with_gpu_uses_page_locked_memory():
    if not ember.cuda.is_available():
        pytest.skip("needs a GPU")
    import cupy

    ds = TensorDataset(ember.arange(64).reshape(16, 4), ember.arange(16))
    for workers in (0, 1):
        batches = list(DataLoader(ds, batch_size=8, pin_memory=True, num_workers=workers))
        x = batches[0][0]
        assert x.tolist() == ember.arange(32).reshape(8, 4).tolist()
        ptr = x._data.__array_interface__["data"][0]
        attrs = cupy.cuda.runtime.pointerGetAttributes(ptr)
        assert attrs.type == getattr(cupy.cuda.runtime, "memoryTypeHost", 1)  # page-locked host memory


def test_pin_memory_structure():
    class Pinnable:
        def pin_memory(self):
            return "pinned"

    assert pin_memory({"a": (1, "s"), "b": Pinnable()}) == {"a": [1, "s"], "b": "pinned"}


def test_pin_memory_device_is_deprecated():
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        iter(DataLoader(Range(2), pin_memory=True, pin_memory_device="cuda"))
    assert any("pin_memory_device is deprecated" in str(w.message) for w in caught)


def test_no_warning_without_pin_memory():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert values(DataLoader(Range(2))) == [[0], [1]]
