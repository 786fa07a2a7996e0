"""Random generation: seeding reproduces every stream, Generators are independent, states round-trip,
samples have the right distribution, and the in-place random methods follow torch's rules.

Streams are not bit-equal to torch's (NumPy's PCG64 vs Mersenne Twister); argument handling, dtypes and
error messages are torch's (checked against torch 2.13).
"""

import pickle

import numpy as np
import pytest

import ember

DRAWS = {
    "rand": lambda g: ember.rand(3, 4, generator=g),
    "randn": lambda g: ember.randn(3, 4, generator=g),
    "randn_float64": lambda g: ember.randn(5, dtype=ember.float64, generator=g),
    "rand_float16": lambda g: ember.rand(5, dtype=ember.float16, generator=g),
    "randint": lambda g: ember.randint(0, 100, (10,), generator=g),
    "randperm": lambda g: ember.randperm(10, generator=g),
    "normal": lambda g: ember.normal(2.0, 3.0, (6,), generator=g),
    "normal_tensor": lambda g: ember.normal(ember.zeros(6), ember.ones(6), generator=g),
    "bernoulli": lambda g: ember.bernoulli(ember.full((20,), 0.5), generator=g),
    "multinomial": lambda g: ember.multinomial(ember.ones(10), 5, generator=g),
    "multinomial_replacement": lambda g: ember.multinomial(ember.ones(3), 10, True, generator=g),
    "poisson": lambda g: ember.poisson(ember.full((10,), 4.0), generator=g),
    "uniform_": lambda g: ember.empty(6).uniform_(-1, 1, generator=g),
    "normal_": lambda g: ember.empty(6).normal_(generator=g),
    "random_": lambda g: ember.empty(6, dtype=ember.int64).random_(0, 1000, generator=g),
    "bernoulli_": lambda g: ember.empty(20).bernoulli_(0.3, generator=g),
    "exponential_": lambda g: ember.empty(6).exponential_(generator=g),
    "geometric_": lambda g: ember.empty(6).geometric_(0.2, generator=g),
    "log_normal_": lambda g: ember.empty(6).log_normal_(generator=g),
    "cauchy_": lambda g: ember.empty(6).cauchy_(generator=g),
}


@pytest.fixture(autouse=True)
def _restore_default_rng():
    state = ember.get_rng_state()
    yield
    ember.set_rng_state(state)


@pytest.mark.parametrize("name", list(DRAWS))
def test_manual_seed_reproduces_the_stream(name):
    draw = DRAWS[name]
    ember.manual_seed(1234)
    a = [draw(None).numpy().copy() for _ in range(2)]
    ember.manual_seed(1234)
    b = [draw(None).numpy().copy() for _ in range(2)]
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


@pytest.mark.parametrize("name", ["rand", "randn", "randint", "randperm", "normal", "uniform_", "random_"])
def test_different_seeds_and_successive_draws_differ(name):
    draw = DRAWS[name]
    ember.manual_seed(1)
    first, second = draw(None).numpy().copy(), draw(None).numpy().copy()
    ember.manual_seed(2)
    other = draw(None).numpy()
    assert not np.array_equal(first, second)
    assert not np.array_equal(first, other)


@pytest.mark.parametrize("name", list(DRAWS))
def test_generator_argument_uses_its_own_stream(name):
    draw = DRAWS[name]
    ember.manual_seed(0)
    expected_default = ember.rand(4).numpy().copy()
    g1, g2 = ember.Generator().manual_seed(7), ember.Generator().manual_seed(7)
    ember.manual_seed(0)
    a = draw(g1).numpy().copy()
    # drawing from a Generator leaves the default stream where it was
    np.testing.assert_array_equal(ember.rand(4).numpy(), expected_default)
    np.testing.assert_array_equal(draw(g2).numpy(), a)
    # the default generator seeded alike gives the same stream as a Generator seeded alike
    ember.manual_seed(7)
    np.testing.assert_array_equal(draw(None).numpy(), a)


