"""The multi-tensor path: every optimizer's update as a few fused whole-array operations.

CPU (NumPy): each parameter's arrays are walked in cache-sized blocks, and the whole update of a block runs
as in-place ufuncs on preallocated scratch, so memory is read and written about once per step instead of once
per arithmetic operation (torch's for-loop path makes a pass, and often a temporary, per operation).
GPU (CuPy): one fused elementwise kernel per algorithm and parameter.
Both do the same arithmetic, in the same order, as the simple per-tensor path in each algorithm's module.
"""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ._functional import advance_step, xp_of_array

_BLOCK_BYTES = 1 << 19  # per array per block: the blocks of all arrays of an update stay in cache (L2/L3)
_ndarray = np.ndarray


# ----------------------------------------------------------------------------------------------- CPU driver
_SMALL = 1 << 13  # parameters up to this many elements are updated together (per-call overhead dominates them)


class _CpuUpdate:
    """Runs one algorithm's block kernel over parameters: kernel(*outs, *ins, *scratch, *args) on blocks.

    Large parameters run block by block as they are added; small ones that share dtype and constants
    (the usual case: same step count) are queued, concatenated and run as one array by finish().
    """

    def __init__(self, kernel, scratch_count: int):
        self.kernel = kernel
        self.count = scratch_count
        self.scratch: dict = {}
        self.small: dict = {}

    def add(self, outs, ins, args) -> None:
        """`outs` are updated in place (None entries pass through); `ins` are only read."""
        first = outs[0]
        if first.size <= _SMALL and all(a is None or a.flags.c_contiguous for a in outs):
            self.small.setdefault((first.dtype, args), []).append((outs, ins))
        else:
            self._blocked(outs, ins, args)

    def finish(self) -> None:
        for (_, args), items in self.small.items():
            if len(items) == 1:
                self._blocked(*items[0], args)
                continue
            outs = [None if a is None else np.concatenate([it[0][k].reshape(-1) for it in items])
                    for k, a in enumerate(items[0][0])]
            ins = [np.concatenate([it[1][k].reshape(-1) for it in items]) for k in range(len(items[0][1]))]
            self._blocked(outs, ins, args)
            offset = 0
            for item_outs, _ in items:
                n = item_outs[0].size
                for dst, src in zip(item_outs, outs):
                    if dst is not None:
                        dst.reshape(-1)[...] = src[offset:offset + n]
                offset += n
        self.small.clear()

    def _temporaries(self, dtype) -> list:
        bufs = self.scratch.get(dtype)
        if bufs is None:
            bufs = self.scratch[dtype] = [np.empty(_block_len(dtype), dtype) for _ in range(self.count)]
        return bufs

    def _blocked(self, outs, ins, args) -> None:
        kernel, first = self.kernel, outs[0]
        for a in outs:
            if a is not None and not a.flags.c_contiguous:
                # strided state (a parameter that is a transposed view): one whole-array pass, full temporaries
                kernel(*outs, *ins, *[np.empty_like(first) for _ in range(self.count)], *args)
                return
        flat_outs = [None if a is None else a.reshape(-1) for a in outs]
        flat_ins = [a.reshape(-1) if a.flags.c_contiguous else np.ascontiguousarray(a).reshape(-1) for a in ins]
        tmps = self._temporaries(first.dtype)
        n = first.size
        block = tmps[0].size
        if n <= block:
            kernel(*flat_outs, *flat_ins, *[t[:n] for t in tmps], *args)
            return
        for s in range(0, n, block):
            e = min(s + block, n)
            kernel(*[None if a is None else a[s:e] for a in flat_outs], *[a[s:e] for a in flat_ins],
                   *(tmps if e - s == block else [t[:e - s] for t in tmps]), *args)


