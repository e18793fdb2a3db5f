"""The probe works as a script (Docker's HEALTHCHECK runs it so)."""

import pytest

from platform_image import healthcheck
from platform_image.scripts import exit_status


def test_the_script_without_a_port_exits_1(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PORT", raising=False)
    assert exit_status(healthcheck) == 1