def test_generator_api():
    g = ember.Generator()
    assert g.initial_seed() == 67280421310721  # torch's seed for a fresh Generator
    assert g.device == ember.device("cpu") and ember.Generator(device="cpu").device.type == "cpu"
    assert g.manual_seed(3) is g and g.initial_seed() == 3
    assert ember.Generator().manual_seed(-1).initial_seed() == 2**64 - 1
    assert ember.Generator().manual_seed(2**64 - 1).initial_seed() == 2**64 - 1
    with pytest.raises(ValueError, match="Overflow when unpacking long long"):
        ember.Generator().manual_seed(2**64)
    s = g.seed()
    assert g.initial_seed() == s and 0 <= s < 2**64
    with pytest.raises(TypeError, match="argument 'generator' must be ember.Generator, not int"):
        ember.rand(2, generator=5)


def test_generator_state_round_trip_and_pickle():
    g = ember.Generator().manual_seed(11)
    ember.rand(3, generator=g)
    state = g.get_state()
    assert state.dtype is ember.uint8 and state.ndim == 1
    a = ember.rand(5, generator=g).numpy().copy()
    g.set_state(state)
    np.testing.assert_array_equal(ember.rand(5, generator=g).numpy(), a)
    clone = pickle.loads(pickle.dumps(g))
    g.set_state(state)
    clone.set_state(state)
    np.testing.assert_array_equal(ember.randn(4, generator=clone).numpy(), ember.randn(4, generator=g).numpy())


def test_rng_state_round_trip():
    ember.manual_seed(5)
    ember.randn(10)
    state = ember.get_rng_state()
    assert state.dtype is ember.uint8
    a = ember.randn(10).numpy().copy()
    ember.randn(3)
    ember.set_rng_state(state)
    np.testing.assert_array_equal(ember.randn(10).numpy(), a)
    with pytest.raises(TypeError, match="RNG state must be a torch.ByteTensor"):
        ember.set_rng_state(ember.zeros(3))
    with pytest.raises(RuntimeError, match="not an ember generator state"):
        ember.set_rng_state(ember.zeros(3, dtype=ember.uint8))


def test_fork_rng_restores_the_default_stream():
    ember.manual_seed(0)
    with ember.random.fork_rng():
        inside = ember.rand(3).numpy().copy()
    after = ember.rand(3).numpy()
    np.testing.assert_array_equal(inside, after)
    ember.manual_seed(0)
    with ember.random.fork_rng(enabled=False):
        inside = ember.rand(3).numpy().copy()
    assert not np.array_equal(inside, ember.rand(3).numpy())


def test_seed_and_initial_seed():
    ember.manual_seed(42)
    assert ember.initial_seed() == 42 == ember.random.initial_seed() == ember.default_generator.initial_seed()
    assert ember.manual_seed(3) is ember.default_generator
    s = ember.seed()
    assert s == ember.initial_seed()
    t = ember.seed()
    assert t != s  # fresh entropy each time


# ---------------------------------------------------------------------------- distributions
def test_randn_moments():
    ember.manual_seed(0)
    x = ember.randn(100_000).numpy().astype(np.float64)
    assert abs(x.mean()) < 0.02 and abs(x.std() - 1) < 0.02


def test_rand_range_and_moments():
    ember.manual_seed(0)
    x = ember.rand(100_000).numpy()
    assert x.dtype == np.float32 and x.min() >= 0 and x.max() < 1
    assert abs(x.mean() - 0.5) < 0.01 and abs(x.var() - 1 / 12) < 0.005
    # half types are drawn on their own grid: never rounded up to 1.0
    for dt in (ember.float16, ember.bfloat16):
        h = ember.rand(100_000, dtype=dt).float().numpy()
        assert h.min() >= 0 and h.max() < 1


def test_randint_bounds_and_coverage():
    ember.manual_seed(0)
    x = ember.randint(-3, 4, (10_000,))
    assert x.dtype is ember.int64
    assert sorted(set(x.tolist())) == list(range(-3, 4))
    assert ember.randint(5, (2, 3)).shape == (2, 3)
    assert ember.randint(3, size=(2,)).shape == (2,)
    assert ember.randint(low=0, high=3, size=(2,)).shape == (2,)
    assert ember.randint(high=3, size=(4,)).max().item() < 3
    assert ember.randint(0, 5, (2,), dtype=ember.float32).dtype is ember.float32
    assert ember.randint(0, 2**40, (3,)).dtype is ember.int64
    assert ember.randint(0, 3, ()).shape == ()


