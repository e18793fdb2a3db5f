"""datasets whose `load_dataset` gives something that cannot be iterated."""


def load_dataset(
    path: str,
    *,
    data_dir: str,
    split: str,
    streaming: bool,
    token: str | None,
    cache_dir: str | None,
) -> object:
    """Not a dataset."""
    return object()
