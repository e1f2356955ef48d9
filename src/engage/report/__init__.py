"""Per-session report figures: layout on a frame, speaking timelines, feature coverage."""

from engage.report.session import build_session_report

__all__ = ["build_session_report"]