def test_randperm_is_a_permutation():
    ember.manual_seed(0)
    p = ember.randperm(1000)
    assert p.dtype is ember.int64 and sorted(p.tolist()) == list(range(1000))
    assert ember.randperm(0).shape == (0,)
    assert ember.randperm(4, dtype=ember.float32).dtype is ember.float32


def test_normal_forms_and_moments():
    ember.manual_seed(0)
    x = ember.normal(2.0, 3.0, (100_000,)).numpy()
    assert abs(x.mean() - 2) < 0.05 and abs(x.std() - 3) < 0.05
    mean = ember.tensor([0.0, 100.0])
    y = ember.normal(mean.expand(50_000, 2), 1.0).numpy()
    np.testing.assert_allclose(y.mean(axis=0), [0, 100], atol=0.05)
    assert ember.normal(ember.zeros(2, 1), ember.ones(3)).shape == (2, 3)
    assert ember.normal(0.0, ember.ones(4)).shape == (4,)
    assert ember.normal(ember.zeros(2, dtype=ember.float64), 1.0).dtype is ember.float64
    assert ember.normal(ember.zeros(2), ember.ones(2, dtype=ember.float64)).dtype is ember.float32
    assert ember.normal(3.0, 0.0, (2,)).tolist() == [3.0, 3.0]
    assert ember.normal(0, 1, (2,), dtype=ember.float64).dtype is ember.float64
    assert ember.normal(0, 1, size=(2,), requires_grad=True).requires_grad


@pytest.mark.parametrize("call, exc, msg", [
    (lambda: ember.normal(ember.zeros(2), -1.0), RuntimeError, "normal expects std >= 0.0, but found std -1"),
    (lambda: ember.normal(0, -1.0, (2,)), RuntimeError, "normal expects std >= 0.0, but found std -1"),
    (lambda: ember.normal(0.0, -ember.ones(2)), RuntimeError, "normal expects all elements of std >= 0.0"),
    (lambda: ember.normal(ember.zeros(2, dtype=ember.int64), 1.0), NotImplementedError,
     "\"normal_kernel_cpu\" not implemented for 'Long'"),
    (lambda: ember.rand(2, dtype=ember.int64), NotImplementedError,
     "\"check_uniform_bounds\" not implemented for 'Long'"),
    (lambda: ember.randn(2, dtype=ember.int64), NotImplementedError,
     "\"normal_kernel_cpu\" not implemented for 'Long'"),
    (lambda: ember.rand_like(ember.ones(2, dtype=ember.int64)), NotImplementedError,
     "\"check_uniform_bounds\" not implemented for 'Long'"),
    (lambda: ember.rand(-1), RuntimeError, "Trying to create tensor with negative dimension -1: [-1]"),
    (lambda: ember.randperm(-1), RuntimeError, "Trying to create tensor with negative dimension -1: [-1]"),
    (lambda: ember.randint(5, 2, (2,)), RuntimeError,
     "random_ expects 'from' to be less than 'to', but got from=5 >= to=2"),
    (lambda: ember.randint(0, 3, (2,), requires_grad=True), RuntimeError,
     "Only Tensors of floating point and complex dtype can require gradients"),
    (lambda: ember.randint(0, 300, (3,), dtype=ember.uint8), RuntimeError, "to - 1 is out of bounds for unsigned char"),
])
def test_random_factory_errors_like_torch(call, exc, msg):
    with pytest.raises(exc) as info:
        call()
    assert str(info.value) == msg


def test_bernoulli():
    ember.manual_seed(0)
    p = ember.full((100_000,), 0.3)
    x = ember.bernoulli(p)
    assert x.dtype is ember.float32 and set(np.unique(x.numpy())) <= {0.0, 1.0}
    assert abs(x.numpy().mean() - 0.3) < 0.01
    assert ember.bernoulli(ember.tensor([0.0, 1.0])).tolist() == [0.0, 1.0]
    assert ember.bernoulli(ember.tensor([1.0, 1.0]), 0.0).tolist() == [0.0, 0.0]  # p overrides input's values
    assert ember.bernoulli(ember.tensor([0.5], dtype=ember.float64)).dtype is ember.float64
    with pytest.raises(RuntimeError, match="Expected p_in >= 0 && p_in <= 1"):
        ember.bernoulli(ember.tensor([0.0, 2.0]))
    with pytest.raises(NotImplementedError, match="bernoulli_tensor_cpu_p_"):
        ember.bernoulli(ember.tensor([0, 1]))


