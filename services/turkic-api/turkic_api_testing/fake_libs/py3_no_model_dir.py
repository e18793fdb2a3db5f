"""py3langid without a `MODEL_DIR` path."""

from pathlib import Path

MODEL_DIR = "not a path"
MODEL_FILE = "model"


class LanguageIdentifier:
    """Never built."""

    @classmethod
    def from_model_file(cls, model_file: Path, *, norm_probs: bool) -> object:
        """Unused."""
        return object()
