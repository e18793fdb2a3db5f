"""The server binary's entry point: an invalid environment stops it with exit status 2."""

import pathlib
import runpy

import pytest

import qr_api.server

SERVER = pathlib.Path(qr_api.server.__file__)


def test_invalid_environment_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("QR_DEFAULT_BORDER", "11")
    assert qr_api.server.main() == 2
    assert "QR_DEFAULT_BORDER is invalid" in capsys.readouterr().err


def test_runs_as_a_script(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PORT", "not-a-port")
    with pytest.raises(SystemExit) as exited:
        runpy.run_path(str(SERVER), run_name="__main__")
    assert exited.value.code == 2
    assert "PORT is invalid" in capsys.readouterr().err
