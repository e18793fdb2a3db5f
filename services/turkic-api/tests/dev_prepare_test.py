"""The demo data tools/dev up prepares, read back through the real `datasets` source."""

import io
import runpy
from pathlib import Path

import pytest

import turkic_api.dev_prepare
from turkic_api.dev_prepare import main
from turkic_api.sources import HfDatasetSource
from turkic_api_testing.sentences import SENTENCES


async def test_demo_datasets_are_readable_by_the_sources(tmp_path: Path) -> None:
    env = {
        "TURKIC_OSCAR_DATASET": str(tmp_path / "demo"),
        "TURKIC_CULTURAX_DATASET": str(tmp_path / "demo"),
        "TURKIC_DATA_DIR": str(tmp_path / "data"),
    }
    out = io.StringIO()
    assert main(env, out) == 0
    assert main(env, out) == 0  # idempotent
    assert out.getvalue().count("8 demo languages") == 2
    source = HfDatasetSource(str(tmp_path / "demo"), cache_dir=str(tmp_path / "hf"))
    assert [s async for s in source.sentences("ug")] == list(SENTENCES["ug"])


def test_without_folders_it_says_what_to_set(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = io.StringIO()
    assert main({"TURKIC_OSCAR_DATASET": "/x"}, out) == 2
    assert "set TURKIC_CULTURAX_DATASET, TURKIC_DATA_DIR" in out.getvalue()
    for name in ("TURKIC_OSCAR_DATASET", "TURKIC_CULTURAX_DATASET", "TURKIC_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(SystemExit) as exited:
        runpy.run_path(str(Path(turkic_api.dev_prepare.__file__)), run_name="__main__")
    assert exited.value.code == 2
    assert "set TURKIC_OSCAR_DATASET" in capsys.readouterr().out
