"""NAdam: Adam with Nesterov momentum and momentum decay (torch.optim.NAdam)."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ..ops.inplace import bump_version
from . import _multi_tensor
from ._functional import advance_step, arrays, bump_all, lerp_, step_state, use_multi_tensor, zeros_state
from .optimizer import Optimizer, _check_betas, _check_lr, _check_nonneg, _hyper, _scalar_tensor

__all__ = ["NAdam", "nadam"]


class NAdam(Optimizer):
    """NAdam; state per parameter: 'step', 'mu_product' (0-dim), 'exp_avg', 'exp_avg_sq'."""

    _scalar_state_keys = ("step", "mu_product")
    _group_fallbacks = {"maximize": False, "foreach": None, "capturable": False, "differentiable": False,
                        "decoupled_weight_decay": False}

    def __init__(self, params, lr: float | Tensor = 2e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, momentum_decay: float = 4e-3, decoupled_weight_decay: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        _check_lr(lr)
        _check_nonneg("epsilon", eps)
        _check_betas(betas)
        _check_nonneg("weight_decay", weight_decay)
        _check_nonneg("momentum_decay", momentum_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "momentum_decay": momentum_decay, "decoupled_weight_decay": decoupled_weight_decay,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _init_state(self, state, p, group):
        """The state a parameter starts with, at its first step."""
        state["step"] = step_state()
        state["mu_product"] = _scalar_tensor(1.0)
        state["exp_avg"] = zeros_state(p)
        state["exp_avg_sq"] = zeros_state(p)

    def step(self, closure=None):
        """One NAdam update of every parameter that has a gradient."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            params, states = self._params_and_states(group)
            beta1, beta2 = group["betas"]
            nadam(params, [p.grad for p in params], [s["exp_avg"] for s in states],
                  [s["exp_avg_sq"] for s in states], [s["mu_product"] for s in states], [s["step"] for s in states],
                  beta1=_hyper(beta1), beta2=_hyper(beta2), lr=_hyper(group["lr"]),
                  weight_decay=_hyper(group["weight_decay"]), momentum_decay=_hyper(group["momentum_decay"]),
                  eps=_hyper(group["eps"]), decoupled_weight_decay=group["decoupled_weight_decay"],
                  maximize=group["maximize"], foreach=use_multi_tensor(group))
        return loss


def nadam(params: list[Tensor], grads: list[Tensor], exp_avgs: list[Tensor], exp_avg_sqs: list[Tensor],
          mu_products: list[Tensor], state_steps: list[Tensor], *, beta1: float, beta2: float, lr: float,
          weight_decay: float, momentum_decay: float, eps: float, decoupled_weight_decay: bool = False,
          maximize: bool = False, foreach: bool = False) -> None:
    """Functional NAdam: updates params and state in place."""
    if not params:
        return
    fn = _multi_tensor.nadam if foreach else _single_tensor_nadam
    fn(params, grads, exp_avgs, exp_avg_sqs, mu_products, state_steps, beta1=beta1, beta2=beta2, lr=lr,
       weight_decay=weight_decay, momentum_decay=momentum_decay, eps=eps,
       decoupled_weight_decay=decoupled_weight_decay, maximize=maximize)
    bump_all(params, exp_avgs, exp_avg_sqs)


def _nadam_scalars(step_t: Tensor, mu_product_t: Tensor, beta1, beta2, lr, momentum_decay):
    """Advance 'step' and 'mu_product' (in their own float32 precision, as torch); the step's coefficients."""
    step = advance_step(step_t)
    bias_correction2 = 1 - beta2**step
    mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
    mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
    mp = mu_product_t._data
    mp *= mu  # in float32, as torch's in-place multiply of the float32 tensor
    bump_version(mu_product_t)
    mu_product = float(mp)
    mu_product_next = mu_product * mu_next
    grad_coef = -lr * (1.0 - mu) / (1.0 - mu_product)
    avg_coef = (-lr * mu_next) / (1.0 - mu_product_next)
    return bias_correction2, grad_coef, avg_coef


def _single_tensor_nadam(params, grads, exp_avgs, exp_avg_sqs, mu_products, state_steps, *, beta1, beta2, lr,
                         weight_decay, momentum_decay, eps, decoupled_weight_decay, maximize):
    for i, param in enumerate(params):
        p, g, m, v = arrays(param, grads[i], exp_avgs[i], exp_avg_sqs[i])
        if maximize:
            g = -g
        bias_correction2, grad_coef, avg_coef = _nadam_scalars(state_steps[i], mu_products[i], beta1, beta2, lr,
                                                               momentum_decay)
        if weight_decay != 0:
            if decoupled_weight_decay:
                p *= float(1 - lr * weight_decay)
            else:
                g = g + float(weight_decay) * p
        lerp_(m, g, 1 - beta1)
        v *= float(beta2)
        v += float(1 - beta2) * g * g
        denom = np.sqrt(v / float(bias_correction2)) + float(eps)
        p += float(grad_coef) * g / denom
        p += float(avg_coef) * m / denom
