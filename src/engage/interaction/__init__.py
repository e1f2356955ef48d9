"""Interaction features: meeting chat, turn-taking, replies and sentiment per clip and person."""

from engage.interaction.stage import interaction_session

__all__ = ["interaction_session"]