def test_multinomial_without_replacement_gives_distinct_indices():
    ember.manual_seed(0)
    for _ in range(20):
        idx = ember.multinomial(ember.rand(10) + 0.01, 10)
        assert sorted(idx.tolist()) == list(range(10))
    rows = ember.multinomial(ember.rand(4, 6) + 0.01, 6)
    assert rows.shape == (4, 6) and all(sorted(r) == list(range(6)) for r in rows.tolist())
    # torch 2.x: once the positive weights are used up, zero-weight categories fill the rest
    assert sorted(ember.multinomial(ember.tensor([0.0, 1.0]), 2).tolist()) == [0, 1]
    assert ember.multinomial(ember.tensor([0.0, 0.0, 1.0]), 1).tolist() == [2]


def test_multinomial_frequencies_follow_the_weights():
    ember.manual_seed(0)
    w = ember.tensor([1.0, 0.0, 3.0])
    x = ember.multinomial(w, 40_000, replacement=True)
    assert x.dtype is ember.int64 and x.shape == (40_000,)
    counts = np.bincount(x.numpy(), minlength=3) / 40_000
    assert counts[1] == 0 and abs(counts[0] - 0.25) < 0.01 and abs(counts[2] - 0.75) < 0.01
    first = ember.multinomial(w.expand(20_000, 3), 1)
    assert first.shape == (20_000, 1) and abs((first.numpy() == 2).mean() - 0.75) < 0.015
    assert ember.multinomial(ember.tensor([[0.0, 1.0], [1.0, 0.0]]), 1).tolist() == [[1], [0]]


@pytest.mark.parametrize("weights, n, replacement, msg", [
    ([0.0, 1.0], 3, False, "cannot sample n_sample > prob_dist.size(-1) samples without replacement"),
    ([0.0, 1.0], 0, False, "cannot sample n_sample <= 0 samples"),
    ([0.0, -1.0], 1, False, "probability tensor contains either `inf`, `nan` or element < 0"),
    ([0.0, float("nan")], 1, True, "probability tensor contains either `inf`, `nan` or element < 0"),
    ([0.0, 0.0], 1, False, "invalid multinomial distribution (sum of probabilities <= 0)"),
])
def test_multinomial_errors_like_torch(weights, n, replacement, msg):
    with pytest.raises(RuntimeError) as info:
        ember.multinomial(ember.tensor(weights), n, replacement)
    assert str(info.value) == msg


def test_multinomial_input_checks():
    with pytest.raises(RuntimeError, match="multinomial only supports floating-point dtypes for input, got: Long"):
        ember.multinomial(ember.tensor([0, 1]), 1)
    with pytest.raises(RuntimeError, match="prob_dist must be 1 or 2 dim"):
        ember.multinomial(ember.zeros(2, 2, 2), 1)


def test_poisson():
    ember.manual_seed(0)
    x = ember.poisson(ember.full((50_000,), 4.0))
    assert x.dtype is ember.float32 and abs(x.numpy().mean() - 4) < 0.05
    assert ember.poisson(ember.zeros(3)).tolist() == [0.0, 0.0, 0.0]


def test_random_like_factories():
    assert ember.randint_like(ember.ones(2), 5).dtype is ember.float32
    assert ember.randint_like(ember.ones(2, dtype=ember.int32), 3, 5).dtype is ember.int32
    assert set(ember.randint_like(ember.ones(1000, dtype=ember.int32), 3, 5).tolist()) == {3, 4}
    assert ember.randn_like(ember.ones(2, dtype=ember.float64)).dtype is ember.float64
    assert ember.randn_like(ember.ones(2), dtype=ember.float16).dtype is ember.float16
    assert ember.rand_like(ember.ones(2, 3), requires_grad=True).requires_grad
    assert ember.rand_like(ember.ones(2, 3)).shape == (2, 3)


@pytest.mark.parametrize("call, grad_fn", [
    (lambda m, s: ember.normal(m, 1.0), "NormalBackward1"),
    (lambda m, s: ember.normal(0.0, s), "NormalBackward2"),
    (lambda m, s: ember.normal(m, s), "NormalBackward3"),
    (lambda m, s: ember.bernoulli(s * 0.5), "BernoulliBackward0"),
    (lambda m, s: ember.poisson(s), "PoissonBackward0"),
])
def test_sampling_functions_pass_zero_gradients_like_torch(call, grad_fn):
    m, s = ember.zeros(3, requires_grad=True), ember.ones(3, requires_grad=True)
    out = call(m, s)
    assert out.grad_fn.name() == grad_fn
    out.sum().backward()
    for t in (m, s):
        assert t.grad is None or (t.grad.numpy() == 0).all()
    assert m.grad is not None or s.grad is not None


