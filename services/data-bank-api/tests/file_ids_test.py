"""File id validation."""

import pytest

from data_bank_api.file_ids import InvalidFileIdError, parse_file_id

ID = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_lowercase_id_is_kept() -> None:
    assert parse_file_id(ID) == ID


def test_uppercase_id_is_normalised() -> None:
    assert parse_file_id(ID.upper()) == ID


@pytest.mark.parametrize(
    "raw", ["", "abcd", ID[:-1], ID + "0", ID[:-1] + "g", ID + "\n", " " + ID[1:], "z" * 64]
)
def test_malformed_ids_are_refused(raw: str) -> None:
    with pytest.raises(InvalidFileIdError, match="invalid file_id"):
        parse_file_id(raw)
