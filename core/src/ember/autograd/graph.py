"""The recorded graph and the backward engine.

Every op that needs a gradient records one `Node` on its output: the backward function, the
edges to its inputs' producers, and the tensors its backward needs. An edge is `None` (the input
needs no gradient), a leaf `Tensor` (the gradient is accumulated into `.grad`), or a
`(node, output_index)` pair. Backward walks the graph with an explicit stack and a
dependency count, never recursion, so a 10,000-op chain is fine.
"""

from __future__ import annotations

import sys

from .grad_mode import state as _grad_state


_SECOND_BACKWARD = (
    "Trying to backward through the graph a second time (or directly access saved tensors after they have already "
    "been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). "
    "Specify retain_graph=True if you need to backward through the graph a second time or if you need to access "
    "saved tensors after calling backward."
)


def versions_of(saved):
    """The version counters of saved tensors, read from each one's root (see Tensor._ver)."""
    return tuple([t._ver if t._base is None else t._base._ver for t in saved])


class Node:
    """One recorded op: `grad_fn` of its output. Also the `ctx` its backward function receives."""

    # hot fields are slots; rarely set ones are class defaults overridden through the lazily made __dict__
    __slots__ = ("backward_fn", "next_edges", "needs_input_grad", "in_meta", "_saved", "_versions", "data",
                 "__dict__", "__weakref__")
    hooked = False  # set once any of the three below is: one check per node in the engine's loop
    pre_hooks = None
    retained = None
    post_hooks = None
    n_out = 1
    released = False

    def __init__(self, backward_fn, next_edges, needs_input_grad, in_meta, saved=(), data=None, n_out=1):
        self.backward_fn = backward_fn
        self.next_edges = next_edges
        self.needs_input_grad = needs_input_grad
        self.in_meta = in_meta  # (shape, dtype) per input whose gradient may need fitting, else None
        self._saved = saved
        self.data = data
        if n_out != 1:
            self.n_out = n_out
        self._versions = versions_of(saved) if saved else ()

    def name(self) -> str:
        return self.backward_fn.__name__

    def __repr__(self):
        return f"<{self.backward_fn.__name__} object at {hex(id(self))}>"

    @property
    def next_functions(self):
        out = []
        for e in self.next_edges:
            if e is None:
                out.append((None, 0))
            elif e.__class__ is tuple:
                out.append(e)
            else:
                out.append((_AccumulateGrad(e), 0))
        return tuple(out)

    @property
    def saved_tensors(self):
        if self.released:
            raise RuntimeError(_SECOND_BACKWARD)
        saved = self._saved
        for i, t in enumerate(saved):
            if t._version != self._versions[i]:
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by an inplace "
                    f"operation: [{t.type()} {list(t.shape)}], which is output {t._out_idx} of "
                    f"{_producer_name(t)}, is at version {t._version}; expected version {self._versions[i]} "
                    "instead. Hint: the backtrace further above can point to the operation that failed to compute "
                    "its gradient."
                )
        return saved

    def register_hook(self, fn):
        """Post-hook on this node: fn(grad_inputs, grad_outputs) may return replacement grad_inputs."""
        if self.post_hooks is None:
            self.post_hooks = []
        self.hooked = True
        self.post_hooks.append(fn)
        return _RemovableHandle(self.post_hooks, fn)

    def register_prehook(self, fn):
        return self._add_pre_hook(0, fn)

    def _add_pre_hook(self, idx, fn):
        if self.pre_hooks is None:
            self.pre_hooks = {}
        self.hooked = True
        hooks = self.pre_hooks.setdefault(idx, [])
        hooks.append(fn)
        return _RemovableHandle(hooks, fn)

    def release(self):
        self._saved = ()
        self.data = None
        self.released = True


def _producer_name(t):
    fn = t._grad_fn
    return fn.name() if fn is not None else "a leaf tensor"


class _AccumulateGrad:
    """What `next_functions` shows for a leaf edge, as torch's AccumulateGrad."""

    __slots__ = ("variable",)

    def __init__(self, variable):
        self.variable = variable

    def name(self):
        return "AccumulateGrad"

    next_functions = ()

    def __repr__(self):
        return f"<AccumulateGrad object at {hex(id(self))}>"


class _RemovableHandle:
    def __init__(self, hooks, fn):
        self._hooks, self._fn = hooks, fn

    def remove(self):
        try:
            self._hooks.remove(self._fn)
        except ValueError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def _fit_grad(g, meta):
    """Sum a broadcast gradient back to its input's shape and cast it to the input's dtype."""
    from .._dtype import from_numpy_dtype

    shape, np_dtype = meta
    if g._data.shape != shape:
        g = g.sum_to_size(shape) if g.dim() >= len(shape) else g.expand(shape)
    if g._data.dtype != np_dtype:
        g = g.to(from_numpy_dtype(np_dtype))
    return g