# ---------------------------------------------------------------------------- in-place random methods
def test_inplace_methods_sample_in_their_ranges():
    ember.manual_seed(0)
    n = 50_000
    u = ember.empty(n).uniform_(2, 3).numpy()
    assert u.min() >= 2 and u.max() < 3 and abs(u.mean() - 2.5) < 0.01
    assert (ember.empty(n).uniform_(**{"from": -1, "to": 1}).numpy() >= -1).all()
    z = ember.empty(n, dtype=ember.float64).normal_(1.0, 2.0).numpy()
    assert abs(z.mean() - 1) < 0.05 and abs(z.std() - 2) < 0.05
    b = ember.empty(n).bernoulli_(0.25).numpy()
    assert set(np.unique(b)) == {0.0, 1.0} and abs(b.mean() - 0.25) < 0.01
    e = ember.empty(n).exponential_(2.0).numpy()
    assert e.min() >= 0 and abs(e.mean() - 0.5) < 0.01
    g = ember.empty(n).geometric_(0.25).numpy()
    assert g.min() >= 1 and (g == np.round(g)).all() and abs(g.mean() - 4) < 0.1
    ln = ember.empty(n, dtype=ember.float64).log_normal_(0.0, 0.5).numpy()
    assert ln.min() > 0 and abs(np.log(ln).mean()) < 0.01 and abs(np.log(ln).std() - 0.5) < 0.01
    c = ember.empty(n, dtype=ember.float64).cauchy_(1.0, 2.0).numpy()
    assert abs(np.median(c) - 1) < 0.1 and abs(np.percentile(c, 75) - np.percentile(c, 25) - 4) < 0.2
    assert ember.empty(3).normal_(mean=1.0, std=0.0).tolist() == [1.0, 1.0, 1.0]
    assert ember.empty(2).uniform_(ember.tensor(1.0), ember.tensor(2.0)).ge(1).all()


def test_random_integer_forms():
    ember.manual_seed(0)
    r = ember.empty(10_000).random_(5)
    assert set(r.numpy().tolist()) == {0.0, 1.0, 2.0, 3.0, 4.0}
    assert set(ember.empty(1000, dtype=ember.int64).random_(3, 5).tolist()) == {3, 4}
    assert set(ember.empty(1000).random_(to=3).tolist()) == {0.0, 1.0, 2.0}
    assert ember.empty(2).random_(**{"from": 3, "to": 4}).tolist() == [3.0, 3.0]
    u8 = ember.empty(10_000, dtype=ember.uint8).random_()
    assert u8.dtype is ember.uint8 and u8.max().item() > 250
    assert set(ember.empty(1000, dtype=ember.bool).random_().tolist()) == {False, True}
    i8 = ember.empty(1000, dtype=ember.int8).random_()
    assert i8.min().item() >= 0 and i8.max().item() > 120
    f = ember.empty(10_000).random_()
    assert f.min().item() >= 0 and f.max().item() <= 2**24 and (f.numpy() == np.round(f.numpy())).all()
    assert ember.empty(3, dtype=ember.int64).random_(-2**63, 2**63 - 1).dtype is ember.int64
    assert ember.empty(3, dtype=ember.int64).random_(0, 2**63 - 1).ge(0).all()
    assert ember.empty(3, dtype=ember.int64).bernoulli_(1.0).tolist() == [1, 1, 1]
    assert ember.empty(3, dtype=ember.int64).geometric_(0.5).ge(1).all()
    assert ember.zeros(3, dtype=ember.bool).bernoulli_(1.0).all()


def test_bernoulli_with_tensor_probabilities():
    assert ember.empty(2).bernoulli_(p=ember.tensor([0.0, 1.0])).tolist() == [0.0, 1.0]
    assert ember.empty(2).bernoulli_(ember.tensor(1.0)).tolist() == [1.0, 1.0]
    with pytest.raises(RuntimeError, match="Expected p_in >= 0 && p_in <= 1"):
        ember.empty(2).bernoulli_(ember.tensor([0.0, 2.0]))
    with pytest.raises(RuntimeError):
        ember.empty(2).bernoulli_(ember.tensor([0.0, 1.0, 1.0]))


