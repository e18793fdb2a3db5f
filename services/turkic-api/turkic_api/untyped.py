"""The one door for untyped third-party APIs (py3langid, fasttext, datasets).

`attribute("fasttext", "load_model")` is the attribute as a plain `object` (None when
missing); callers narrow it with `isinstance` against a runtime-checkable Protocol and
raise their own error when it does not fit.
"""

import importlib


def attribute(module: str, name: str) -> object:
    """`module.name` as an object to narrow, None when the module has no such name."""
    value: object = getattr(importlib.import_module(module), name, None)
    return value
