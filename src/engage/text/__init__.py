"""text stage: attributed transcript text per clip and person, embedded with a BERT-family encoder."""

from engage.text.stage import text_session

__all__ = ["text_session"]
