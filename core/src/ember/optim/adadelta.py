"""Adadelta (torch.optim.Adadelta)."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from . import _multi_tensor
from ._functional import advance_step, arrays, bump_all, step_state, use_multi_tensor, zeros_state
from .optimizer import Optimizer, _check_lr, _check_nonneg, _hyper

__all__ = ["Adadelta", "adadelta"]


class Adadelta(Optimizer):
    """Adadelta; state per parameter: 'step', 'square_avg', 'acc_delta'."""

    _group_fallbacks = {"foreach": None, "maximize": False, "differentiable": False, "capturable": False}

    def __init__(self, params, lr: float | Tensor = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, foreach: bool | None = None, *, capturable: bool = False,
                 maximize: bool = False, differentiable: bool = False) -> None:
        _check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        _check_nonneg("epsilon", eps)
        _check_nonneg("weight_decay", weight_decay)
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay, "maximize": maximize,
                    "capturable": capturable, "foreach": foreach, "differentiable": differentiable}
        super().__init__(params, defaults)

    def _init_state(self, state, p, group):
        """The state a parameter starts with, at its first step."""
        state["step"] = step_state()
        state["square_avg"] = zeros_state(p)
        state["acc_delta"] = zeros_state(p)

    def step(self, closure=None):
        """One Adadelta update of every parameter that has a gradient."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            params, states = self._params_and_states(group)
            adadelta(params, [p.grad for p in params], [s["square_avg"] for s in states],
                     [s["acc_delta"] for s in states], [s["step"] for s in states], lr=_hyper(group["lr"]),
                     rho=_hyper(group["rho"]), eps=_hyper(group["eps"]), weight_decay=_hyper(group["weight_decay"]),
                     maximize=group["maximize"], foreach=use_multi_tensor(group))
        return loss


def adadelta(params: list[Tensor], grads: list[Tensor], square_avgs: list[Tensor], acc_deltas: list[Tensor],
             state_steps: list[Tensor], *, lr: float, rho: float, eps: float, weight_decay: float, maximize: bool,
             foreach: bool = False) -> None:
    """Functional Adadelta: updates params and state in place."""
    if not params:
        return
    fn = _multi_tensor.adadelta if foreach else _single_tensor_adadelta
    fn(params, grads, square_avgs, acc_deltas, state_steps, lr=lr, rho=rho, eps=eps, weight_decay=weight_decay,
       maximize=maximize)
    bump_all(params, square_avgs, acc_deltas)


def _single_tensor_adadelta(params, grads, square_avgs, acc_deltas, state_steps, *, lr, rho, eps, weight_decay,
                            maximize):
    for i, param in enumerate(params):
        p, g, v, acc = arrays(param, grads[i], square_avgs[i], acc_deltas[i])
        advance_step(state_steps[i])
        if maximize:
            g = -g
        if weight_decay != 0:
            g = g + float(weight_decay) * p
        v *= float(rho)
        v += float(1 - rho) * g * g
        std = np.sqrt(v + float(eps))
        delta = np.sqrt(acc + float(eps)) / std * g
        acc *= float(rho)
        acc += float(1 - rho) * delta * delta
        p += float(-lr) * delta
