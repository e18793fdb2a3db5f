"""The sources over real HTTP (a fake dumps server) and real `datasets` on local files."""

from pathlib import Path

import pytest

from platform_core.http_testing import RunningServer
from turkic_api.languages import Language
from turkic_api.sources import HfDatasetSource, SourceError, WikipediaSource
from turkic_api_testing.datasets import write_dataset
from turkic_api_testing.dumps import FakeDumps, make_dump
from turkic_api_testing.sentences import SENTENCES


async def collect(source: WikipediaSource | HfDatasetSource, language: Language) -> list[str]:
    return [sentence async for sentence in source.sentences(language)]


async def test_wikipedia_dump_streams_sentences(
    fake_dumps: tuple[FakeDumps, RunningServer],
) -> None:
    fake, server = fake_dumps
    fake.dumps["kk"] = make_dump([("A", ". ".join(SENTENCES["kk"]) + ".")], streams=2)
    source = WikipediaSource(f"{server.url}/", chunk_bytes=512)
    assert source.origin == server.url
    assert source.dump_url("kk").endswith("/kkwiki/latest/kkwiki-latest-pages-articles.xml.bz2")
    assert await collect(source, "kk") == list(SENTENCES["kk"])


async def test_wikipedia_failures_are_source_errors(
    fake_dumps: tuple[FakeDumps, RunningServer],
) -> None:
    fake, server = fake_dumps
    source = WikipediaSource(server.url)
    with pytest.raises(SourceError, match=r"download failed: GET .* HTTP 404"):
        await collect(source, "tr")
    fake.dumps["tr"] = b"not bz2"
    with pytest.raises(SourceError, match="is malformed: not bz2 data"):
        await collect(source, "tr")


async def test_dataset_rows_stream_from_local_files(tmp_path: Path) -> None:
    root = write_dataset(tmp_path / "ds", "fi", [f"  {s}  " for s in SENTENCES["fi"]] + ["   "])
    source = HfDatasetSource(str(root), cache_dir=str(tmp_path / "hf"))
    assert source.origin == f"{root}#{{language}}"
    assert await collect(source, "fi") == list(SENTENCES["fi"])


async def test_dataset_in_batches(tmp_path: Path) -> None:
    texts = [f"line {i}" for i in range(600)]
    source = HfDatasetSource(
        str(write_dataset(tmp_path / "ds", "tr", texts)), cache_dir=str(tmp_path / "hf")
    )
    assert await collect(source, "tr") == texts


async def test_dataset_failures_are_source_errors(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="could not be opened"):
        await collect(
            HfDatasetSource(str(tmp_path / "missing"), cache_dir=str(tmp_path / "hf")), "kk"
        )
    folder = tmp_path / "bad" / "kk"
    folder.mkdir(parents=True)
    (folder / "part.jsonl").write_text('{"title": "no text"}\n', encoding="utf-8")
    with pytest.raises(SourceError, match="has no text field"):
        await collect(HfDatasetSource(str(tmp_path / "bad"), cache_dir=str(tmp_path / "hf")), "kk")
    (folder / "part.jsonl").write_text('{"text": "a"}\n{broken\n', encoding="utf-8")
    with pytest.raises(SourceError, match="reading the dataset failed"):
        await collect(HfDatasetSource(str(tmp_path / "bad"), cache_dir=str(tmp_path / "hf")), "kk")


async def test_a_datasets_module_that_breaks_the_adapter_fails_clearly(tmp_path: Path) -> None:
    fakes = "turkic_api_testing.fake_libs"
    broken = HfDatasetSource(
        str(tmp_path), cache_dir=str(tmp_path / "hf"), module=f"{fakes}.ds_not_iterable"
    )
    with pytest.raises(SourceError, match="is not iterable"):
        await collect(broken, "kk")
    with pytest.raises(SourceError, match="has no load_dataset"):
        await collect(
            HfDatasetSource(
                str(tmp_path), cache_dir=str(tmp_path / "hf"), module=f"{fakes}.ds_missing"
            ),
            "kk",
        )
