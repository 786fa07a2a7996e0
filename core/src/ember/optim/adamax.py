"""Adamax: Adam with the infinity norm (torch.optim.Adamax)."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from . import _multi_tensor
from ._functional import advance_step, arrays, bump_all, lerp_, step_state, use_multi_tensor, zeros_state
from .optimizer import Optimizer, _check_betas, _check_lr, _check_nonneg, _hyper

__all__ = ["Adamax", "adamax"]


class Adamax(Optimizer):
    """Adamax; state per parameter: 'step', 'exp_avg', 'exp_inf'."""

    _group_fallbacks = {"foreach": None, "maximize": False, "differentiable": False, "capturable": False}

    def __init__(self, params, lr: float | Tensor = 2e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, foreach: bool | None = None, *, maximize: bool = False,
                 differentiable: bool = False, capturable: bool = False) -> None:
        _check_lr(lr)
        _check_nonneg("epsilon", eps)
        _check_betas(betas)
        _check_nonneg("weight_decay", weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    def _init_state(self, state, p, group):
        """The state a parameter starts with, at its first step."""
        state["step"] = step_state()
        state["exp_avg"] = zeros_state(p)
        state["exp_inf"] = zeros_state(p)

    def step(self, closure=None):
        """One Adamax update of every parameter that has a gradient."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            params, states = self._params_and_states(group)
            beta1, beta2 = group["betas"]
            adamax(params, [p.grad for p in params], [s["exp_avg"] for s in states], [s["exp_inf"] for s in states],
                   [s["step"] for s in states], eps=_hyper(group["eps"]), beta1=_hyper(beta1),
                   beta2=_hyper(beta2), lr=_hyper(group["lr"]), weight_decay=_hyper(group["weight_decay"]),
                   maximize=group["maximize"], foreach=use_multi_tensor(group))
        return loss


def adamax(params: list[Tensor], grads: list[Tensor], exp_avgs: list[Tensor], exp_infs: list[Tensor],
           state_steps: list[Tensor], *, eps: float, beta1: float, beta2: float, lr: float, weight_decay: float,
           maximize: bool, foreach: bool = False) -> None:
    """Functional Adamax: updates params and state in place."""
    if not params:
        return
    fn = _multi_tensor.adamax if foreach else _single_tensor_adamax
    fn(params, grads, exp_avgs, exp_infs, state_steps, eps=eps, beta1=beta1, beta2=beta2, lr=lr,
       weight_decay=weight_decay, maximize=maximize)
    bump_all(params, exp_avgs, exp_infs)


def _single_tensor_adamax(params, grads, exp_avgs, exp_infs, state_steps, *, eps, beta1, beta2, lr, weight_decay,
                          maximize):
    for i, param in enumerate(params):
        p, g, m, u = arrays(param, grads[i], exp_avgs[i], exp_infs[i])
        if maximize:
            g = -g
        step = advance_step(state_steps[i])
        if weight_decay != 0:
            g = g + float(weight_decay) * p
        lerp_(m, g, 1 - beta1)
        u *= float(beta2)
        np.maximum(u, np.abs(g) + float(eps), out=u)
        clr = lr / (1 - beta1**step)
        p += float(-clr) * m / u
