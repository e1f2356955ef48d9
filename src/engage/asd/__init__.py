"""Active-speaker detection (Light-ASD / TalkNet) and who-said-what attribution."""

from engage.asd.stage import run_asd_session

__all__ = ["run_asd_session"]
