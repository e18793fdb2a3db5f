"""`load_settings`: one model from the environment, or an error naming each bad variable."""

import os
from collections.abc import Mapping
from typing import TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

S = TypeVar("S", bound=BaseModel)


class ConfigError(Exception):
    """The environment does not hold valid settings; `problems` has one line per variable."""

    def __init__(self, model: str, problems: list[str]) -> None:
        super().__init__(f"invalid configuration for {model}: " + "; ".join(problems))
        self.problems = tuple(problems)


class _ErrorItem(BaseModel):
    loc: tuple[str | int, ...]
    msg: str
    type: str


_ERRORS = TypeAdapter(list[_ErrorItem])


def env_var_name(model: type[BaseModel], field: str) -> str:
    """The variable a field is read from: its alias, else its name in upper case."""
    alias = model.model_fields[field].alias
    return alias if alias is not None else field.upper()


def _expected(model: type[BaseModel], field: str) -> str:
    description = model.model_fields[field].description
    return f" (expected: {description})" if description else ""


def _problem(model: type[BaseModel], item: _ErrorItem) -> str:
    message = item.msg.removeprefix("Value error, ")
    # An error's location starts with the key the field was validated under: its alias.
    fields = {
        (info.alias if info.alias is not None else field): field
        for field, info in model.model_fields.items()
    }
    field = fields.get(item.loc[0]) if item.loc and isinstance(item.loc[0], str) else None
    if field is None:
        return message
    name = env_var_name(model, field)
    if item.type == "missing":
        return f"{name} is required but not set{_expected(model, field)}"
    where = "".join(f"[{part}]" for part in item.loc[1:])
    return f"{name}{where} is invalid: {message}{_expected(model, field)}"


def load_settings(model: type[S], environ: Mapping[str, str] = os.environ) -> S:
    """Read `model`'s fields from `environ` (default: the process environment).

    Values are trimmed and an empty value counts as unset (the field's default
    applies). Values are never echoed in errors, since settings hold secrets.
    """
    values: dict[str, str] = {}
    for field, info in model.model_fields.items():
        raw = environ.get(env_var_name(model, field))
        if raw is not None and raw.strip():
            values[info.alias if info.alias is not None else field] = raw.strip()
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        items = _ERRORS.validate_json(
            exc.json(include_url=False, include_context=False, include_input=False)
        )
        raise ConfigError(model.__name__, [_problem(model, item) for item in items]) from None
