"""ASD architectures (Light-ASD, TalkNet) behind one registry; see :func:`create_model`."""

from engage.asd.models.registry import available_models, create_model, register_model
from engage.asd.models.light_asd import model as _light_asd_model  # noqa: F401
from engage.asd.models.talknet import model as _talknet_model  # noqa: F401

__all__ = ["available_models", "create_model", "register_model"]
