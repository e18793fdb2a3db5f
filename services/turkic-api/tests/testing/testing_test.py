"""The test support behaves as the service's tests rely on."""

import bz2
from collections.abc import Iterable
from pathlib import Path

import pytest

from platform_core.http_testing import running_server
from turkic_api.languages import LANGUAGES
from turkic_api_testing.datasets import write_dataset
from turkic_api_testing.dumps import FakeDumps, make_dump
from turkic_api_testing.fake_libs import (
    ds_not_iterable,
    ft_no_predict,
    ft_not_callable,
    py3_bad_answer,
    py3_no_classify,
    py3_no_model_dir,
)
from turkic_api_testing.fasttext_model import train_model
from turkic_api_testing.sentences import SENTENCES


def test_sentences_for_every_language() -> None:
    assert set(SENTENCES) == set(LANGUAGES)
    assert all(len(sentences) == 4 for sentences in SENTENCES.values())


def test_dumps_are_bz2_xml_in_as_many_streams_as_asked() -> None:
    single = make_dump([("T", "a & b")])
    assert b"a &amp; b" in bz2.decompress(single)
    multi = make_dump([("T", "x")], streams=2)
    assert bz2.decompress(multi) == bz2.decompress(make_dump([("T", "x")]))
    assert multi.count(b"BZh") == 2


async def test_fake_dumps_serves_known_languages() -> None:
    fake = FakeDumps()
    fake.dumps["kk"] = b"x" * 5000
    async with running_server(fake.app, grace_s=0.5) as server, server.client() as client:
        ok = await client.get("/kkwiki/latest/kkwiki-latest-pages-articles.xml.bz2")
        missing = await client.get("/trwiki/latest/trwiki-latest-pages-articles.xml.bz2")
        odd = await client.get("/kk/latest/x")
    assert (ok.status_code, ok.content) == (200, b"x" * 5000)
    assert (missing.status_code, odd.status_code) == (404, 404)
    assert fake.requests == 3


def test_datasets_are_jsonl_per_language(tmp_path: Path) -> None:
    root = write_dataset(tmp_path, "kk", ["a", "b"])
    rows = (root / "kk" / "part-00000.jsonl").read_text(encoding="utf-8").splitlines()
    assert rows == ['{"text": "a", "id": 0}', '{"text": "b", "id": 1}']


def test_fasttext_models_are_written(tmp_path: Path) -> None:
    assert train_model(tmp_path).stat().st_size > 0
    assert train_model(tmp_path, with_script=False).name == "lid-plain.bin"
    with pytest.raises(TypeError, match="has no train_supervised"):
        train_model(tmp_path, module="turkic_api_testing.fake_libs.ft_not_callable")
    with pytest.raises(TypeError, match="gave no model"):
        train_model(tmp_path, module="turkic_api_testing.fake_libs.ft_no_predict")


def test_fake_libs_give_what_they_promise() -> None:
    assert not hasattr(
        py3_no_model_dir.LanguageIdentifier.from_model_file(Path(), norm_probs=True), "classify"
    )
    assert not hasattr(
        py3_no_classify.LanguageIdentifier.from_model_file(Path(), norm_probs=True), "classify"
    )
    model = py3_bad_answer.LanguageIdentifier.from_model_file(Path(), norm_probs=True)
    assert model.classify("x") == (1, "sure")
    assert not hasattr(ft_no_predict.load_model("x"), "f")
    loaded = ds_not_iterable.load_dataset(
        "p", data_dir="d", split="train", streaming=True, token=None, cache_dir=None
    )
    assert not isinstance(loaded, Iterable)
    assert ft_not_callable.load_model == 3
