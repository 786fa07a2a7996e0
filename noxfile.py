"""nox sessions: one per package (installs only it and what it depends on), all tests, lint, bench, gpu."""

import nox

nox.options.sessions = ["tests", "lint"]
nox.options.reuse_existing_virtualenvs = True

TEST_DEPS = ["pytest", "pytest-timeout", "hypothesis"]

# package folder -> (local folders to install, in dependency order)
PACKAGES = {
    "core": ["./core"],
    "datasets": ["./datasets"],
    "vision": ["./core", "./datasets", "./vision[scipy,demo]"],
    "text": ["./core", "./datasets", "./text"],
    "audio": ["./core", "./datasets", "./audio"],
}


def _install(session, folders):
    session.install(*TEST_DEPS)
    session.install(*folders)


@nox.session
def tests(session):
    """Every package's tests in one environment."""
    # vision's extras: scipy reads SVHN/Flowers102 .mat files, scikit-learn ships the demo's digits
    _install(session, ["./core", "./datasets", "./vision[scipy,demo]", "./text", "./audio"])
    session.run("pytest", "tests", "--ignore=tests/interop", *session.posargs)


def _package_session(name, folders):
    @nox.session(name=name)
    def run(session):
        _install(session, folders)
        session.run("pytest", f"tests/{name}", *session.posargs)

    run.__doc__ = f"Tests of {name} with only its own dependencies installed."
    return run


for _name, _folders in PACKAGES.items():
    globals()[_name] = _package_session(_name, _folders)


@nox.session
def lint(session):
    session.install("ruff")
    session.run("ruff", "check", ".")


@nox.session
def interop(session):
    """Checkpoints written by ember read by real torch and the other way round (installs torch 2.13 CPU)."""
    _install(session, ["./core", "./datasets"])
    session.install("torch==2.13.0", "safetensors")
    session.run("pytest", "tests/interop", *session.posargs)


@nox.session
def gpu(session):
    """Tests marked `cuda` (run on a machine with an NVIDIA GPU)."""
    _install(session, ["./core[cuda]", "./datasets", "./vision", "./text", "./audio"])
    session.run("pytest", "tests", "-m", "cuda", *session.posargs)


@nox.session
def fakegpu(session):
    """The `cuda` tests on the CPU through tests/fakecupy (a NumPy stand-in for CuPy; never on the default path)."""
    _install(session, ["./core", "./datasets", "./vision"])
    session.run("pytest", "tests", "-m", "cuda", "-p", "fakecupy_plugin", *session.posargs,
                env={"PYTHONPATH": "tests/fakecupy"})


@nox.session
def demo(session):
    """The README's main job: train a small CNN on scikit-learn's digits, offline (args go to the script)."""
    session.install("./core", "./datasets", "./vision", "scikit-learn")
    session.run("python", "examples/train_digits.py", *session.posargs)


@nox.session
def bench(session):
    """Side-by-side benchmarks; torch is compared where it is installed."""
    session.install("./core", "./datasets", "./vision", "pillow")
    session.install("torch==2.13.0")
    env = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    for script in ("op_overhead", "models", "optim", "serialization", "dataloader"):
        session.run("python", f"benchmarks/{script}.py", env=env)
