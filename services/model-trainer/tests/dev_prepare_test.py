"""dev_prepare: the demo corpus uploaded, its id printed; bad environments and failures."""

import hashlib
import io
import pathlib
import runpy

import pytest

import model_trainer.dev_prepare
from model_trainer.dev_prepare import DEMO_CORPUS, main
from tests.trainer_support import DataBank

SCRIPT = pathlib.Path(model_trainer.dev_prepare.__file__)


def environment(url: str, key: str) -> dict[str, str]:
    return {
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "API_KEY": "k",
        "DATA_BANK_URL": url,
        "DATA_BANK_API_KEY": key,
    }


def test_the_demo_corpus_is_uploaded_and_its_id_printed(data_bank: DataBank) -> None:
    out = io.StringIO()
    assert main([], environment(data_bank.url, data_bank.key), out) == 0
    digest = hashlib.sha256(DEMO_CORPUS.read_bytes()).hexdigest()
    assert out.getvalue() == f"model-trainer demo corpus (fortunes.txt): corpus_file_id={digest}\n"
    again = io.StringIO()
    assert main([], environment(data_bank.url, data_bank.key), again) == 0
    assert again.getvalue() == out.getvalue()


def test_a_data_bank_that_never_answers_or_refuses(data_bank: DataBank) -> None:
    err = io.StringIO()
    status = main(["--wait-s", "0.6"], environment("http://127.0.0.1:9", "k"), io.StringIO(), err)
    assert status == 1
    assert "cannot upload the demo corpus" in err.getvalue()
    refused = io.StringIO()
    assert main([], environment(data_bank.url, "wrong"), io.StringIO(), refused) == 1
    assert "403 FORBIDDEN" in refused.getvalue()


def test_a_bad_environment_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DATA_BANK_URL", raising=False)
    monkeypatch.setattr("sys.argv", ["dev_prepare"])
    with pytest.raises(SystemExit) as exited:
        runpy.run_path(str(SCRIPT), run_name="__main__")
    assert exited.value.code == 2
    assert "DATA_BANK_URL is required but not set" in capsys.readouterr().err


def test_dev_env_names_the_demo_corpus_id() -> None:
    dev_env = (pathlib.Path(__file__).resolve().parent.parent / "dev.env").read_text()
    digest = hashlib.sha256(DEMO_CORPUS.read_bytes()).hexdigest()
    assert f"DEMO_CORPUS={digest}\n" in dev_env