def _accumulate(leaf, g, create_graph, may_steal=False):
    hooks = leaf._hooks
    if hooks:
        for h in tuple(hooks.values()):
            r = h(g)
            if r is not None:
                g = r
                may_steal = False  # a hook's result may be held by the hook's owner
    old = leaf.grad
    if old is None:
        if create_graph:
            leaf.grad = g
        elif may_steal and g._data.base is None and _getrefcount(g._data) <= 2:
            # nothing else holds this freshly computed array (only g's own reference and the call's): keep it
            # instead of copying, as torch does when the gradient's use count is one
            leaf.grad = _TENSOR[0]._make(g._data)
        else:
            leaf.grad = g.detach()._own()
    elif create_graph:
        leaf.grad = old + g
    else:
        old._data += g._data
    post = leaf._post_acc_hooks
    if post:
        for h in tuple(post.values()):
            h(leaf)


def run_backward(roots, grads, retain_graph: bool, create_graph: bool, inputs=None, accumulate=True):
    """Propagate `grads` from `roots` through the graph.

    With `accumulate`, leaf gradients land in `.grad` (restricted to `inputs` when given); without it,
    the gradients reaching `inputs` are returned in order (None where nothing reached them).
    """
    Tensor = _tensor_class()
    captured = {}  # id(input) -> grad, for autograd.grad and for backward(inputs=...)
    capture_leaf = {}
    capture_node = {}
    if inputs is not None:
        for t in inputs:
            if t._grad_fn is None:
                capture_leaf[id(t)] = t
            else:
                capture_node[(t._grad_fn, t._out_idx)] = t

    # 1. dependencies: how many edges point at each node from the part of the graph we run
    start = []
    buffers = {}
    for t, g in zip(roots, grads):
        fn = t._grad_fn
        if fn is None:
            if not t._requires_grad:
                raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
            if id(t) in capture_leaf or (inputs is None and accumulate):
                _deliver_leaf(t, g, accumulate, capture_leaf, captured, create_graph)
            continue
        buf = buffers.get(fn)
        if buf is None:
            buf = buffers[fn] = [None] * fn.n_out
            start.append(fn)
        idx = t._out_idx
        buf[idx] = g if buf[idx] is None else buf[idx] + g
    deps = {}
    stack = list(start)
    seen = set(start)
    while stack:
        node = stack.pop()
        for e in node.next_edges:
            if e.__class__ is tuple:
                nxt = e[0]
                deps[nxt] = deps.get(nxt, 0) + 1
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)

    needed = None
    if inputs is not None:
        needed = _nodes_leading_to(seen, capture_leaf, capture_node)

    # 2. run nodes whose gradients are complete
    ready = [n for n in start if deps.get(n, 0) == 0]
    plain = accumulate and inputs is None  # every leaf reached gets its gradient accumulated
    prev_mode = _grad_state.enabled
    _grad_state.enabled = create_graph
    try:
        while ready:
            node = ready.pop()
            out_grads = buffers.pop(node, None)
            if out_grads is None:  # only reached through skipped branches: nothing flows through it
                _release_edges(node, deps, ready, retain_graph)
                continue
            if node.hooked and node.pre_hooks:
                for idx, hooks in node.pre_hooks.items():
                    for h in tuple(hooks):
                        if out_grads[idx] is not None:
                            r = h(out_grads[idx])
                            if r is not None:
                                out_grads[idx] = r
            if node.hooked and node.retained:
                for idx, ref in node.retained.items():
                    t = ref()
                    if t is not None and out_grads[idx] is not None:
                        g = out_grads[idx]
                        t.grad = g if create_graph else (g.detach()._own() if t.grad is None else t.grad + g)
            if capture_node:
                for idx in range(node.n_out):
                    t = capture_node.get((node, idx))
                    if t is not None:
                        captured[id(t)] = out_grads[idx]
            if needed is not None and node not in needed:
                _release_edges(node, deps, ready, retain_graph)
                continue
            if node.released:
                raise RuntimeError(_SECOND_BACKWARD)
            if node.n_out == 1:
                g = out_grads[0]
                if g is None:
                    _release_edges(node, deps, ready, retain_graph)
                    continue
                in_grads = node.backward_fn(node, g)
            else:
                in_grads = node.backward_fn(node, *out_grads)
            if in_grads.__class__ is not tuple:
                in_grads = in_grads if isinstance(in_grads, list) else (in_grads,)
            if node.hooked and node.post_hooks:
                for h in node.post_hooks:
                    r = h(in_grads, out_grads)
                    if r is not None:
                        in_grads = tuple(r)
            if not retain_graph:
                node._saved = ()
                node.data = None
                node.released = True
            edges = node.next_edges
            if len(in_grads) != len(edges):
                raise RuntimeError(
                    f"function {node.name()} returned an incorrect number of gradients (expected {len(edges)}, "
                    f"got {len(in_grads)})"
                )
            meta = node.in_meta
            for i, e in enumerate(edges):
                if e is None:
                    continue
                g = in_grads[i]
                if g is not None:
                    if g.__class__ is not Tensor and not isinstance(g, Tensor):
                        raise TypeError(f"{node.name()} returned a gradient of type {type(g).__name__}, not a Tensor")
                    m = meta[i]
                    if m is not None:  # None: the op promised the gradient already has the input's shape/dtype
                        gd = g._data
                        if gd.shape != m[0] or gd.dtype != m[1]:
                            g = _fit_grad(g, m)
                if e.__class__ is tuple:
                    nxt, idx = e
                    if g is not None:
                        buf = buffers.get(nxt)
                        if buf is None:
                            buf = buffers[nxt] = [None] * nxt.n_out
                        buf[idx] = g if buf[idx] is None else buf[idx] + g
                    elif nxt not in buffers:
                        buffers[nxt] = [None] * nxt.n_out
                    deps[nxt] -= 1
                    if deps[nxt] == 0:
                        ready.append(nxt)
                elif g is not None:
                    # the array may become the leaf's .grad without a copy only if this op made it just now:
                    # a built-in op, not handed on unchanged (g is no incoming gradient), given to one edge only
                    fresh = (node.backward_fn.__class__ is _function_type and not _is_one_of(g, out_grads)
                             and _occurrences(g, in_grads) == 1)
                    if plain:
                        _accumulate(e, g, create_graph, fresh)
                    else:
                        _deliver_leaf(e, g, accumulate, capture_leaf, captured, create_graph, inputs is not None,
                                      fresh)
    finally:
        _grad_state.enabled = prev_mode
    if not accumulate:
        return tuple(captured.get(id(t)) for t in inputs)
    return None


