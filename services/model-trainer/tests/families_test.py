"""Model families: building each size, saving and loading, load errors."""

import pathlib

import pytest
import torch
from pydantic import BaseModel, ConfigDict

from model_trainer.families import (
    GPT2_SIZES,
    LSTM_SIZES,
    SIZES,
    CharLstmModel,
    Gpt2Model,
    LanguageModel,
    ModelLoadError,
    ModelSpec,
    UnknownSizeError,
    build_model,
    load_language_model,
    load_weights,
    logits_of,
    parameter_count,
    read_spec,
    save_language_model,
)
from model_trainer.text_tokenizers import BOS_ID, EOS_ID, PAD_ID
from platform_ml import seed_everything


def longs(*rows: list[int]) -> torch.Tensor:
    """A batch of id rows as a long tensor."""
    data: list[list[int]] = list(rows)
    return torch.tensor(data, dtype=torch.long)


class HfConfig(BaseModel):
    """The part of Transformers' config.json checked here."""

    model_config = ConfigDict(extra="ignore")

    model_type: str
    n_embd: int
    vocab_size: int


GPT2 = ModelSpec(family="gpt2", size="nano", vocab_size=50, max_seq_len=16)
LSTM = ModelSpec(family="char_lstm", size="nano", vocab_size=50, max_seq_len=16)


def test_the_size_tables_keep_the_originals_and_add_cpu_sizes() -> None:
    assert SIZES["gpt2"] == ("nano", "tiny", "mini", "small", "medium", "large", "xl")
    assert SIZES["char_lstm"] == ("nano", "tiny", "small", "medium")
    assert (GPT2_SIZES["small"].n_embd, GPT2_SIZES["small"].n_layer) == (768, 12)
    assert LSTM_SIZES["tiny"].hidden_dim == 256


@pytest.mark.parametrize("spec", [GPT2, LSTM])
def test_models_give_logits_per_position(spec: ModelSpec) -> None:
    seed_everything(0)
    model = build_model(spec)
    logits = model.logits(longs([4, 5, 6, PAD_ID]))
    assert logits.shape == (1, 4, 50)
    assert parameter_count(model) > 1000
    assert all(p.requires_grad for p in model.embedding_parameters())


def test_gpt2_takes_its_special_ids_from_the_tokenizer() -> None:
    model = build_model(GPT2)
    assert isinstance(model, Gpt2Model)
    config = model.config
    assert (config.bos_token_id, config.eos_token_id, config.pad_token_id) == (
        BOS_ID,
        EOS_ID,
        PAD_ID,
    )
    assert {n for n, _ in model.inner.named_parameters() if "wte" in n or "wpe" in n} == {
        "transformer.wte.weight",
        "transformer.wpe.weight",
    }


def test_unknown_sizes_are_refused() -> None:
    with pytest.raises(UnknownSizeError, match="gpt2 has no size 'huge'"):
        build_model(ModelSpec(family="gpt2", size="huge", vocab_size=5, max_seq_len=4))
    with pytest.raises(UnknownSizeError, match="char_lstm has no size 'xl'"):
        build_model(ModelSpec(family="char_lstm", size="xl", vocab_size=5, max_seq_len=4))


@pytest.mark.parametrize("spec", [GPT2, LSTM])
def test_saved_models_load_back_identical(spec: ModelSpec, tmp_path: pathlib.Path) -> None:
    model = build_model(spec)
    save_language_model(model, tmp_path / "m")
    loaded = load_language_model(tmp_path / "m")
    assert type(loaded) is type(model)
    assert not loaded.training
    ids = longs([4, 7, 9])
    model.eval()
    assert torch.equal(loaded.logits(ids), model.logits(ids))
    assert read_spec(tmp_path / "m") == spec


def test_gpt2_directories_are_transformers_checkpoints(tmp_path: pathlib.Path) -> None:
    save_language_model(build_model(GPT2), tmp_path)
    config = HfConfig.model_validate_json((tmp_path / "config.json").read_text())
    assert config == HfConfig(model_type="gpt2", n_embd=32, vocab_size=50)
    assert (tmp_path / "model.safetensors").is_file()
    assert not (tmp_path.parent / "config.json").exists()


def test_lstm_directories_have_no_transformers_config(tmp_path: pathlib.Path) -> None:
    save_language_model(build_model(LSTM), tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json", "model.safetensors"]


def test_missing_or_broken_specs_are_refused(tmp_path: pathlib.Path) -> None:
    with pytest.raises(ModelLoadError, match="no model in"):
        read_spec(tmp_path)
    (tmp_path / "model.json").write_text('{"family": "llama"}')
    with pytest.raises(ModelLoadError, match="not a model spec"):
        read_spec(tmp_path)


def test_missing_or_foreign_weights_are_refused(tmp_path: pathlib.Path) -> None:
    model = build_model(GPT2)
    with pytest.raises(ModelLoadError, match="no weights in"):
        load_weights(model, tmp_path)
    save_language_model(build_model(LSTM), tmp_path)
    with pytest.raises(ModelLoadError, match="missing"):
        load_weights(model, tmp_path)


def test_outputs_without_logits_are_refused() -> None:
    with pytest.raises(TypeError, match="returned object without logits"):
        logits_of(object())


def test_the_base_class_is_abstract() -> None:
    base = LanguageModel(GPT2)
    assert base.weights() is base
    with pytest.raises(NotImplementedError):
        base.logits(longs([1]))
    with pytest.raises(NotImplementedError):
        base.embedding_parameters()
    assert isinstance(build_model(LSTM), CharLstmModel)
