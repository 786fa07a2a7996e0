"""Devices: parsing, the CPU/CUDA queries without a GPU, and (marked cuda) every op family on a GPU."""

import numpy as np
import pytest

import ember


def test_device_parsing_and_equality():
    assert ember.device("cpu") == "cpu"
    d = ember.device("cuda:1")
    assert (d.type, d.index) == ("cuda", 1)
    assert ember.device("cuda", 0) == ember.device("cuda:0")
    assert repr(ember.device("cuda", 0)) == "device(type='cuda', index=0)"
    assert str(ember.device("cpu")) == "cpu"
    with pytest.raises(RuntimeError, match="Expected one of cpu, cuda"):
        ember.device("tpu")
    with pytest.raises(RuntimeError, match="Invalid device string"):
        ember.device("cuda:x")


def test_cpu_tensor_device_and_flags():
    x = ember.ones(2)
    assert x.device == ember.device("cpu") and x.is_cpu and not x.is_cuda
    assert x.get_device() == -1
    assert x.to("cpu") is x and x.cpu() is x


def test_queries_answer_without_a_gpu(monkeypatch):
    import ember.cuda as cuda

    monkeypatch.setattr(cuda, "_available", False)
    assert cuda.is_available() is False
    assert cuda.device_count() == 0
    assert cuda.memory_allocated() == 0
    cuda.synchronize()  # a no-op without a GPU
    assert ember.accelerator.is_available() is False
    assert ember.accelerator.current_accelerator() is None
    assert ember.accelerator.device_count() == 0
    with pytest.raises(RuntimeError, match="no CUDA GPU"):
        cuda.current_device()


def test_backend_flags_are_settable():
    ember.backends.cudnn.benchmark = True
    ember.backends.cudnn.deterministic = True
    assert ember.backends.cudnn.benchmark and ember.backends.cudnn.deterministic
    ember.backends.cudnn.benchmark = False
    ember.backends.cudnn.deterministic = False
    assert ember.backends.mps.is_available() is False


# ---------------------------------------------------------------------------- on a GPU
@pytest.mark.cuda
def test_to_cuda_and_back_keeps_values_and_dtype():
    x = ember.arange(6, dtype=ember.float32).reshape(2, 3)
    g = x.cuda()
    assert g.device == ember.device("cuda:0") and g.is_cuda and g.dtype is ember.float32
    assert "device='cuda:0'" in repr(g)
    np.testing.assert_array_equal(g.cpu().numpy(), x.numpy())
    assert ember.zeros(2, device="cuda").is_cuda


@pytest.mark.cuda
def test_mixing_devices_names_both():
    a = ember.ones(3)
    b = ember.ones(3, device="cuda")
    with pytest.raises(RuntimeError, match=r"cpu and cuda:0|cuda:0 and cpu"):
        a + b
    with pytest.raises(RuntimeError, match=r"cpu|cuda:0"):
        ember.cat([a, b])


@pytest.mark.cuda
def test_every_op_family_runs_on_cuda_with_autograd():
    ember.manual_seed(0)
    xc = ember.randn(4, 5, dtype=ember.float64)
    wc = ember.randn(5, 3, dtype=ember.float64)
    results = []
    for dev in ("cpu", "cuda"):
        # detach: .to('cpu') returns xc itself, so without it the cuda copy is a non-leaf with no .grad
        x = xc.to(dev).detach().requires_grad_()
        w = wc.to(dev).detach().requires_grad_()
        h = (x @ w).tanh() * 2 + x[:, :3].exp() - x.sum(1, keepdim=True).sigmoid()
        h = h.clamp(-1, 5).reshape(-1).sort().values[::2]
        loss = h.logsumexp(0) + h.std() + h.max()
        loss.backward()
        results.append((loss.item(), x.grad.cpu().numpy(), w.grad.cpu().numpy()))
    (l0, gx0, gw0), (l1, gx1, gw1) = results
    assert abs(l0 - l1) < 1e-10
    np.testing.assert_allclose(gx0, gx1, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gw0, gw1, rtol=1e-10, atol=1e-12)


@pytest.mark.cuda
def test_cuda_queries_with_a_gpu():
    assert ember.cuda.is_available() and ember.cuda.device_count() >= 1
    assert ember.accelerator.current_accelerator() == ember.device("cuda")
    x = ember.ones(1024, device="cuda")
    assert ember.cuda.memory_allocated() >= x.nbytes
    ember.cuda.synchronize()
    ember.cuda.manual_seed(3)
    a = ember.rand(3, device="cuda")
    ember.cuda.manual_seed(3)
    b = ember.rand(3, device="cuda")
    np.testing.assert_array_equal(a.cpu().numpy(), b.cpu().numpy())


def test_pin_memory_needs_a_gpu(monkeypatch):
    import ember.cuda as cuda

    monkeypatch.setattr(cuda, "_available", False)
    x = ember.ones(3)
    assert not x.is_pinned()
    with pytest.raises(RuntimeError, match="accelerator"):
        x.pin_memory()


@pytest.mark.cuda
def test_pin_memory_with_a_gpu():
    x = ember.arange(6.0)
    p = x.pin_memory()
    assert p.is_pinned() and p.is_cpu and p.tolist() == x.tolist()
    assert p.pin_memory() is p

