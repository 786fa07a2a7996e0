"""SGD with momentum, dampening, Nesterov momentum, weight decay and maximize (torch.optim.SGD)."""

from __future__ import annotations

from .._tensor import Tensor
from . import _multi_tensor
from ._functional import arrays, bump_all, check_fused_foreach, use_multi_tensor
from .optimizer import Optimizer, _check_lr, _hyper

__all__ = ["SGD", "sgd"]


class SGD(Optimizer):
    """Stochastic gradient descent; state: 'momentum_buffer' per parameter when momentum != 0."""

    _group_fallbacks = {"nesterov": False, "maximize": False, "foreach": None, "differentiable": False,
                        "fused": False}
    _scalar_state_keys = ()

    def __init__(self, params, lr: float | Tensor = 1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay: float | Tensor = 0, nesterov: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, differentiable: bool = False, fused: bool | None = None) -> None:
        _check_lr(lr)
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening, "weight_decay": weight_decay,
                    "nesterov": nesterov, "maximize": maximize, "foreach": foreach,
                    "differentiable": differentiable, "fused": fused}
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)
        check_fused_foreach(fused, foreach)

    def step(self, closure=None):
        """One SGD update of every parameter that has a gradient."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            params = self._params_with_grad(group)
            momentum = _hyper(group["momentum"])
            bufs = [self.state[p].get("momentum_buffer") for p in params] if momentum != 0 else [None] * len(params)
            sgd(params, [p.grad for p in params], bufs, weight_decay=_hyper(group["weight_decay"]),
                momentum=momentum, lr=_hyper(group["lr"]), dampening=_hyper(group["dampening"]),
                nesterov=group["nesterov"], maximize=group["maximize"], foreach=use_multi_tensor(group))
            if momentum != 0:
                for p, buf in zip(params, bufs):
                    self.state[p]["momentum_buffer"] = buf
        return loss


def sgd(params: list[Tensor], grads: list[Tensor], momentum_buffer_list: list, *, weight_decay: float,
        momentum: float, lr: float, dampening: float, nesterov: bool, maximize: bool, foreach: bool = False) -> None:
    """Functional SGD: updates params in place; fills momentum_buffer_list's None entries with new buffers."""
    if not params:
        return
    fn = _multi_tensor.sgd if foreach else _single_tensor_sgd
    fn(params, grads, momentum_buffer_list, weight_decay=weight_decay, momentum=momentum, lr=lr,
       dampening=dampening, nesterov=nesterov, maximize=maximize)
    bump_all(params, momentum_buffer_list)


def _single_tensor_sgd(params, grads, bufs, *, weight_decay, momentum, lr, dampening, nesterov, maximize):
    neg_lr = -float(lr)
    for i, param in enumerate(params):
        p, g = arrays(param, grads[i])
        if maximize:
            g = -g
        if weight_decay != 0:
            g = g + float(weight_decay) * p
        if momentum != 0:
            if bufs[i] is None:
                bufs[i] = Tensor._make(g.reshape(param._data.shape).copy())
                (buf,) = arrays(bufs[i])
            else:
                (buf,) = arrays(bufs[i])
                buf *= float(momentum)
                buf += float(1 - dampening) * g
            g = g + float(momentum) * buf if nesterov else buf
        p += neg_lr * g
