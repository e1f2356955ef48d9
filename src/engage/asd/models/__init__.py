"""ASD architectures (Light-ASD, TalkNet) behind one registry; see :func:`create_model`."""

from engage.asd.models.registry import MODELS, available_models, create_model

__all__ = ["MODELS", "available_models", "create_model"]
