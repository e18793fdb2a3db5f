"""The benchmark runs end to end on a small count and prints its figures as JSON."""

import runpy
import sys

import pytest

from platform_core.async_events_benchmark.main import Report, main, parse_args


def test_defaults_are_the_published_figures_setup() -> None:
    args = parse_args([])
    assert (args.events, args.batch, args.producers, args.maxlen) == (100_000, 100, 16, 10_000)
    assert args.approximate is False


def test_a_small_run_prints_every_figure(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--events", "300", "--batch", "50", "--producers", "4", "--maxlen", "200"]
    assert main([*argv, "--approximate"]) == 0
    printed: str = capsys.readouterr().out
    report = Report.model_validate_json(printed)
    assert report.events == 300
    assert report.approximate_trim is True
    assert report.ping.round_trips_per_event == 1.0
    assert report.publish.round_trips_per_event == 1.0
    assert report.publish_many.round_trips_per_event == pytest.approx(6 / 300)
    assert report.concurrent_publish.round_trips_per_event == 1.0
    assert report.read.events == 200
    assert report.read.events_per_s > 0
    assert report.event_bytes > 100


def test_runs_as_a_module(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["events_benchmark", "--events", "20", "--batch", "5", "--maxlen", "10"]
    monkeypatch.setattr(sys, "argv", argv)
    with pytest.raises(SystemExit) as exited:
        runpy.run_module("platform_core.async_events_benchmark", run_name="__main__")
    assert exited.value.code == 0
    assert Report.model_validate_json(capsys.readouterr().out).read.events == 10
