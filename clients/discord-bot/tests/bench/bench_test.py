"""The benchmark runs end to end on a tiny load and reports consistent figures."""

import runpy
import sys

import pytest

from discord_bot_bench import Report


def test_runs_as_a_module(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["benchmark", "--users", "3", "--jobs", "2", "--events", "20", "--window-s", "0.1"]
    monkeypatch.setattr(sys, "argv", argv)
    with pytest.raises(SystemExit) as exited:
        runpy.run_module("discord_bot_bench", run_name="__main__")
    assert exited.value.code == 0
    report = Report.model_validate_json(capsys.readouterr().out)
    assert (report.users, report.jobs, report.events) == (3, 6, 6 * 21)
    assert report.sends == 6
    assert report.violations == 0
    assert 0 <= report.lag_ms_p50 <= report.lag_ms_p99 <= report.lag_ms_max
    assert report.events_per_s > 0
