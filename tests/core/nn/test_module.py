"""nn/modules/module.py: registration, traversal, state_dict, modes, conversion, hooks, repr, attribute rules."""

import copy
import pickle
import warnings
from collections import OrderedDict

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F

from .parity import env, meta


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(3, 4)
        self.act = nn.ReLU()
        self.block = nn.Sequential(nn.Linear(4, 4), nn.Tanh())
        self.register_buffer("running", ember.zeros(4))
        self.register_buffer("scratch", ember.ones(2), persistent=False)
        self.scale = nn.Parameter(ember.tensor(2.0))

    def forward(self, x):
        return self.block(self.act(self.fc1(x))) * self.scale + self.running


# ---------------------------------------------------------------------------- registration and traversal
def test_attribute_registration():
    net = Net()
    assert list(net._parameters) == ["scale"]
    assert list(net._modules) == ["fc1", "act", "block"]
    assert list(net._buffers) == ["running", "scratch"]
    assert net._non_persistent_buffers_set == {"scratch"}
    net.extra = ember.ones(1)  # a plain tensor is a plain attribute
    assert "extra" in net.__dict__ and "extra" not in net._buffers
    net.running = ember.full((4,), 3.0)  # assigning to a buffer name re-registers the buffer
    assert net._buffers["running"][0].item() == 3.0
    net.buf2 = nn.Buffer(ember.zeros(1), persistent=False)
    assert "buf2" in net._buffers and "buf2" in net._non_persistent_buffers_set
    net.fc1 = None  # None keeps the slot
    assert net._modules["fc1"] is None and net.fc1 is None
    net.register_module("fc1", nn.Linear(3, 4))
    net.add_module("head", nn.Linear(4, 1))
    assert list(net._modules) == ["fc1", "act", "block", "head"]


def test_named_members():
    net = Net()
    names = [n for n, _ in net.named_parameters()]
    assert names == ["scale", "fc1.weight", "fc1.bias", "block.0.weight", "block.0.bias"]
    assert [n for n, _ in net.named_parameters(prefix="net")][0] == "net.scale"
    assert [n for n, _ in net.named_parameters(recurse=False)] == ["scale"]
    assert [n for n, _ in net.named_buffers()] == ["running", "scratch"]
    assert [n for n, _ in net.named_children()] == ["fc1", "act", "block"]
    assert [n for n, _ in net.named_modules()] == ["", "fc1", "act", "block", "block.0", "block.1"]
    assert [n for n, _ in net.named_modules(prefix="m")][:2] == ["m", "m.fc1"]
    assert len(list(net.parameters())) == 5 and len(list(net.modules())) == 6
    assert len(list(net.children())) == 3 and len(list(net.buffers())) == 2


