"""The benchmark at toy size: every figure is there and plausible."""

import pathlib
import runpy

import pytest
from pydantic import BaseModel

import handwriting_bench.main
from handwriting_bench.main import main, percentile


class Figures(BaseModel):
    """The printed JSON."""

    accuracy: dict[str, float]
    overhead: dict[str, float]
    serving: dict[str, float]


def test_toy_run_prints_every_figure(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--epochs", "1", "--train-limit", "8", "--batch-size", "4"]
    assert main([*args, "--requests", "4", "--concurrency", "2"]) == 0
    figures = Figures.model_validate_json(capsys.readouterr().out)
    assert figures.accuracy["train_images"] == 8
    assert 0.0 <= figures.accuracy["held_out_accuracy"] <= 1.0
    assert figures.overhead["bare_samples_per_s"] > 0
    assert figures.overhead["service_over_bare"] > 0
    assert figures.serving["requests"] == 4
    assert figures.serving["read_p99_ms"] >= figures.serving["read_p50_ms"]


def test_percentile() -> None:
    assert percentile([3.0, 1.0, 2.0, 4.0], 50) == 2.0
    assert percentile([3.0, 1.0, 2.0, 4.0], 99) == 4.0


def test_usage_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SystemExit, match="usage: benchmark"):
        main(["--epochs"])
    monkeypatch.setattr("sys.argv", ["benchmark", "--epochs"])
    with pytest.raises(SystemExit, match="usage: benchmark"):
        runpy.run_path(
            str(pathlib.Path(handwriting_bench.main.__file__ or "")), run_name="__main__"
        )
