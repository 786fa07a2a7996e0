"""Adam and AdamW (torch.optim.Adam, torch.optim.AdamW), with amsgrad, weight decay and maximize."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from . import _multi_tensor
from ._functional import (advance_step, arrays, bump_all, check_fused_foreach, lerp_, step_state, use_multi_tensor,
                          zeros_state)
from .optimizer import Optimizer, _check_betas, _check_lr, _check_nonneg, _hyper

__all__ = ["Adam", "AdamW", "adam"]


class Adam(Optimizer):
    """Adam; state per parameter: 'step', 'exp_avg', 'exp_avg_sq' (and 'max_exp_avg_sq' with amsgrad)."""

    _group_fallbacks = {"amsgrad": False, "maximize": False, "foreach": None, "capturable": False,
                        "differentiable": False, "decoupled_weight_decay": False, "fused": None}

    def __init__(self, params, lr: float | Tensor = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False, differentiable: bool = False,
                 fused: bool | None = None, decoupled_weight_decay: bool = False) -> None:
        _check_lr(lr)
        _check_nonneg("epsilon", eps)
        _check_betas(betas)
        _check_nonneg("weight_decay", weight_decay)
        if not ((isinstance(betas[0], float) and isinstance(betas[1], float))
                or (isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor))):
            raise ValueError("betas must be either both floats or both Tensors")
        for i, b in enumerate(betas):
            if isinstance(b, Tensor) and b.numel() != 1:
                raise ValueError(f"Tensor betas[{i}] must be 1-element")
        betas = tuple(b.squeeze() if isinstance(b, Tensor) and b.dim() != 0 else b for b in betas)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "amsgrad": amsgrad,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable, "fused": fused,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)
        check_fused_foreach(fused, foreach)

    def _init_state(self, state, p, group):
        """The state a parameter starts with, at its first step."""
        state["step"] = step_state()
        state["exp_avg"] = zeros_state(p)
        state["exp_avg_sq"] = zeros_state(p)
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = zeros_state(p)

    def step(self, closure=None):
        """One Adam update of every parameter that has a gradient."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            params, states = self._params_and_states(group)
            amsgrad = group["amsgrad"]
            beta1, beta2 = group["betas"]
            adam(params, [p.grad for p in params], [s["exp_avg"] for s in states],
                 [s["exp_avg_sq"] for s in states], [s["max_exp_avg_sq"] for s in states] if amsgrad else [],
                 [s["step"] for s in states], amsgrad=amsgrad, beta1=_hyper(beta1), beta2=_hyper(beta2),
                 lr=_hyper(group["lr"]), weight_decay=_hyper(group["weight_decay"]), eps=_hyper(group["eps"]),
                 maximize=group["maximize"], decoupled_weight_decay=group["decoupled_weight_decay"],
                 foreach=use_multi_tensor(group))
        return loss


class AdamW(Adam):
    """Adam with decoupled weight decay (default 1e-2): the parameters shrink by lr * weight_decay each step."""

    def __init__(self, params, lr: float | Tensor = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, capturable: bool = False, differentiable: bool = False,
                 fused: bool | None = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True


def adam(params: list[Tensor], grads: list[Tensor], exp_avgs: list[Tensor], exp_avg_sqs: list[Tensor],
         max_exp_avg_sqs: list[Tensor], state_steps: list[Tensor], *, amsgrad: bool, beta1: float, beta2: float,
         lr: float, weight_decay: float, eps: float, maximize: bool, decoupled_weight_decay: bool = False,
         foreach: bool = False) -> None:
    """Functional Adam/AdamW: updates params and state in place."""
    if not params:
        return
    fn = _multi_tensor.adam if foreach else _single_tensor_adam
    fn(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, state_steps, amsgrad=amsgrad, beta1=beta1,
       beta2=beta2, lr=lr, weight_decay=weight_decay, eps=eps, maximize=maximize,
       decoupled_weight_decay=decoupled_weight_decay)
    bump_all(params, exp_avgs, exp_avg_sqs, max_exp_avg_sqs)


def _single_tensor_adam(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, state_steps, *, amsgrad, beta1,
                        beta2, lr, weight_decay, eps, maximize, decoupled_weight_decay):
    for i, param in enumerate(params):
        p, g, m, v = arrays(param, grads[i], exp_avgs[i], exp_avg_sqs[i])
        if maximize:
            g = -g
        step = advance_step(state_steps[i])
        if weight_decay != 0:
            if decoupled_weight_decay:
                p *= float(1 - lr * weight_decay)
            else:
                g = g + float(weight_decay) * p
        lerp_(m, g, 1 - beta1)
        v *= float(beta2)
        v += float(1 - beta2) * g * g
        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step
        step_size = lr / bias_correction1
        bias_correction2_sqrt = bias_correction2**0.5
        if amsgrad:
            (vmax,) = arrays(max_exp_avg_sqs[i])
            np.maximum(vmax, v, out=vmax)
            v = vmax
        denom = np.sqrt(v) / float(bias_correction2_sqrt) + float(eps)
        p += float(-step_size) * m / denom