def test_shared_parameters_and_modules_listed_once():
    shared = nn.Linear(2, 2)
    seq = nn.Sequential(shared, nn.ReLU(), shared)
    assert [n for n, _ in seq.named_parameters()] == ["0.weight", "0.bias"]
    assert [n for n, _ in seq.named_parameters(remove_duplicate=False)] == ["0.weight", "0.bias", "2.weight",
                                                                           "2.bias"]
    assert [n for n, _ in seq.named_modules(remove_duplicate=False)] == ["", "0", "1", "2"]
    assert [n for n, _ in seq.named_modules()] == ["", "0", "1"]
    assert list(seq.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_get_submodule_parameter_buffer():
    net = Net()
    assert net.get_submodule("block.0") is net.block[0]
    assert net.get_submodule("") is net
    assert net.get_parameter("block.0.bias") is net.block[0].bias
    assert net.get_buffer("running") is net.running
    with pytest.raises(AttributeError, match="`fc1` is not a buffer"):
        net.get_buffer("fc1")
    with pytest.raises(AttributeError, match="`weight` is not an nn.Module"):
        net.get_submodule("fc1.weight")
    net.set_submodule("block.1", nn.Sigmoid())
    assert isinstance(net.block[1], nn.Sigmoid)


def test_delattr_and_dir():
    net = Net()
    assert {"fc1", "scale", "running", "forward"} <= set(dir(net))
    del net.fc1
    del net.scale
    del net.running
    assert "fc1" not in net._modules and "scale" not in net._parameters and "running" not in net._buffers
    with pytest.raises(AttributeError, match="'Net' object has no attribute 'fc1'"):
        _ = net.fc1
    assert "0" not in dir(nn.Sequential(nn.ReLU()))


def test_registration_before_init_fails():
    class Early(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(ember.ones(1))
            super().__init__()

    with pytest.raises(AttributeError, match="cannot assign parameters before Module.__init__\\(\\) call"):
        Early()


def test_register_errors():
    m = nn.Module()
    with pytest.raises(TypeError, match="cannot assign 'torch.FloatTensor' object to parameter 'w'"):
        m.register_parameter("w", ember.ones(1))
    with pytest.raises(ValueError, match="Cannot assign non-leaf Tensor to parameter 'w'"):
        leaf = nn.Parameter(ember.ones(1))
        nonleaf = leaf * 2
        nonleaf.__class__ = nn.Parameter
        m.register_parameter("w", nonleaf)
    with pytest.raises(TypeError, match="is not a Module subclass"):
        m.add_module("x", 3)
    with pytest.raises(TypeError, match="buffer name should be a string"):
        m.register_buffer(1, None)
    with pytest.raises(TypeError, match="cannot assign 'int' object to buffer 'b'"):
        m.register_buffer("b", 3)
    with pytest.raises(TypeError, match="Module.__init__\\(\\) got an unexpected keyword argument 'foo'"):
        nn.Module(foo=1)


@pytest.mark.parametrize("key", [k for k in meta()["errors"] if k in (
    "assign_tensor_to_param", "assign_tensor_to_module", "register_dotted", "register_existing", "get_submodule",
    "get_parameter", "module_missing_attr", "forward_missing", "state_dict_shape", "state_dict_missing",
    "state_dict_unexpected")])
def test_errors_match_torch(key):
    expr, (etype, message) = meta()["errors"][key]
    with pytest.raises(Exception) as info:
        eval(expr, env())
    assert type(info.value).__name__ == etype
    assert str(info.value) == message


# ---------------------------------------------------------------------------- state_dict
def test_state_dict_contents():
    net = Net()
    sd = net.state_dict()
    assert isinstance(sd, OrderedDict) and not hasattr(sd, "_metadata")
    assert list(sd) == ["scale", "running", "fc1.weight", "fc1.bias", "block.0.weight", "block.0.bias"]
    assert not sd["fc1.weight"].requires_grad and sd["fc1.weight"].data_ptr() == net.fc1.weight.data_ptr()
    kept = net.state_dict(keep_vars=True)
    assert kept["fc1.weight"] is net.fc1.weight
    assert list(net.state_dict(prefix="model."))[0] == "model.scale"
    dest = OrderedDict()
    assert net.state_dict(destination=dest) is dest


def test_load_state_dict_copies_in_place():
    src, dst = Net(), Net()
    with ember.no_grad():
        src.running.fill_(7.0)
    w = dst.fc1.weight
    result = dst.load_state_dict(src.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == [] and repr(result) == \
        "<All keys matched successfully>"
    assert dst.fc1.weight is w and w.requires_grad  # same Parameter, new values
    np.testing.assert_array_equal(w.detach().numpy(), src.fc1.weight.detach().numpy())
    np.testing.assert_array_equal(dst.running.numpy(), np.full(4, 7.0, np.float32))
    assert dst.scratch[0].item() == 1.0  # non-persistent buffers are not loaded


def test_load_state_dict_non_strict_and_assign():
    dst = Net()
    sd = Net().state_dict()
    del sd["fc1.bias"]
    sd["bogus.weight"] = ember.zeros(1)
    result = dst.load_state_dict(sd, strict=False)
    assert result.missing_keys == ["fc1.bias"] and result.unexpected_keys == ["bogus.weight"]
    assert "missing_keys=['fc1.bias']" in repr(result)
    lin = nn.Linear(2, 3)
    new_w = ember.ones(3, 2)
    lin.load_state_dict({"weight": new_w, "bias": ember.zeros(3)}, assign=True)
    assert isinstance(lin.weight, nn.Parameter) and lin.weight.requires_grad
    assert lin.weight.data_ptr() == new_w.data_ptr()


def test_load_state_dict_casts_and_scalar_compat():
    lin = nn.Linear(2, 2)
    lin.load_state_dict({k: v.double() for k, v in nn.Linear(2, 2).state_dict().items()})
    assert lin.weight.dtype == ember.float32
    m = nn.Module()
    m.p = nn.Parameter(ember.tensor(1.0))
    m.load_state_dict({"p": ember.tensor([4.0])})  # old checkpoints stored scalars as (1,)
    assert m.p.item() == 4.0
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like"):
        m.load_state_dict([1, 2])
    with pytest.raises(RuntimeError, match="expected torch.Tensor or Tensor-like object from checkpoint"):
        m.load_state_dict({"p": 3.0})


def test_state_dict_and_load_hooks():
    lin = nn.Linear(2, 2)
    calls = []
    lin.register_state_dict_pre_hook(lambda mod, prefix, keep_vars: calls.append(("pre", prefix)))

    def drop_bias(mod, sd, prefix, local_metadata):
        del sd[prefix + "bias"]

    lin.register_state_dict_post_hook(drop_bias)
    assert list(lin.state_dict()) == ["weight"] and calls == [("pre", "")]

    def rename(module, state_dict, prefix, *args):
        if prefix + "w" in state_dict:
            state_dict[prefix + "weight"] = state_dict.pop(prefix + "w")

    lin2 = nn.Linear(2, 2)
    lin2.register_load_state_dict_pre_hook(rename)
    seen = []
    lin2.register_load_state_dict_post_hook(lambda mod, keys: seen.append(list(keys.missing_keys)))
    lin2.load_state_dict({"w": ember.ones(2, 2)}, strict=False)
    assert lin2.weight.sum().item() == 4.0 and seen == [["bias"]]


def test_extra_state():
    class WithState(nn.Module):
        def __init__(self):
            super().__init__()
            self.value = 1

        def get_extra_state(self):
            return {"value": self.value}

        def set_extra_state(self, state):
            self.value = state["value"]

    m = WithState()
    m.value = 5
    sd = m.state_dict()
    assert sd["_extra_state"] == {"value": 5}
    other = WithState()
    other.load_state_dict(sd)
    assert other.value == 5


# ---------------------------------------------------------------------------- modes, grads, conversion
def test_train_eval_requires_grad_zero_grad():
    net = Net()
    assert net.training and net.block[0].training
    assert net.eval() is net and not net.block[1].training
    net.train()
    assert net.block[1].training
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        net.train("yes")
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())
    net.requires_grad_()
    net(ember.randn(2, 3)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(p.grad is not None and p.grad.abs().sum().item() == 0 for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_dtype_conversions_keep_parameter_objects():
    net = Net()
    w = net.fc1.weight
    net(ember.randn(2, 3)).sum().backward()
    assert net.double() is net
    assert net.fc1.weight is w and w.dtype == ember.float64 and w.grad.dtype == ember.float64
    assert net.running.dtype == ember.float64
    net.float()
    assert w.dtype == ember.float32
    net.half()
    assert w.dtype == ember.float16
    net.bfloat16()
    assert w.dtype == ember.bfloat16
    net.to(ember.float64)
    assert w.dtype == ember.float64
    net.to("cpu", dtype=ember.float32, non_blocking=True)
    assert w.dtype == ember.float32 and net.cpu() is net
    net.to(ember.zeros(1, dtype=ember.float64))
    assert w.dtype == ember.float64
    with pytest.raises(TypeError, match="nn.Module.to only accepts floating point or complex dtypes"):
        net.to(ember.int64)
    net.type(ember.float32)
    assert w.dtype == ember.float32


def test_int_buffers_survive_float_casts():
    m = nn.Module()
    m.register_buffer("count", ember.tensor(3))
    m.double()
    assert m.count.dtype == ember.int64


def test_apply_visits_children_first():
    net = Net()
    seen = []
    net.apply(lambda m: seen.append(type(m).__name__))
    assert seen == ["Linear", "ReLU", "Linear", "Tanh", "Sequential", "Net"]

    def init(m):
        if isinstance(m, nn.Linear):
            nn.init.zeros_(m.weight)

    net.apply(init)
    assert net.fc1.weight.abs().sum().item() == 0


def test_pickle_and_deepcopy_module():
    net = Net()
    clone = pickle.loads(pickle.dumps(net))
    x = ember.randn(2, 3)
    np.testing.assert_allclose(clone(x).detach().numpy(), net(x).detach().numpy())
    dc = copy.deepcopy(net)
    assert dc.fc1.weight is not net.fc1.weight
    np.testing.assert_allclose(dc(x).detach().numpy(), net(x).detach().numpy())


# ---------------------------------------------------------------------------- forward hooks
def test_forward_pre_and_post_hooks():
    lin = nn.Linear(2, 2)
    log = []
    h1 = lin.register_forward_pre_hook(lambda m, args: log.append("pre1"))
    h2 = lin.register_forward_pre_hook(lambda m, args: log.append("pre0"), prepend=True)
    h3 = lin.register_forward_hook(lambda m, args, out: out * 0)
    x = ember.randn(1, 2)
    assert lin(x).abs().sum().item() == 0
    assert log == ["pre0", "pre1"]
    for h in (h1, h2, h3):
        h.remove()
    assert lin(x).abs().sum().item() > 0 and not lin._forward_hooks and not lin._forward_pre_hooks


def test_hooks_replace_inputs_and_kwargs():
    class Add(nn.Module):
        def forward(self, a, b=0):
            return a + b

    m = Add()
    m.register_forward_pre_hook(lambda mod, args: (args[0] * 10,))
    m.register_forward_pre_hook(lambda mod, args, kwargs: (args, {"b": kwargs.get("b", 0) + 1}), with_kwargs=True)
    seen = {}

    def post(mod, args, kwargs, out):
        seen.update(kwargs)
        return out + 100

    m.register_forward_hook(post, with_kwargs=True)
    assert m(ember.tensor(1.0), b=ember.tensor(2.0)).item() == 113.0
    assert seen["b"].item() == 3.0
    m2 = Add()
    m2.register_forward_pre_hook(lambda mod, args, kwargs: 5, with_kwargs=True)
    with pytest.raises(RuntimeError, match="forward pre-hook must return None or a tuple of"):
        m2(ember.tensor(1.0))


def test_always_call_hook_runs_when_forward_raises():
    class Boom(nn.Module):
        def forward(self, x):
            raise ValueError("boom")

    m = Boom()
    calls = []
    m.register_forward_hook(lambda mod, args, out: calls.append("always"), always_call=True)
    m.register_forward_hook(lambda mod, args, out: calls.append("normal"))
    with pytest.raises(ValueError, match="boom"):
        m(ember.ones(1))
    assert calls == ["always"]


def test_handle_as_context_manager_and_global_hook():
    lin = nn.Linear(2, 2)
    log = []
    with lin.register_forward_hook(lambda m, a, o: log.append(1)):
        lin(ember.ones(1, 2))
    lin(ember.ones(1, 2))
    assert log == [1]
    from ember.nn.modules.module import register_module_forward_hook

    handle = register_module_forward_hook(lambda m, a, o: log.append(type(m).__name__))
    try:
        nn.Sequential(nn.ReLU())(ember.ones(1))
    finally:
        handle.remove()
    assert log == [1, "ReLU", "Sequential"]


# ---------------------------------------------------------------------------- backward hooks
def test_full_backward_hook_sees_grads_and_can_replace_them():
    lin = nn.Linear(3, 2)
    captured = {}

    def hook(module, grad_input, grad_output):
        captured["in"] = grad_input
        captured["out"] = grad_output
        return (grad_input[0] * 2,)

    lin.register_full_backward_hook(hook)
    x = ember.randn(4, 3, requires_grad=True)
    cot = ember.randn(4, 2)
    lin(x).backward(cot)
    assert len(captured["out"]) == 1 and np.allclose(captured["out"][0].numpy(), cot.numpy())
    expected = (cot.numpy() @ lin.weight.detach().numpy())
    np.testing.assert_allclose(captured["in"][0].numpy(), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(x.grad.numpy(), 2 * expected, rtol=1e-5, atol=1e-6)


def test_full_backward_pre_hook_replaces_grad_output():
    lin = nn.Linear(3, 2)
    lin.register_full_backward_pre_hook(lambda m, g: (g[0] * 0,))
    x = ember.randn(4, 3, requires_grad=True)
    lin(x).sum().backward()
    assert x.grad.abs().sum().item() == 0 and lin.weight.grad.abs().sum().item() == 0


def test_full_backward_hook_with_tuple_io_and_non_tensor_args():
    class Split(nn.Module):
        def forward(self, a, scale, b):
            return a * scale, b + 1

    m = Split()
    got = []
    m.register_full_backward_hook(lambda mod, gi, go: got.append((gi, go)))
    a = ember.randn(2, requires_grad=True)
    b = ember.randn(2, requires_grad=True)
    out1, out2 = m(a, 3.0, b)
    (out1.sum() + 2 * out2.sum()).backward()
    (gi, go), = got
    assert len(gi) == 3 and gi[1] is None
    np.testing.assert_allclose(gi[0].numpy(), np.full(2, 3.0))
    np.testing.assert_allclose(gi[2].numpy(), np.full(2, 2.0))
    np.testing.assert_allclose(go[1].numpy(), np.full(2, 2.0))


def test_full_backward_hook_when_inputs_need_no_grad():
    lin = nn.Linear(3, 2)
    got = []
    lin.register_full_backward_hook(lambda m, gi, go: got.append((gi, go)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lin(ember.randn(4, 3)).sum().backward()
    assert got and got[0][0] == (None,) and got[0][1][0].shape == (4, 2)
    assert lin.weight.grad is not None


def test_full_backward_hook_inside_sequential_order():
    order = []
    seq = nn.Sequential(nn.Linear(2, 2), nn.Tanh(), nn.Linear(2, 1))
    for i, m in enumerate(seq):
        m.register_full_backward_hook(lambda mod, gi, go, i=i: order.append(i))
    seq(ember.randn(3, 2, requires_grad=True)).sum().backward()
    assert order == [2, 1, 0]


# ---------------------------------------------------------------------------- repr
@pytest.mark.parametrize("expr", list(meta()["reprs"]))
def test_repr_matches_torch(expr):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = eval(expr, env())
    assert repr(m) == meta()["reprs"][expr].replace("torch.float32", "ember.float32")


def test_repr_of_custom_module():
    class Custom(nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = nn.Linear(1, 1)

        def extra_repr(self):
            return "alpha=1\nbeta=2"

    assert repr(Custom()) == ("Custom(\n  alpha=1\n  beta=2\n  (inner): Linear(in_features=1, out_features=1, "
                              "bias=True)\n)")
    assert repr(nn.Module()) == "Module()"


def test_functional_linear_inside_module_is_one_node():
    lin = nn.Linear(3, 2)
    out = lin(ember.randn(4, 3, requires_grad=True))
    assert out.grad_fn.name() == "LinearBackward0"
    assert F.linear(ember.randn(4, 3), lin.weight).grad_fn.name() == "LinearBackward0"


@pytest.mark.cuda
def test_module_on_cuda_matches_cpu():
    ember.manual_seed(0)
    cpu = nn.Sequential(nn.Linear(4, 8), nn.GELU(), nn.Dropout(0.0), nn.Linear(8, 3))
    gpu = copy.deepcopy(cpu).cuda()
    assert all(p.is_cuda for p in gpu.parameters())
    x = ember.randn(5, 4)
    t = ember.tensor([0, 2, 1, 1, 0])
    F.cross_entropy(cpu(x), t, label_smoothing=0.1).backward()
    F.cross_entropy(gpu(x.cuda()), t.cuda(), label_smoothing=0.1).backward()
    for p, q in zip(cpu.parameters(), gpu.parameters()):
        np.testing.assert_allclose(q.grad.cpu().numpy(), p.grad.numpy(), rtol=1e-4, atol=1e-6)
    gpu.cpu()
    assert not any(p.is_cuda for p in gpu.parameters())
