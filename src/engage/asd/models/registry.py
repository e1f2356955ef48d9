"""ASD architectures keyed by their config name (``asd.model``), in the shared registry."""

from __future__ import annotations

from engage.torchutil import Registry

#: asd.model name -> model class (filled by ``@MODELS.register`` on each architecture).
MODELS: Registry[type] = Registry("ASD model", "asd.model",
                                  modules=("engage.asd.models.light_asd.model", "engage.asd.models.talknet.model"))


def available_models() -> list[str]:
    return MODELS.names()


def create_model(name: str):
    """A new randomly initialised model of architecture ``name`` (load weights afterwards)."""
    return MODELS.get(name)()
