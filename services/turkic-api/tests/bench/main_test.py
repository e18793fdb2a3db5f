"""The benchmark end to end at toy sizes: every figure is there and plausible."""

import io
import runpy
from pathlib import Path

import pytest

import turkic_bench.main
from turkic_bench.figures import big_dump
from turkic_bench.main import Report, main


def test_the_report_at_toy_sizes() -> None:
    out = io.StringIO()
    assert main(["--lines", "300", "--dump-mb", "2", "--job-sentences", "300"], out) == 0
    report = Report.model_validate_json(out.getvalue())
    assert report.throughput.lines == report.throughput.kept == 300
    assert report.throughput.service_per_s > 0
    assert report.dump_memory.sentences > 1000
    assert len(report.dump_memory.rss_mb_samples) >= 5
    assert report.healthz.idle.count > 0
    assert report.healthz.during_job.count > 0


def test_big_dumps_are_multistream() -> None:
    data = big_dump(1)
    assert data.count(b"BZh") >= 3


def test_runs_as_a_script(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.argv", ["benchmark", "--help"])
    with pytest.raises(SystemExit) as exited:
        runpy.run_path(str(Path(turkic_bench.main.__file__)), run_name="__main__")
    assert exited.value.code == 0
