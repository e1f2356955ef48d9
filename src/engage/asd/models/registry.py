"""Registry of ASD architectures keyed by their config name (``asd.model``)."""

from __future__ import annotations

from typing import Callable, TypeVar

from engage.errors import ConfigError

_MODELS: dict[str, type] = {}
T = TypeVar("T", bound=type)


def register_model(name: str) -> Callable[[T], T]:
    """Class decorator: make the model constructible as ``create_model(name)``."""

    def deco(cls: T) -> T:
        if name in _MODELS and _MODELS[name] is not cls:
            raise ValueError(f"ASD model name '{name}' registered twice")
        _MODELS[name] = cls
        return cls

    return deco


def available_models() -> list[str]:
    import engage.asd.models  # noqa: F401  (fills the registry)

    return sorted(_MODELS)


def create_model(name: str):
    """A new randomly initialised model of architecture ``name`` (load weights afterwards)."""
    valid = available_models()
    if name not in _MODELS:
        raise ConfigError(f"unknown ASD model '{name}' (config asd.model); valid: {', '.join(valid)}")
    return _MODELS[name]()
