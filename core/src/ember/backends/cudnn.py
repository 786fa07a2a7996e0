"""torch.backends.cudnn's flags. CuPy picks its own cuDNN algorithms; these are kept so scripts that set them run."""

benchmark = False
deterministic = False
enabled = True
allow_tf32 = True


def is_available() -> bool:
    from .. import cuda

    return cuda.is_available()


def version():
    return None
