"""The three scopes' keys from the settings, and the original's answers to refused keys."""

import pytest

from data_bank_api.api_keys import Scope, api_keys
from data_bank_api.settings import DataBankSettings
from platform_core.errors import AppError


def keys_of(**values: tuple[str, ...]) -> DataBankSettings:
    raw: dict[str, object] = {"redis_url": "redis://127.0.0.1:6379/0", **values}
    return DataBankSettings.model_validate(raw)


def refusal(scope: Scope, presented: str | None) -> tuple[int, str, str]:
    with pytest.raises(AppError) as refused:
        api_keys(keys_of(api_upload_keys=("up",), api_read_keys=("rd",))).check(scope, presented)
    error = refused.value
    return error.status, error.code, error.message


def test_read_and_delete_default_to_the_upload_keys() -> None:
    keys = api_keys(keys_of(api_upload_keys=("u1", "u2")))
    assert keys.scopes == frozenset(Scope)
    for scope in Scope:
        keys.check(scope, "u1")
        keys.check(scope, "u2")


def test_each_scope_has_its_own_keys() -> None:
    keys = api_keys(
        keys_of(api_upload_keys=("up",), api_read_keys=("rd",), api_delete_keys=("del",))
    )
    keys.check(Scope.UPLOAD, "up")
    keys.check(Scope.READ, "rd")
    keys.check(Scope.DELETE, "del")
    for scope, wrong in [(Scope.UPLOAD, "rd"), (Scope.READ, "up"), (Scope.DELETE, "rd")]:
        with pytest.raises(AppError, match="invalid API key for permission"):
            keys.check(scope, wrong)


@pytest.mark.parametrize("presented", [None, "", "   "])
def test_a_missing_key_is_401(presented: str | None) -> None:
    assert refusal(Scope.READ, presented) == (401, "UNAUTHORIZED", "missing API key")


def test_a_key_outside_the_scope_is_403() -> None:
    assert refusal(Scope.READ, "up") == (403, "FORBIDDEN", "invalid API key for permission")