@pytest.mark.parametrize("call, exc, msg", [
    (lambda: ember.zeros(2).uniform_(3), RuntimeError,
     "uniform_ expects to return a [from, to) range, but found from=3 > to=1"),
    (lambda: ember.zeros(2).uniform_(0, float("nan")), RuntimeError, "to is out of bounds for float"),
    (lambda: ember.zeros(2).uniform_(0, float("inf")), RuntimeError, "to is out of bounds for float"),
    (lambda: ember.zeros(2).normal_(0, -1), RuntimeError, "normal expects std >= 0.0, but found std -1"),
    (lambda: ember.zeros(2).bernoulli_(1.5), RuntimeError, "bernoulli_ expects p to be in [0, 1], but got p=1.5"),
    (lambda: ember.zeros(2).exponential_(-1), RuntimeError, "exponential_ expects lambda > 0.0, but found lambda=-1"),
    (lambda: ember.zeros(2).exponential_(0), RuntimeError, "exponential_ expects lambda > 0.0, but found lambda=0"),
    (lambda: ember.zeros(2).geometric_(0), RuntimeError, "geometric_ expects p to be in (0, 1), but got p=0"),
    (lambda: ember.zeros(2).geometric_(1), RuntimeError, "geometric_ expects p to be in (0, 1), but got p=1"),
    (lambda: ember.zeros(2).log_normal_(0, -1), RuntimeError, "log_normal_ expects std > 0.0, but found std=-1"),
    (lambda: ember.zeros(2).cauchy_(0, -1), RuntimeError, "cauchy_ expects sigma > 0.0, but found sigma=-1"),
    (lambda: ember.zeros(2).random_(3, 1), RuntimeError,
     "random_ expects 'from' to be less than 'to', but got from=3 >= to=1"),
    (lambda: ember.zeros(2, dtype=ember.uint8).random_(-1, 3), RuntimeError, "from is out of bounds for unsigned char"),
    (lambda: ember.zeros(2, dtype=ember.int8).random_(0, 2**40), RuntimeError,
     "to - 1 is out of bounds for signed char"),
    (lambda: ember.zeros(2, dtype=ember.int32).random_(0, 2**40), RuntimeError, "to - 1 is out of bounds for int"),
    (lambda: ember.zeros(2, dtype=ember.float16).random_(0, 2**40), RuntimeError,
     "to - 1 is out of bounds for c10::Half"),
    (lambda: ember.zeros(2, dtype=ember.bool).random_(0, 3), RuntimeError, "to - 1 is out of bounds for bool"),
    (lambda: ember.zeros(2, dtype=ember.int32).uniform_(), NotImplementedError,
     "\"check_uniform_bounds\" not implemented for 'Int'"),
    (lambda: ember.zeros(2, dtype=ember.int64).normal_(), NotImplementedError,
     "\"normal_kernel_cpu\" not implemented for 'Long'"),
    (lambda: ember.zeros(2, dtype=ember.uint8).log_normal_(), NotImplementedError,
     "\"log_normal_cpu\" not implemented for 'Byte'"),
    (lambda: ember.zeros(2, dtype=ember.bool).geometric_(0.5), NotImplementedError,
     "\"geometric_cpu\" not implemented for 'Bool'"),
    (lambda: ember.zeros(2, dtype=ember.int64).exponential_(), RuntimeError,
     "Exponential distribution is a continuous probability distribution. dtype must be a floating point but you "
     "specified Long"),
    (lambda: ember.zeros(2, dtype=ember.int16).cauchy_(), RuntimeError,
     "Cauchy distribution is a continuous probability distribution. dtype must be a floating point but you "
     "specified short int"),
    (lambda: ember.zeros(2).random_(**{"from": 3}), TypeError,
     "random_() received an invalid combination of arguments - got (from=int, )"),
    (lambda: ember.zeros(2).uniform_(generator=5), TypeError,
     "argument 'generator' must be ember.Generator, not int"),
])
def test_inplace_random_errors_like_torch(call, exc, msg):
    with pytest.raises(exc) as info:
        call()
    assert str(info.value) == msg


