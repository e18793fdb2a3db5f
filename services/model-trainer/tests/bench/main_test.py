"""The benchmark runs end to end on a tiny budget and prints its figures."""

import pathlib
import runpy

import pytest

import model_trainer_bench.main
from model_trainer_bench.main import Report, main


def test_runs_as_a_script(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.argv", ["benchmark", "--help"])
    with pytest.raises(SystemExit) as exited:
        runpy.run_path(str(pathlib.Path(model_trainer_bench.main.__file__)), run_name="__main__")
    assert exited.value.code == 0
    assert "--steps" in capsys.readouterr().out


def test_a_tiny_run_prints_figures_for_each_family(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--steps", "2", "--families", "gpt2,char_lstm,bogus"]) == 0
    report = Report.model_validate_json(capsys.readouterr().out)
    assert [f.family for f in report.families] == ["gpt2", "char_lstm"]
    for figures in report.families:
        assert figures.steps == 2
        assert figures.service_loop_tokens_per_s > 0
        assert figures.bare_tokens_per_s > 0
        assert figures.service_test_ppl > 1
        assert figures.generate_service_tokens_per_s > 0
