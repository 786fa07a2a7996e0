"""gradcheck / gradgradcheck: analytical gradients against central finite differences (use float64)."""

from __future__ import annotations

import numpy as np


class GradcheckError(RuntimeError):
    pass


def _outputs_tuple(out):
    from .._tensor import Tensor

    return (out,) if isinstance(out, Tensor) else tuple(o for o in out if isinstance(o, Tensor))


def _numerical_jacobian(fn, inputs, idx, eps):
    """d(flattened outputs)/d(flattened inputs[idx]) by central differences, (n_in, n_out) per output."""
    x = inputs[idx]
    flat = x._data.reshape(-1)  # a view: perturbing it perturbs the input
    cols = []
    # evaluated with grad mode on: for gradgradcheck the function itself differentiates
    for k in range(flat.size):
        orig = flat[k].item()
        flat[k] = orig + eps
        plus = [o._data.astype(np.float64).copy().reshape(-1) for o in _outputs_tuple(fn(*inputs))]
        flat[k] = orig - eps
        minus = [o._data.astype(np.float64).copy().reshape(-1) for o in _outputs_tuple(fn(*inputs))]
        flat[k] = orig
        cols.append([(p - m) / (2 * eps) for p, m in zip(plus, minus)])
    n_out = len(cols[0]) if cols else len(_outputs_tuple(fn(*inputs)))
    return [np.stack([c[j] for c in cols]) if cols else None for j in range(n_out)]


def gradcheck(func, inputs, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, nondet_tol: float = 0.0, check_undefined_grad: bool = True,
              check_grad_dtypes: bool = False, check_batched_grad: bool = False, fast_mode: bool = False,
              masked=None) -> bool:
    """Compare the Jacobian from backward with finite differences for every input that requires grad."""
    from .._creation import zeros_like
    from .._tensor import Tensor
    from . import grad as autograd_grad

    if isinstance(inputs, Tensor):
        inputs = (inputs,)
    inputs = tuple(inputs)
    diff_idx = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    for i in diff_idx:
        if inputs[i].dtype.name != "float64":
            import warnings

            warnings.warn(f"Input #{i} requires gradient and is not a double precision floating point. "
                          "gradcheck is only reliable in float64.")
    outputs = _outputs_tuple(func(*inputs))
    numericals = {i: _numerical_jacobian(func, inputs, i, eps) for i in diff_idx}
    for j, out in enumerate(outputs):
        if not out.requires_grad:
            continue
        for i in diff_idx:
            numerical = numericals[i][j]  # (n_in, n_out)
            analytical = np.zeros_like(numerical)
            for k in range(out.numel()):
                go = zeros_like(out)
                go._data.reshape(-1)[k] = 1
                (g,) = autograd_grad(out, inputs[i], go, retain_graph=True, allow_unused=True)
                if g is not None:
                    analytical[:, k] = g.detach().cpu()._data.astype(np.float64).reshape(-1)
            if not np.allclose(analytical, numerical, rtol=rtol, atol=atol):
                bad = np.abs(analytical - numerical).max()
                msg = (f"Jacobian mismatch for output {j} with respect to input {i} (max abs diff {bad:.3g}),\n"
                       f"numerical:{numerical}\nanalytical:{analytical}\n")
                if raise_exception:
                    raise GradcheckError(msg)
                return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                  gen_non_contig_grad_outputs: bool = False, raise_exception: bool = True, nondet_tol: float = 0.0,
                  check_undefined_grad: bool = True, check_grad_dtypes: bool = False,
                  check_batched_grad: bool = False, fast_mode: bool = False, masked=None) -> bool:
    """gradcheck of the function inputs, grad_outputs -> d(func)/d(inputs) built with create_graph=True."""
    from .._creation import randn
    from .._tensor import Tensor
    from ..random import Generator
    from . import grad as autograd_grad

    if isinstance(inputs, Tensor):
        inputs = (inputs,)
    inputs = tuple(inputs)
    outputs = _outputs_tuple(func(*inputs))
    if grad_outputs is None:
        gen = Generator().manual_seed(0)  # its own stream: the check must not move the user's RNG
        grad_outputs = tuple(randn(o.shape, generator=gen, dtype=o.dtype, device=o.device).requires_grad_(True)
                             for o in outputs if o.requires_grad)
    elif isinstance(grad_outputs, Tensor):
        grad_outputs = (grad_outputs,)
    grad_outputs = tuple(grad_outputs)
    n_in = len(inputs)
    diff_idx = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]

    def first_grads(*args):
        ins, gos = args[:n_in], args[n_in:]
        outs = [o for o in _outputs_tuple(func(*ins)) if o.requires_grad]
        grads = autograd_grad(outs, [ins[i] for i in diff_idx], gos, create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None and g.requires_grad)

    return gradcheck(first_grads, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