_TENSOR = []
_getrefcount = sys.getrefcount
_function_type = type(lambda: None)


def _is_one_of(x, items) -> bool:
    for item in items:
        if item is x:
            return True
    return False


def _occurrences(x, items) -> int:
    n = 0
    for item in items:
        if item is x:
            n += 1
    return n


def _tensor_class():
    if not _TENSOR:
        from .._tensor import Tensor

        _TENSOR.append(Tensor)
    return _TENSOR[0]


def _deliver_leaf(leaf, g, accumulate, capture_leaf, captured, create_graph, restricted=False, may_steal=False):
    if accumulate:
        if not restricted or id(leaf) in capture_leaf:
            _accumulate(leaf, g, create_graph, may_steal)
    elif id(leaf) in capture_leaf:
        prev = captured.get(id(leaf))
        hooks = leaf._hooks
        if hooks:
            for h in tuple(hooks.values()):
                r = h(g)
                if r is not None:
                    g = r
        captured[id(leaf)] = g if prev is None else prev + g


def _release_edges(node, deps, ready, retain_graph):
    """Skip a node nobody needs: its successors still get their dependency counted down."""
    if not retain_graph:
        node.release()
    for e in node.next_edges:
        if e.__class__ is tuple:
            nxt = e[0]
            deps[nxt] -= 1
            if deps[nxt] == 0:
                ready.append(nxt)


def _nodes_leading_to(nodes, capture_leaf, capture_node):
    """The nodes from which some requested input is reachable (iterative post-order)."""
    targets = {n for (n, _i) in capture_node}
    needed = set()
    state = {}
    for root in nodes:
        if root in state:
            continue
        stack = [(root, iter(root.next_edges))]
        state[root] = 1
        while stack:
            node, it = stack[-1]
            advanced = False
            for e in it:
                if e is None:
                    continue
                if e.__class__ is tuple:
                    nxt = e[0]
                    if nxt not in state:
                        state[nxt] = 1
                        stack.append((nxt, iter(nxt.next_edges)))
                        advanced = True
                        break
                    if nxt in needed:
                        needed.add(node)
                elif id(e) in capture_leaf:
                    needed.add(node)
            if advanced:
                continue
            stack.pop()
            if node in targets:
                needed.add(node)
            if node in needed and stack:
                needed.add(stack[-1][0])
    return needed