@pytest.mark.parametrize("method, args", [
    ("uniform_", ()), ("normal_", ()), ("bernoulli_", (0.5,)), ("random_", (0, 10)), ("exponential_", ()),
    ("geometric_", (0.5,)), ("log_normal_", ()), ("cauchy_", ()),
])
def test_inplace_methods_return_self_and_bump_the_version(method, args):
    x = ember.zeros(4)
    v = x._version
    assert getattr(x, method)(*args) is x
    assert x._version == v + 1
    # a view writes through to its base, and both see the bump
    base = ember.zeros(5)
    view = base[1:]
    getattr(view, method)(*args)
    assert base._version == 1 and view._version == 1
    assert base[0].item() == 0.0


@pytest.mark.parametrize("method, args, grad_fn", [
    ("uniform_", (), "UniformBackward0"), ("normal_", (), "NormalBackward0"),
    ("bernoulli_", (0.5,), "BernoulliBackward2"), ("random_", (0, 3), "RandomBackward0"),
    ("random_", (3,), "RandomBackward1"), ("random_", (), "RandomBackward2"),
    ("exponential_", (), "ExponentialBackward0"), ("geometric_", (0.5,), "GeometricBackward0"),
    ("log_normal_", (), "LogNormalBackward0"), ("cauchy_", (), "CauchyBackward0"),
])
def test_inplace_methods_on_graph_tensors_give_zero_gradient(method, args, grad_fn):
    x = ember.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
        getattr(x, method)(*args)
    y = x * 2
    getattr(y, method)(*args)
    assert y.grad_fn.name() == grad_fn
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


def test_bernoulli_with_tensor_p_records_its_own_backward():
    y = ember.ones(3, requires_grad=True) * 1
    y.bernoulli_(ember.full((3,), 0.5))
    assert y.grad_fn.name() == "BernoulliBackward1"


def test_inplace_random_under_no_grad_keeps_the_leaf_and_breaks_saved_tensors():
    w = ember.zeros(3, requires_grad=True)
    with ember.no_grad():
        w.normal_()
    assert w.requires_grad and w.is_leaf and w._version == 1
    x = ember.ones(3, requires_grad=True)
    y = x * 1
    z = y * y  # saves y
    y.uniform_()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.backward(ember.ones(3))


@pytest.mark.cuda
def test_cuda_draws_are_seeded_and_placed():
    ember.manual_seed(3)
    a = ember.randn(4, device="cuda")
    ember.manual_seed(3)
    b = ember.randn(4, device="cuda")
    assert a.is_cuda and a.dtype is ember.float32
    np.testing.assert_array_equal(a.cpu().numpy(), b.cpu().numpy())
    g = ember.Generator(device="cuda").manual_seed(1)
    assert ember.rand(3, device="cuda", generator=g).is_cuda
    x = ember.empty(5, device="cuda").uniform_(2, 3)
    assert x.is_cuda and bool((x >= 2).all()) and bool((x < 3).all())
    assert ember.randperm(6, device="cuda").cpu().sort().values.tolist() == list(range(6))
    assert ember.multinomial(ember.ones(4, device="cuda"), 4).is_cuda
    with pytest.raises(RuntimeError, match="Expected a 'cpu' device type for generator but found 'cuda'"):
        ember.rand(2, generator=g)


def test_standard_gamma_and_dirichlet():
    ember.manual_seed(0)
    alpha = ember.full((20000,), 3.0, dtype=ember.float64)
    g = ember._standard_gamma(alpha)
    assert g.dtype is ember.float64 and bool((g > 0).all())
    assert abs(g.mean().item() - 3.0) < 0.1 and abs(g.var().item() - 3.0) < 0.3  # Gamma(3, 1): mean = var = 3
    ember.manual_seed(0)
    assert ember._standard_gamma(alpha).tolist() == g.tolist()
    d = ember._sample_dirichlet(ember.tensor([[1.0, 2.0, 3.0]] * 5000))
    np.testing.assert_allclose(d.sum(-1).numpy(), 1.0, rtol=1e-6)
    np.testing.assert_allclose(d.mean(0).numpy(), [1 / 6, 2 / 6, 3 / 6], atol=0.02)
    with pytest.raises(RuntimeError, match="positive"):
        ember._standard_gamma(ember.tensor([0.0, 1.0]))
