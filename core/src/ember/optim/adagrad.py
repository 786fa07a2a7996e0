"""Adagrad with learning-rate decay and an initial accumulator value (torch.optim.Adagrad)."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from . import _multi_tensor
from ._functional import (advance_step, arrays, bump_all, check_fused_foreach, full_state, step_state,
                          use_multi_tensor)
from .optimizer import Optimizer, _check_lr, _check_nonneg, _hyper

__all__ = ["Adagrad", "adagrad"]


class Adagrad(Optimizer):
    """Adagrad; state per parameter ('step', 'sum') exists from construction on, as in torch."""

    _group_fallbacks = {"foreach": None, "maximize": False, "differentiable": False, "fused": None}

    def __init__(self, params, lr: float | Tensor = 1e-2, lr_decay: float = 0, weight_decay: float = 0,
                 initial_accumulator_value: float = 0, eps: float = 1e-10, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False, fused: bool | None = None) -> None:
        _check_lr(lr)
        _check_nonneg("lr_decay", lr_decay)
        _check_nonneg("weight_decay", weight_decay)
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        _check_nonneg("epsilon", eps)
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        check_fused_foreach(fused, foreach)
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = step_state()
                state["sum"] = full_state(p, initial_accumulator_value)

    def _init_state(self, state, p, group):
        """Only for a parameter added by add_param_group after construction (the rest start in __init__)."""
        state["step"] = step_state()
        state["sum"] = full_state(p, self.defaults["initial_accumulator_value"])

    def share_memory(self) -> None:
        """Nothing to do: ember's CPU tensors live in ordinary process memory."""

    def step(self, closure=None):
        """One Adagrad update of every parameter that has a gradient."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            params, states = self._params_and_states(group)
            adagrad(params, [p.grad for p in params], [s["sum"] for s in states], [s["step"] for s in states],
                    lr=_hyper(group["lr"]), weight_decay=_hyper(group["weight_decay"]),
                    lr_decay=_hyper(group["lr_decay"]), eps=_hyper(group["eps"]), maximize=group["maximize"],
                    foreach=use_multi_tensor(group))
        return loss


def adagrad(params: list[Tensor], grads: list[Tensor], state_sums: list[Tensor], state_steps: list[Tensor], *,
            lr: float, weight_decay: float, lr_decay: float, eps: float, maximize: bool,
            foreach: bool = False) -> None:
    """Functional Adagrad: updates params and state in place."""
    if not params:
        return
    fn = _multi_tensor.adagrad if foreach else _single_tensor_adagrad
    fn(params, grads, state_sums, state_steps, lr=lr, weight_decay=weight_decay, lr_decay=lr_decay, eps=eps,
       maximize=maximize)
    bump_all(params, state_sums)


def _single_tensor_adagrad(params, grads, state_sums, state_steps, *, lr, weight_decay, lr_decay, eps, maximize):
    for i, param in enumerate(params):
        p, g, acc = arrays(param, grads[i], state_sums[i])
        step = advance_step(state_steps[i])
        if maximize:
            g = -g
        if weight_decay != 0:
            g = g + float(weight_decay) * p
        clr = lr / (1 + (step - 1) * lr_decay)
        acc += g * g
        std = np.sqrt(acc) + float(eps)
        p += float(-clr) * g / std
