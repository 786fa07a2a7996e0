"""Custom differentiable ops: `class F(ember.autograd.Function)` with static forward/backward, as torch."""

from __future__ import annotations

from .grad_mode import state as _grad_state
from .graph import Node


class FunctionCtx:
    """What forward and backward share: saved tensors, flags and any attributes the user sets."""

    def __init__(self):
        self._saved = ()
        self._versions = ()
        self._released = False
        self.needs_input_grad = ()
        self._non_differentiable = set()
        self._dirty = set()
        self.materialize_grads = True

    def save_for_backward(self, *tensors):
        self._saved = tensors
        self._versions = tuple(None if t is None else t._version for t in tensors)

    def save_for_forward(self, *tensors):
        self.saved_for_forward = tensors

    @property
    def saved_tensors(self):
        if self._released:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved tensors after they "
                "have already been freed). Specify retain_graph=True if you need to backward through the graph a "
                "second time."
            )
        for t, v in zip(self._saved, self._versions):
            if t is not None and t._version != v:
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by an inplace "
                    f"operation: [{t.type()} {list(t.shape)}] is at version {t._version}; expected version {v} "
                    "instead."
                )
        return self._saved

    def mark_non_differentiable(self, *tensors):
        self._non_differentiable.update(id(t) for t in tensors)

    def mark_dirty(self, *tensors):
        self._dirty.update(id(t) for t in tensors)

    def set_materialize_grads(self, value: bool):
        self.materialize_grads = bool(value)


BackwardCFunction = FunctionCtx


class _FunctionMeta(type):
    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        cls._backward_name = f"{name}Backward"


class Function(metaclass=_FunctionMeta):
    """Subclass with `forward(ctx, *args)` (or `forward(*args)` + `setup_context`) and `backward(ctx, *grads)`."""

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not overridden")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    vjp = backward

    @classmethod
    def apply(cls, *args, **kwargs):
        from .._tensor import Tensor
        from ..ops._util import wrap

        ctx = FunctionCtx()
        is_tensor = [isinstance(a, Tensor) for a in args]
        ctx.needs_input_grad = tuple(
            bool(t and a._requires_grad and _grad_state.enabled) for a, t in zip(args, is_tensor))
        uses_setup = cls.setup_context is not Function.setup_context
        prev = _grad_state.enabled
        _grad_state.enabled = False
        try:
            outputs = cls.forward(*args, **kwargs) if uses_setup else cls.forward(ctx, *args, **kwargs)
            if uses_setup:
                cls.setup_context(ctx, args, outputs)
        finally:
            _grad_state.enabled = prev
        if not any(ctx.needs_input_grad):
            return outputs
        single = not isinstance(outputs, tuple)
        outs = (outputs,) if single else outputs
        # an input returned unchanged becomes a new tensor object, so its graph entry is this function's
        fixed = []
        for o in outs:
            if isinstance(o, Tensor) and any(o is a for a in args) and id(o) not in ctx._dirty:
                o = wrap(o._data)
            fixed.append(o)
        outs = tuple(fixed)
        tensor_outs = [(i, o) for i, o in enumerate(outs) if isinstance(o, Tensor)]
        shapes = [(o._data.shape, o._data.dtype, o.device) for _, o in tensor_outs]

        def backward_fn(node, *grads):
            if ctx.materialize_grads:
                from .._creation import zeros

                grads = tuple(
                    zeros(s[0], dtype=_dtype_of(s[1]), device=s[2]) if g is None else g for g, s in zip(grads, shapes))
            result = cls.backward(ctx, *grads)
            if not isinstance(result, tuple):
                result = (result,)
            if len(result) < len(args):
                result = result + (None,) * (len(args) - len(result))
            if len(result) > len(args):
                extra = result[len(args):]
                if any(r is not None for r in extra):
                    raise RuntimeError(f"function {cls.__name__}Backward returned an incorrect number of gradients "
                                       f"(expected {len(args)}, got {len(result)})")
                result = result[:len(args)]
            return tuple(r if need else None for r, need in zip(result, ctx.needs_input_grad))

        backward_fn.__name__ = cls._backward_name
        backward_fn = _UserBackward(backward_fn)  # user code may return tensors it keeps: never steal them
        edges, needs, meta = [], [], []
        for a, t in zip(args, is_tensor):
            if t and a._requires_grad:
                fn = a._grad_fn
                edges.append(a if fn is None else (fn, a._out_idx))
                needs.append(True)
                meta.append((a._data.shape, a._data.dtype))
            else:
                edges.append(None)
                needs.append(False)
                meta.append(None)
        node = Node(backward_fn, tuple(edges), tuple(needs), tuple(meta), data=ctx, n_out=len(tensor_outs))
        result = list(outs)
        for k, (i, o) in enumerate(tensor_outs):
            if id(o) in ctx._non_differentiable or not o.is_floating_point():
                continue
            o._grad_fn = node
            o._out_idx = k
            o._requires_grad = True
            result[i] = o
        return result[0] if single else tuple(result)


class _UserBackward:
    """Wraps a custom Function's backward so the engine can tell it from a built-in op's."""

    __slots__ = ("fn", "__name__")

    def __init__(self, fn):
        self.fn = fn
        self.__name__ = fn.__name__

    def __call__(self, node, *grads):
        return self.fn(node, *grads)


def _dtype_of(np_dtype):
    from .._dtype import from_numpy_dtype

    return from_numpy_dtype(np_dtype)


class once_differentiable:
    """Decorator kept for API compatibility: runs backward without building a graph."""

    def __new__(cls, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(ctx, *args):
            from .grad_mode import no_grad

            with no_grad():
                return fn(ctx, *args)

        return wrapper
