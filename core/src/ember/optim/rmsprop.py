"""RMSprop, plain or centered, with optional momentum (torch.optim.RMSprop)."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from . import _multi_tensor
from ._functional import advance_step, arrays, bump_all, lerp_, step_state, use_multi_tensor, zeros_state
from .optimizer import Optimizer, _check_lr, _check_nonneg, _hyper

__all__ = ["RMSprop", "rmsprop"]


class RMSprop(Optimizer):
    """RMSprop; state: 'step', 'square_avg', and 'momentum_buffer' (momentum > 0), 'grad_avg' (centered)."""

    _group_fallbacks = {"momentum": 0, "centered": False, "foreach": None, "maximize": False,
                        "differentiable": False, "capturable": False}

    def __init__(self, params, lr: float | Tensor = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False, differentiable: bool = False) -> None:
        _check_lr(lr)
        _check_nonneg("epsilon", eps)
        _check_nonneg("momentum", momentum)
        _check_nonneg("weight_decay", weight_decay)
        _check_nonneg("alpha", alpha)
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps, "centered": centered,
                    "weight_decay": weight_decay, "capturable": capturable, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable}
        super().__init__(params, defaults)

    def _init_state(self, state, p, group):
        """The state a parameter starts with, at its first step."""
        state["step"] = step_state()
        state["square_avg"] = zeros_state(p)
        if group["momentum"] > 0:
            state["momentum_buffer"] = zeros_state(p)
        if group["centered"]:
            state["grad_avg"] = zeros_state(p)

    def step(self, closure=None):
        """One RMSprop update of every parameter that has a gradient."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            params, states = self._params_and_states(group)
            momentum, centered = _hyper(group["momentum"]), group["centered"]
            rmsprop(params, [p.grad for p in params], [s["square_avg"] for s in states],
                    [s["grad_avg"] for s in states] if centered else [],
                    [s["momentum_buffer"] for s in states] if momentum > 0 else [], [s["step"] for s in states],
                    lr=_hyper(group["lr"]), alpha=_hyper(group["alpha"]), eps=_hyper(group["eps"]),
                    weight_decay=_hyper(group["weight_decay"]), momentum=momentum, centered=centered,
                    maximize=group["maximize"], foreach=use_multi_tensor(group))
        return loss


def rmsprop(params: list[Tensor], grads: list[Tensor], square_avgs: list[Tensor], grad_avgs: list[Tensor],
            momentum_buffer_list: list[Tensor], state_steps: list[Tensor], *, lr: float, alpha: float, eps: float,
            weight_decay: float, momentum: float, centered: bool, maximize: bool, foreach: bool = False) -> None:
    """Functional RMSprop: updates params and state in place."""
    if not params:
        return
    fn = _multi_tensor.rmsprop if foreach else _single_tensor_rmsprop
    fn(params, grads, square_avgs, grad_avgs, momentum_buffer_list, state_steps, lr=lr, alpha=alpha, eps=eps,
       weight_decay=weight_decay, momentum=momentum, centered=centered, maximize=maximize)
    bump_all(params, square_avgs, grad_avgs, momentum_buffer_list)


def _single_tensor_rmsprop(params, grads, square_avgs, grad_avgs, momentum_buffer_list, state_steps, *, lr, alpha,
                           eps, weight_decay, momentum, centered, maximize):
    for i, param in enumerate(params):
        p, g, v = arrays(param, grads[i], square_avgs[i])
        if maximize:
            g = -g
        advance_step(state_steps[i])
        if weight_decay != 0:
            g = g + float(weight_decay) * p
        v *= float(alpha)
        v += float(1 - alpha) * g * g
        if centered:
            (ga,) = arrays(grad_avgs[i])
            lerp_(ga, g, 1 - alpha)
            avg = np.sqrt(v + (-ga) * ga)
        else:
            avg = np.sqrt(v)
        avg += float(eps)
        if momentum > 0:
            (buf,) = arrays(momentum_buffer_list[i])
            buf *= float(momentum)
            buf += g / avg
            p += float(-lr) * buf
        else:
            p += float(-lr) * g / avg
