"""Scoped API keys."""

import pytest

from data_bank_api.api_keys import ApiKeys, MissingApiKeyError, Scope, WrongApiKeyError


def test_read_and_delete_default_to_the_upload_keys() -> None:
    keys = ApiKeys(upload=["u1", "u2"])
    for scope in Scope:
        keys.check(scope, "u1")
        keys.check(scope, "u2")


def test_each_scope_has_its_own_keys() -> None:
    keys = ApiKeys(upload=["up"], read=["rd"], delete=["del"])
    keys.check(Scope.UPLOAD, "up")
    keys.check(Scope.READ, "rd")
    keys.check(Scope.DELETE, "del")
    for scope, wrong in [(Scope.UPLOAD, "rd"), (Scope.READ, "up"), (Scope.DELETE, "rd")]:
        with pytest.raises(WrongApiKeyError, match="invalid API key for permission"):
            keys.check(scope, wrong)


@pytest.mark.parametrize("presented", [None, "", "   "])
def test_a_missing_key_is_401(presented: str | None) -> None:
    with pytest.raises(MissingApiKeyError, match="missing API key"):
        ApiKeys(upload=["k"]).check(Scope.READ, presented)


def test_keys_compare_exactly() -> None:
    keys = ApiKeys(upload=["secret"])
    for near in ["Secret", "secret ", "secre", "secrets", "\udcff"]:
        with pytest.raises(WrongApiKeyError):
            keys.check(Scope.UPLOAD, near)


def test_a_scope_without_keys_is_refused() -> None:
    with pytest.raises(ValueError, match="upload scope needs at least one API key"):
        ApiKeys(upload=[])
    with pytest.raises(ValueError, match="read scope needs at least one API key"):
        ApiKeys(upload=["k"], read=[])


def test_a_blank_key_is_refused() -> None:
    with pytest.raises(ValueError, match="delete scope has an empty API key"):
        ApiKeys(upload=["k"], delete=["ok", " "])
