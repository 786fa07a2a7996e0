"""RAdam: Adam with a rectified adaptive learning rate (torch.optim.RAdam)."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from . import _multi_tensor
from ._functional import advance_step, arrays, bump_all, lerp_, step_state, use_multi_tensor, zeros_state
from .optimizer import Optimizer, _check_betas, _check_lr, _check_nonneg, _hyper

__all__ = ["RAdam", "radam"]


class RAdam(Optimizer):
    """RAdam; state per parameter: 'step', 'exp_avg', 'exp_avg_sq'."""

    _group_fallbacks = {"foreach": None, "maximize": False, "differentiable": False, "decoupled_weight_decay": False,
                        "capturable": False}

    def __init__(self, params, lr: float | Tensor = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, decoupled_weight_decay: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False, differentiable: bool = False) -> None:
        _check_lr(lr)
        _check_nonneg("epsilon", eps)
        _check_betas(betas)
        _check_nonneg("weight_decay", weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "maximize": maximize,
                    "foreach": foreach, "capturable": capturable, "decoupled_weight_decay": decoupled_weight_decay,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _init_state(self, state, p, group):
        """The state a parameter starts with, at its first step."""
        state["step"] = step_state()
        state["exp_avg"] = zeros_state(p)
        state["exp_avg_sq"] = zeros_state(p)

    def step(self, closure=None):
        """One RAdam update of every parameter that has a gradient."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            params, states = self._params_and_states(group)
            beta1, beta2 = group["betas"]
            radam(params, [p.grad for p in params], [s["exp_avg"] for s in states],
                  [s["exp_avg_sq"] for s in states], [s["step"] for s in states], beta1=_hyper(beta1),
                  beta2=_hyper(beta2), lr=_hyper(group["lr"]), weight_decay=_hyper(group["weight_decay"]),
                  eps=_hyper(group["eps"]), decoupled_weight_decay=group["decoupled_weight_decay"],
                  maximize=group["maximize"], foreach=use_multi_tensor(group))
        return loss


def radam(params: list[Tensor], grads: list[Tensor], exp_avgs: list[Tensor], exp_avg_sqs: list[Tensor],
          state_steps: list[Tensor], *, beta1: float, beta2: float, lr: float, weight_decay: float, eps: float,
          decoupled_weight_decay: bool = False, maximize: bool = False, foreach: bool = False) -> None:
    """Functional RAdam: updates params and state in place."""
    if not params:
        return
    fn = _multi_tensor.radam if foreach else _single_tensor_radam
    fn(params, grads, exp_avgs, exp_avg_sqs, state_steps, beta1=beta1, beta2=beta2, lr=lr,
       weight_decay=weight_decay, eps=eps, decoupled_weight_decay=decoupled_weight_decay, maximize=maximize)
    bump_all(params, exp_avgs, exp_avg_sqs)


def _radam_scalars(step: float, beta1, beta2):
    """(bias_correction1, sqrt(bias_correction2), rectification or None while the variance is intractable)."""
    bias_correction1 = 1 - beta1**step
    bias_correction2 = 1 - beta2**step
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
    if rho_t > 5.0:
        rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
    else:
        rect = None
    return bias_correction1, bias_correction2**0.5, rect


def _single_tensor_radam(params, grads, exp_avgs, exp_avg_sqs, state_steps, *, beta1, beta2, lr, weight_decay, eps,
                         decoupled_weight_decay, maximize):
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
        bias_correction1, bc2_sqrt, rect = _radam_scalars(step, beta1, beta2)
        update = m / float(bias_correction1) * float(lr)
        if rect is not None:
            adaptive_lr = np.reciprocal(np.sqrt(v) + float(eps)) * float(bc2_sqrt)  # torch: scalar / tensor
            update = update * adaptive_lr * float(rect)
        p -= update
