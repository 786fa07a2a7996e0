"""Apple's Metal backend does not exist in ember: `is_available()` is False, as torch on Linux."""


def is_available() -> bool:
    return False


def is_built() -> bool:
    return False