def _block_len(dtype) -> int:
    return max(_BLOCK_BYTES // dtype.itemsize, 1024)


class _PerStep(dict):
    """Per-parameter constants memoized by (step, dtype): parameters usually share their step count."""

    def __init__(self, make):
        super().__init__()
        self.make = make

    def __missing__(self, key):
        value = self[key] = self.make(*key)
        return value


def _grad_block(g, p, gbuf, maximize, weight_decay):
    """The gradient the update uses: negated when maximizing, plus weight_decay * param (torch's order)."""
    if weight_decay != 0:
        np.multiply(p, weight_decay, out=gbuf)
        if maximize:
            np.subtract(gbuf, g, out=gbuf)
        else:
            np.add(gbuf, g, out=gbuf)
        return gbuf
    if maximize:
        return np.negative(g, out=gbuf)
    return g


def _lerp_consts(dtype, weight):
    """(weight, 1 - weight, small) in the array's dtype, for torch's two-formula lerp."""
    w = dtype.type(weight)
    return float(w), float(dtype.type(1) - w), bool(abs(w) < 0.5)


def _lerp_block(a, end, lerp, t):
    w, one_minus_w, small = lerp
    np.subtract(end, a, out=t)
    if small:
        t *= w
        a += t
    else:
        t *= one_minus_w
        np.subtract(end, t, out=a)


def _ema_sq_block(v, g, decay, one_minus_decay, t):
    """v <- v * decay + (1 - decay) * g * g, as torch's mul_ then addcmul_."""
    v *= decay
    np.multiply(g, one_minus_decay, out=t)
    t *= g
    v += t


def _is_gpu(a) -> bool:
    return a.__class__ is not _ndarray


# ----------------------------------------------------------------------------------------------- GPU kernels
_KERNELS: dict = {}  # compiled kernels by name (CuPy also caches the binaries on disk)


def _gpu_kernel(name, in_params, out_params, body):
    """A cached cupy.ElementwiseKernel: arrays of type T, arithmetic in S, the type of the scalar arguments."""
    k = _KERNELS.get(name)
    if k is None:
        import cupy

        k = _KERNELS[name] = cupy.ElementwiseKernel(in_params, out_params, body, "ember_optim_" + name)
    return k


def _opmath(dtype):
    """The scalar type the kernels compute in: float64 for float64 arrays, float32 otherwise (half too)."""
    return np.float64 if dtype == np.float64 else np.float32


_GPU_GRAD = """
    S gr = maximize ? -(S)g : (S)g;
    if (wd != (S)0) gr = gr + wd * (S)p;
"""
_GPU_LERP = "(w_small ? a_ + w * (end_ - a_) : end_ - (end_ - a_) * omw)"


def _gpu_lerp(a, end):
    return _GPU_LERP.replace("a_", a).replace("end_", end)


# ----------------------------------------------------------------------------------------------- SGD
def _sgd_block(p, buf, g, gbuf, t, maximize, wd, momentum, one_minus_dampening, nesterov, first, neg_lr):
    g = _grad_block(g, p, gbuf, maximize, wd)
    if buf is not None:
        if first:
            np.copyto(buf, g)
        else:
            buf *= momentum
            if one_minus_dampening == 1.0:
                buf += g
            else:
                np.multiply(g, one_minus_dampening, out=t)
                buf += t
        if nesterov:
            np.multiply(buf, momentum, out=t)
            t += g
            g = t
        else:
            g = buf
    np.multiply(g, neg_lr, out=t)
    p += t


_SGD_MOMENTUM_GPU = """
        S b = first ? gr : (S)buf * momentum + one_minus_dampening * gr;
        buf = (T)b;
        gr = nesterov ? gr + momentum * b : b;
"""
_SGD_GPU = _GPU_GRAD + "MOMENTUM p = (T)((S)p + neg_lr * gr);"


def sgd(params, grads, bufs, *, weight_decay, momentum, lr, dampening, nesterov, maximize):
    cpu = _CpuUpdate(_sgd_block, 2)
    wd, mom, omd, neg_lr = float(weight_decay), float(momentum), float(1 - dampening), -float(lr)
    for i, param in enumerate(params):
        p, g = param._data, grads[i]._data
        first = False
        if momentum != 0 and bufs[i] is None:
            bufs[i] = Tensor._make(xp_of_array(g).empty_like(g))
            first = True
        buf = None if momentum == 0 else bufs[i]._data
        if _is_gpu(p):
            s = _opmath(p.dtype)
            ins = "T g, bool maximize, S wd, bool first, S momentum, S one_minus_dampening, bool nesterov, S neg_lr"
            args = (g, maximize, s(wd), first, s(mom), s(omd), nesterov, s(neg_lr))
            if buf is None:
                _gpu_kernel("sgd", ins, "T p", _SGD_GPU.replace("MOMENTUM", ""))(*args, p)
            else:
                _gpu_kernel("sgd_momentum", ins, "T p, T buf", _SGD_GPU.replace("MOMENTUM", _SGD_MOMENTUM_GPU))(
                    *args, p, buf)
            continue
        cpu.add((p, buf), (g,), (maximize, wd, mom, omd, nesterov, first, neg_lr))
    cpu.finish()


# ----------------------------------------------------------------------------------------------- Adam / AdamW
def _adam_block(p, m, v, vmax, g, gbuf, t, u, maximize, wd, decay, lerp, beta2, one_minus_beta2, bc2_sqrt, eps,
                neg_step_size):
    if decay is not None:
        p *= decay
    g = _grad_block(g, p, gbuf, maximize, wd)
    _lerp_block(m, g, lerp, t)
    _ema_sq_block(v, g, beta2, one_minus_beta2, t)
    if vmax is not None:
        np.maximum(vmax, v, out=vmax)
        v = vmax
    np.sqrt(v, out=t)
    t /= bc2_sqrt
    t += eps
    np.multiply(m, neg_step_size, out=u)
    u /= t
    p += u


_ADAM_GPU = """
    if (decoupled) p = (T)((S)p * decay);
""" + _GPU_GRAD + """
    S m_ = (S)m;
    m_ = """ + _gpu_lerp("m_", "gr") + """;
    S v_ = (S)v * beta2 + one_minus_beta2 * gr * gr;
    m = (T)m_;
    v = (T)v_;
    S vd = v_;
    AMSGRAD
    S denom = sqrt(vd) / bc2_sqrt + eps;
    p = (T)((S)p + neg_step_size * m_ / denom);
"""


def adam(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, state_steps, *, amsgrad, beta1, beta2, lr,
         weight_decay, eps, maximize, decoupled_weight_decay):
    cpu = _CpuUpdate(_adam_block, 3)
    decoupled = weight_decay != 0 and decoupled_weight_decay
    decay = float(1 - lr * weight_decay) if decoupled else None
    wd = 0.0 if decoupled else float(weight_decay)

    def constants(step, dtype):
        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step
        step_size = lr / bias_correction1
        bias_correction2_sqrt = bias_correction2**0.5
        return (maximize, wd, decay, _lerp_consts(dtype, 1 - beta1), float(beta2), float(1 - beta2),
                float(bias_correction2_sqrt), float(eps), float(-step_size))

    per_step = _PerStep(constants)
    for i, param in enumerate(params):
        p, g, m, v = param._data, grads[i]._data, exp_avgs[i]._data, exp_avg_sqs[i]._data
        vmax = max_exp_avg_sqs[i]._data if amsgrad else None
        step = advance_step(state_steps[i])
        if _is_gpu(p):
            bias_correction2_sqrt = (1 - beta2**step) ** 0.5
            _adam_gpu(p, g, m, v, vmax, maximize, wd, decoupled, decay, beta1, beta2, bias_correction2_sqrt, eps,
                      -(lr / (1 - beta1**step)))
            continue
        cpu.add((p, m, v, vmax), (g,), per_step[step, p.dtype])
    cpu.finish()


def _adam_gpu(p, g, m, v, vmax, maximize, wd, decoupled, decay, beta1, beta2, bc2_sqrt, eps, neg_step_size):
    s = _opmath(p.dtype)
    w, omw, small = _lerp_consts(np.dtype(s), 1 - beta1)
    ins = ("T g, bool maximize, S wd, bool decoupled, S decay, S w, S omw, bool w_small, S beta2, "
           "S one_minus_beta2, S bc2_sqrt, S eps, S neg_step_size")
    args = (g, maximize, s(wd), decoupled, s(1.0 if decay is None else decay), s(w), s(omw), small, s(beta2),
            s(1 - beta2), s(bc2_sqrt), s(eps), s(neg_step_size))
    if vmax is None:
        k = _gpu_kernel("adam", ins, "T p, T m, T v", _ADAM_GPU.replace("AMSGRAD", ""))
        k(*args, p, m, v)
    else:
        body = _ADAM_GPU.replace("AMSGRAD", "S vm = (S)vmax; vd = (vm != vm || vm > v_) ? vm : v_; vmax = (T)vd;")
        k = _gpu_kernel("adam_amsgrad", ins, "T p, T m, T v, T vmax", body)
        k(*args, p, m, v, vmax)


# ----------------------------------------------------------------------------------------------- Adamax
def _adamax_block(p, m, u, g, gbuf, t, maximize, wd, lerp, beta2, eps, neg_clr):
    g = _grad_block(g, p, gbuf, maximize, wd)
    _lerp_block(m, g, lerp, t)
    np.abs(g, out=t)
    t += eps
    u *= beta2
    np.maximum(u, t, out=u)
    np.multiply(m, neg_clr, out=t)
    t /= u
    p += t


_ADAMAX_GPU = _GPU_GRAD + """
    S m_ = (S)m;
    m_ = """ + _gpu_lerp("m_", "gr") + """;
    S a_ = (S)u * beta2;
    S b_ = fabs(gr) + eps;
    S u_ = (a_ != a_ || a_ > b_) ? a_ : b_;
    m = (T)m_;
    u = (T)u_;
    p = (T)((S)p + neg_clr * m_ / u_);
"""


def adamax(params, grads, exp_avgs, exp_infs, state_steps, *, eps, beta1, beta2, lr, weight_decay, maximize):
    cpu = _CpuUpdate(_adamax_block, 2)
    for i, param in enumerate(params):
        p, g, m, u = param._data, grads[i]._data, exp_avgs[i]._data, exp_infs[i]._data
        step = advance_step(state_steps[i])
        clr = lr / (1 - beta1**step)
        if _is_gpu(p):
            s = _opmath(p.dtype)
            w, omw, small = _lerp_consts(np.dtype(s), 1 - beta1)
            k = _gpu_kernel("adamax", "T g, bool maximize, S wd, S w, S omw, bool w_small, S beta2, S eps, S neg_clr",
                            "T p, T m, T u", _ADAMAX_GPU)
            k(g, maximize, s(weight_decay), s(w), s(omw), small, s(beta2), s(eps), s(-clr), p, m, u)
            continue
        cpu.add((p, m, u), (g,),
                 (maximize, float(weight_decay), _lerp_consts(p.dtype, 1 - beta1), float(beta2), float(eps),
                  float(-clr)))
    cpu.finish()


# ----------------------------------------------------------------------------------------------- NAdam
def _nadam_block(p, m, v, g, gbuf, t, u, maximize, wd, decay, lerp, beta2, one_minus_beta2, bias_correction2, eps,
                 grad_coef, avg_coef):
    if decay is not None:
        p *= decay
    g = _grad_block(g, p, gbuf, maximize, wd)
    _lerp_block(m, g, lerp, t)
    _ema_sq_block(v, g, beta2, one_minus_beta2, t)
    np.divide(v, bias_correction2, out=t)
    np.sqrt(t, out=t)
    t += eps
    np.multiply(g, grad_coef, out=u)
    u /= t
    p += u
    np.multiply(m, avg_coef, out=u)
    u /= t
    p += u


_NADAM_GPU = """
    if (decoupled) p = (T)((S)p * decay);
""" + _GPU_GRAD + """
    S m_ = (S)m;
    m_ = """ + _gpu_lerp("m_", "gr") + """;
    S v_ = (S)v * beta2 + one_minus_beta2 * gr * gr;
    m = (T)m_;
    v = (T)v_;
    S denom = sqrt(v_ / bias_correction2) + eps;
    S p_ = (S)p + grad_coef * gr / denom;
    p = (T)(p_ + avg_coef * m_ / denom);
"""


def nadam(params, grads, exp_avgs, exp_avg_sqs, mu_products, state_steps, *, beta1, beta2, lr, weight_decay,
          momentum_decay, eps, decoupled_weight_decay, maximize):
    from .nadam import _nadam_scalars

    cpu = _CpuUpdate(_nadam_block, 3)
    decoupled = weight_decay != 0 and decoupled_weight_decay
    decay = float(1 - lr * weight_decay) if decoupled else None
    wd = 0.0 if decoupled else float(weight_decay)
    for i, param in enumerate(params):
        p, g, m, v = param._data, grads[i]._data, exp_avgs[i]._data, exp_avg_sqs[i]._data
        bias_correction2, grad_coef, avg_coef = _nadam_scalars(state_steps[i], mu_products[i], beta1, beta2, lr,
                                                               momentum_decay)
        if _is_gpu(p):
            s = _opmath(p.dtype)
            w, omw, small = _lerp_consts(np.dtype(s), 1 - beta1)
            k = _gpu_kernel("nadam", "T g, bool maximize, S wd, bool decoupled, S decay, S w, S omw, bool w_small, "
                            "S beta2, S one_minus_beta2, S bias_correction2, S eps, S grad_coef, S avg_coef",
                            "T p, T m, T v", _NADAM_GPU)
            k(g, maximize, s(wd), decoupled, s(1.0 if decay is None else decay), s(w), s(omw), small, s(beta2),
              s(1 - beta2), s(bias_correction2), s(eps), s(grad_coef), s(avg_coef), p, m, v)
            continue
        cpu.add((p, m, v), (g,),
                 (maximize, wd, decay, _lerp_consts(p.dtype, 1 - beta1), float(beta2), float(1 - beta2),
                  float(bias_correction2), float(eps), float(grad_coef), float(avg_coef)))
    cpu.finish()


# ----------------------------------------------------------------------------------------------- RAdam
def _radam_block(p, m, v, g, gbuf, t, u, maximize, wd, decay, lerp, beta2, one_minus_beta2, bias_correction1, lr,
                 rectified, eps, bc2_sqrt, rect):
    if decay is not None:
        p *= decay
    g = _grad_block(g, p, gbuf, maximize, wd)
    _lerp_block(m, g, lerp, t)
    _ema_sq_block(v, g, beta2, one_minus_beta2, t)
    np.divide(m, bias_correction1, out=t)
    t *= lr
    if rectified:
        np.sqrt(v, out=u)
        u += eps
        np.reciprocal(u, out=u)  # torch's scalar / tensor is reciprocal(tensor) * scalar
        u *= bc2_sqrt
        t *= u
        t *= rect
    p -= t


_RADAM_GPU = """
    if (decoupled) p = (T)((S)p * decay);
""" + _GPU_GRAD + """
    S m_ = (S)m;
    m_ = """ + _gpu_lerp("m_", "gr") + """;
    S v_ = (S)v * beta2 + one_minus_beta2 * gr * gr;
    m = (T)m_;
    v = (T)v_;
    S upd = m_ / bias_correction1 * lr;
    if (rectified) upd = upd * ((S)1 / (sqrt(v_) + eps) * bc2_sqrt) * rect;
    p = (T)((S)p - upd);
"""


def radam(params, grads, exp_avgs, exp_avg_sqs, state_steps, *, beta1, beta2, lr, weight_decay, eps,
          decoupled_weight_decay, maximize):
    from .radam import _radam_scalars

    cpu = _CpuUpdate(_radam_block, 3)
    decoupled = weight_decay != 0 and decoupled_weight_decay
    decay = float(1 - lr * weight_decay) if decoupled else None
    wd = 0.0 if decoupled else float(weight_decay)
    for i, param in enumerate(params):
        p, g, m, v = param._data, grads[i]._data, exp_avgs[i]._data, exp_avg_sqs[i]._data
        step = advance_step(state_steps[i])
        bias_correction1, bc2_sqrt, rect = _radam_scalars(step, beta1, beta2)
        rectified = rect is not None
        if _is_gpu(p):
            s = _opmath(p.dtype)
            w, omw, small = _lerp_consts(np.dtype(s), 1 - beta1)
            k = _gpu_kernel("radam", "T g, bool maximize, S wd, bool decoupled, S decay, S w, S omw, bool w_small, "
                            "S beta2, S one_minus_beta2, S bias_correction1, S lr, bool rectified, S eps, "
                            "S bc2_sqrt, S rect", "T p, T m, T v", _RADAM_GPU)
            k(g, maximize, s(wd), decoupled, s(1.0 if decay is None else decay), s(w), s(omw), small, s(beta2),
              s(1 - beta2), s(bias_correction1), s(lr), rectified, s(eps), s(bc2_sqrt), s(rect or 0.0), p, m, v)
            continue
        cpu.add((p, m, v), (g,),
                 (maximize, wd, decay, _lerp_consts(p.dtype, 1 - beta1), float(beta2), float(1 - beta2),
                  float(bias_correction1), float(lr), rectified, float(eps), float(bc2_sqrt),
                  float(rect or 0.0)))
    cpu.finish()


# ----------------------------------------------------------------------------------------------- RMSprop
def _rmsprop_block(p, v, ga, buf, g, gbuf, t, u, maximize, wd, alpha, one_minus_alpha, lerp, eps, momentum,
                   neg_lr):
    g = _grad_block(g, p, gbuf, maximize, wd)
    _ema_sq_block(v, g, alpha, one_minus_alpha, t)
    if ga is not None:
        _lerp_block(ga, g, lerp, t)
        np.negative(ga, out=t)
        t *= ga
        t += v
        np.sqrt(t, out=t)
    else:
        np.sqrt(v, out=t)
    t += eps
    if buf is not None:
        buf *= momentum
        np.divide(g, t, out=u)
        buf += u
        np.multiply(buf, neg_lr, out=u)
    else:
        np.multiply(g, neg_lr, out=u)
        u /= t
    p += u


_RMSPROP_GPU = _GPU_GRAD + """
    S v_ = (S)v * alpha + one_minus_alpha * gr * gr;
    v = (T)v_;
    AVG
    UPDATE
"""
_RMSPROP_AVG = "S avg = sqrt(v_) + eps;"
_RMSPROP_CENTERED_AVG = """
    S a_ = (S)ga;
    a_ = """ + _gpu_lerp("a_", "gr") + """;
    ga = (T)a_;
    S avg = sqrt(v_ + (-a_) * a_) + eps;
"""
_RMSPROP_UPDATE = "p = (T)((S)p + neg_lr * gr / avg);"
_RMSPROP_MOMENTUM_UPDATE = """
    S b_ = (S)buf * momentum + gr / avg;
    buf = (T)b_;
    p = (T)((S)p + neg_lr * b_);
"""


def _rmsprop_gpu(p, g, v, ga, buf, maximize, weight_decay, alpha, eps, momentum, lr):
    s = _opmath(p.dtype)
    w, omw, small = _lerp_consts(np.dtype(s), 1 - alpha)
    name = "rmsprop" + ("_centered" if ga is not None else "") + ("_momentum" if buf is not None else "")
    body = _RMSPROP_GPU.replace("AVG", _RMSPROP_AVG if ga is None else _RMSPROP_CENTERED_AVG)
    body = body.replace("UPDATE", _RMSPROP_UPDATE if buf is None else _RMSPROP_MOMENTUM_UPDATE)
    outs = ["T p", "T v"] + (["T ga"] if ga is not None else []) + (["T buf"] if buf is not None else [])
    k = _gpu_kernel(name, "T g, bool maximize, S wd, S alpha, S one_minus_alpha, S w, S omw, bool w_small, S eps, "
                    "S momentum, S neg_lr", ", ".join(outs), body)
    k(g, maximize, s(weight_decay), s(alpha), s(1 - alpha), s(w), s(omw), small, s(eps), s(momentum), s(-lr), p, v,
      *[a for a in (ga, buf) if a is not None])


def rmsprop(params, grads, square_avgs, grad_avgs, momentum_buffer_list, state_steps, *, lr, alpha, eps,
            weight_decay, momentum, centered, maximize):
    cpu = _CpuUpdate(_rmsprop_block, 3)
    for i, param in enumerate(params):
        p, g, v = param._data, grads[i]._data, square_avgs[i]._data
        ga = grad_avgs[i]._data if centered else None
        buf = momentum_buffer_list[i]._data if momentum > 0 else None
        advance_step(state_steps[i])
        if _is_gpu(p):
            _rmsprop_gpu(p, g, v, ga, buf, maximize, weight_decay, alpha, eps, momentum, lr)
            continue
        cpu.add((p, v, ga, buf), (g,),
                 (maximize, float(weight_decay), float(alpha), float(1 - alpha), _lerp_consts(p.dtype, 1 - alpha),
                  float(eps), float(momentum), float(-lr)))
    cpu.finish()


# ----------------------------------------------------------------------------------------------- Adagrad
def _adagrad_block(p, acc, g, gbuf, t, maximize, wd, eps, neg_clr):
    g = _grad_block(g, p, gbuf, maximize, wd)
    np.multiply(g, g, out=t)
    acc += t
    np.sqrt(acc, out=t)
    t += eps
    np.multiply(g, neg_clr, out=gbuf)  # in place when g already is gbuf
    gbuf /= t
    p += gbuf


_ADAGRAD_GPU = _GPU_GRAD + """
    S a_ = (S)acc + gr * gr;
    acc = (T)a_;
    p = (T)((S)p + neg_clr * gr / (sqrt(a_) + eps));
"""


def adagrad(params, grads, state_sums, state_steps, *, lr, weight_decay, lr_decay, eps, maximize):
    cpu = _CpuUpdate(_adagrad_block, 2)
    for i, param in enumerate(params):
        p, g, acc = param._data, grads[i]._data, state_sums[i]._data
        step = advance_step(state_steps[i])
        clr = lr / (1 + (step - 1) * lr_decay)
        if _is_gpu(p):
            s = _opmath(p.dtype)
            k = _gpu_kernel("adagrad", "T g, bool maximize, S wd, S eps, S neg_clr", "T p, T acc", _ADAGRAD_GPU)
            k(g, maximize, s(weight_decay), s(eps), s(-clr), p, acc)
            continue
        cpu.add((p, acc), (g,), (maximize, float(weight_decay), float(eps), float(-clr)))
    cpu.finish()


# ----------------------------------------------------------------------------------------------- Adadelta
def _adadelta_block(p, v, acc, g, gbuf, t, u, maximize, wd, rho, one_minus_rho, eps, neg_lr):
    g = _grad_block(g, p, gbuf, maximize, wd)
    _ema_sq_block(v, g, rho, one_minus_rho, t)
    np.add(v, eps, out=t)
    np.sqrt(t, out=t)
    np.add(acc, eps, out=u)
    np.sqrt(u, out=u)
    u /= t
    u *= g
    _ema_sq_block(acc, u, rho, one_minus_rho, t)
    u *= neg_lr
    p += u


_ADADELTA_GPU = _GPU_GRAD + """
    S v_ = (S)v * rho + one_minus_rho * gr * gr;
    v = (T)v_;
    S delta = sqrt((S)acc + eps) / sqrt(v_ + eps) * gr;
    acc = (T)((S)acc * rho + one_minus_rho * delta * delta);
    p = (T)((S)p + neg_lr * delta);
"""


def adadelta(params, grads, square_avgs, acc_deltas, state_steps, *, lr, rho, eps, weight_decay, maximize):
    cpu = _CpuUpdate(_adadelta_block, 3)
    for i, param in enumerate(params):
        p, g, v, acc = param._data, grads[i]._data, square_avgs[i]._data, acc_deltas[i]._data
        advance_step(state_steps[i])
        if _is_gpu(p):
            s = _opmath(p.dtype)
            k = _gpu_kernel("adadelta", "T g, bool maximize, S wd, S rho, S one_minus_rho, S eps, S neg_lr",
                            "T p, T v, T acc", _ADADELTA_GPU)
            k(g, maximize, s(weight_decay), s(rho), s(1 - rho), s(eps), s(-lr), p, v, acc)
            continue
        cpu.add((p, v, acc), (g,),
                 (maximize, float(weight_decay), float(rho), float(1 - rho), float(eps), float(-lr)))
    cpu.finish()
