"""Active-speaker detection (Light-ASD / TalkNet) and who-said-what attribution."""

__all__ = ["run_asd_session"]


def __getattr__(name: str):
    """The stage (and torch with it) loads on first use: rule clip_speech only counts speaking frames
    (engage.asd.clip_speech) and used to pay torch's 2-3 s import at each job's start."""
    if name == "run_asd_session":
        from engage.asd.stage import run_asd_session

        return run_asd_session
    raise AttributeError(f"module 'engage.asd' has no attribute {name!r}")
