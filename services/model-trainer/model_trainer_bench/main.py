"""`bazel run //services/model-trainer:benchmark [-- --steps 200 --families gpt2,char_lstm]`.

Prints JSON figures for each family, on the fortunes corpus with its char tokenizer:

- `service`: a training run through the service (HTTP API, queue, worker, events, run
  log, corpus fetch and artifact upload through a real data-bank-api, private Redis):
  training tokens/s inside the worker's loop (`loop_tokens_per_s`, from the run's
  manifest) and end to end from `POST /runs/train` to `completed` (`e2e_tokens_per_s`);
  the held-out (test split) perplexity of the kept checkpoint after the step budget.
- `bare`: the same model, data, seed, batches and step budget in a bare PyTorch loop
  (forward, backward, clip, step; no events, no validation): tokens/s and test perplexity.
- `overhead`: bare loop tokens/s over the service's loop tokens/s.
- `generation`: new tokens/s of `POST /runs/{id}/generate` (64 tokens, sampling, end to
  end) and of the bare sampling function on the same model.
"""

import argparse
import asyncio
import json
import os
import pathlib
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence

import torch
from pydantic import BaseModel, ConfigDict, JsonValue, SecretStr

from model_trainer.app import build_app
from model_trainer.corpus import split_corpus
from model_trainer.families import Family, ModelSpec, build_model, load_language_model
from model_trainer.handlers import RunManifest
from model_trainer.inference import Sampling, generate
from model_trainer.settings import TrainerSettings
from model_trainer.text_tokenizers import TextTokenizer, load_tokenizer
from model_trainer.training import chunk_ids, evaluate_loss, next_token_loss, perplexity
from model_trainer.worker import run
from platform_core.data_bank_client import DataBankClient
from platform_core.http_testing import HttpClient, json_object, running_server
from platform_core.loadgen import child_server, free_port, python_module
from platform_ml import Compute
from platform_workers.testing.redis_server import RedisServer

HERE = pathlib.Path(__file__).resolve().parent
CORPUS = HERE.parent / "corpus" / "fortunes.txt"
DATA_BANK_SOURCES = HERE.parent.parent / "data-bank-api"
KEY = "bench-key"
SIZES: dict[Family, str] = {"gpt2": "tiny", "char_lstm": "tiny"}
FAMILIES: tuple[Family, ...] = ("gpt2", "char_lstm")
SEQ_LEN, BATCH, LR, SEED = 64, 16, 3e-3, 7
HOLDOUT, TEST = 0.05, 0.05


class Figures(BaseModel):
    """One family's figures."""

    model_config = ConfigDict(frozen=True)

    family: str
    size: str
    steps: int
    service_loop_tokens_per_s: float
    service_e2e_tokens_per_s: float
    service_test_ppl: float
    bare_tokens_per_s: float
    bare_test_ppl: float
    overhead: float
    generate_service_tokens_per_s: float
    generate_bare_tokens_per_s: float


class Report(BaseModel):
    """The printed JSON."""

    corpus: str
    tokenizer: str
    threads: int
    seq_len: int
    batch_size: int
    families: list[Figures]


def dumps(**fields: object) -> str:
    """A JSON body."""
    return json.dumps(fields)


def batches(rows: torch.Tensor, generator: torch.Generator) -> Iterator[torch.Tensor]:
    """Batches of `rows`, reshuffled every epoch as the service's loop does, forever."""
    while True:
        order = torch.randperm(rows.shape[0], generator=generator)
        yield from (rows[order[s : s + BATCH]] for s in range(0, order.shape[0], BATCH))


def bare_loop(
    tokenizer: TextTokenizer, text: str, family: Family, steps: int
) -> tuple[float, float, torch.nn.Module]:
    """The bare PyTorch loop: tokens/s and test perplexity."""
    splits = split_corpus(text, holdout_fraction=HOLDOUT, test_fraction=TEST)
    rows = chunk_ids(tokenizer, splits.train, SEQ_LEN)
    torch.manual_seed(SEED)
    spec = ModelSpec(
        family=family, size=SIZES[family], vocab_size=tokenizer.vocab_size, max_seq_len=SEQ_LEN
    )
    model = build_model(spec)
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=LR)
    stream = batches(rows, torch.Generator().manual_seed(SEED))
    tokens = 0
    started = time.perf_counter()
    for _ in range(steps):
        batch = next(stream)
        optimizer.zero_grad(set_to_none=True)
        loss = next_token_loss(model.logits(batch), batch)
        torch.autograd.backward(loss)
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        tokens += int((batch != 0).sum().item())
    seconds = time.perf_counter() - started
    test = chunk_ids(tokenizer, splits.test, SEQ_LEN)
    test_loss = evaluate_loss(model, test, Compute("cpu", "fp32"), BATCH)
    return tokens / seconds, perplexity(test_loss), model


async def poll(client: HttpClient, path: str) -> dict[str, JsonValue]:
    """GET `path` until completed or failed (a failed run has no manifest: the caller's
    read of it fails)."""
    view = json_object(await client.get(path))
    while view["status"] not in ("completed", "failed"):
        await asyncio.sleep(0.2)
        view = json_object(await client.get(path))
    return view


async def through_service(
    settings: TrainerSettings, bank_url: str, text: str, families: Sequence[Family], steps: int
) -> list[Figures]:
    """Train each family through the service, then the bare loop; the figures."""
    async with DataBankClient(bank_url, KEY) as bank:
        corpus = (await bank.upload(text.encode(), filename="fortunes.txt")).file_id
    stop = asyncio.Event()
    worker = asyncio.create_task(run(settings, stop=stop))
    figures: list[Figures] = []
    try:
        async with running_server(build_app(settings)) as server, server.client() as client:
            client.headers["X-API-Key"] = KEY
            posted = await client.post(
                "/tokenizers/train",
                content=dumps(method="char", corpus_file_id=corpus),
            )
            tok = str(json_object(posted)["tokenizer_id"])
            await poll(client, f"/tokenizers/{tok}")
            tokenizer = load_tokenizer(settings.tokenizers_dir / tok)
            for family in families:
                request: dict[str, object] = {
                    "model_family": family,
                    "model_size": SIZES[family],
                    "max_seq_len": SEQ_LEN,
                    "batch_size": BATCH,
                    "learning_rate": LR,
                    "num_epochs": 1000,
                    "max_steps": steps,
                    "early_stopping_patience": 1000,
                    "seed": SEED,
                    "corpus_file_id": corpus,
                    "tokenizer_id": tok,
                    "holdout_fraction": HOLDOUT,
                    "test_split_ratio": TEST,
                    "device": "cpu",
                }
                started = time.perf_counter()
                posted = await client.post("/runs/train", content=json.dumps(request))
                run_id = str(json_object(posted)["run_id"])
                await poll(client, f"/runs/{run_id}")
                e2e = time.perf_counter() - started
                manifest = RunManifest.model_validate_json(
                    (settings.runs_dir / run_id / "model" / "manifest.json").read_text()
                )
                generated = await client.post(
                    f"/runs/{run_id}/generate",
                    content=dumps(
                        prompt_text="A day", max_new_tokens=64, stop_on_eos=False, seed=1
                    ),
                )
                gen_started = time.perf_counter()
                await poll(
                    client, f"/runs/{run_id}/generate/{json_object(generated)['request_id']}"
                )
                gen_service = 64 / (time.perf_counter() - gen_started)
                bare_tps, bare_ppl, _ = bare_loop(tokenizer, text, family, steps)
                model = load_language_model(settings.runs_dir / run_id / "model")
                sampling = Sampling(
                    max_new_tokens=64, temperature=1.0, top_k=50, top_p=1.0, stop_on_eos=False
                )
                gen_tick = time.perf_counter()
                generate(model, tokenizer, "A day", sampling, torch.Generator().manual_seed(1))
                gen_bare = 64 / (time.perf_counter() - gen_tick)
                loop_tps = manifest.tokens / manifest.train_seconds
                figures.append(
                    Figures(
                        family=family,
                        size=SIZES[family],
                        steps=manifest.steps,
                        service_loop_tokens_per_s=round(loop_tps, 1),
                        service_e2e_tokens_per_s=round(manifest.tokens / e2e, 1),
                        service_test_ppl=round(manifest.test_perplexity, 3),
                        bare_tokens_per_s=round(bare_tps, 1),
                        bare_test_ppl=round(bare_ppl, 3),
                        overhead=round(bare_tps / loop_tps, 3),
                        generate_service_tokens_per_s=round(gen_service, 1),
                        generate_bare_tokens_per_s=round(gen_bare, 1),
                    )
                )
    finally:
        stop.set()
        await worker
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print its JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--families", default="gpt2,char_lstm")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    steps: int = args.steps
    families_arg: str = args.families
    threads: int = args.threads
    families: list[Family] = [f for f in FAMILIES if f in families_arg.split(",")]
    torch.set_num_threads(threads)
    with tempfile.TemporaryDirectory() as scratch, RedisServer(pathlib.Path(scratch)) as redis:
        return asyncio.run(report(pathlib.Path(scratch), redis.url, families, steps, threads))


async def report(
    root: pathlib.Path, redis_url: str, families: Sequence[Family], steps: int, threads: int
) -> int:
    """Measure and print the JSON report; the exit status."""
    figures = await measure(root, redis_url, families, steps, threads)
    printed = Report(
        corpus=CORPUS.name,
        tokenizer="char",
        threads=threads,
        seq_len=SEQ_LEN,
        batch_size=BATCH,
        families=figures,
    )
    sys.stdout.write(printed.model_dump_json(indent=2) + "\n")
    return 0


async def measure(
    root: pathlib.Path, redis_url: str, families: Sequence[Family], steps: int, threads: int
) -> list[Figures]:
    """data-bank-api in a child process, then the measurements."""
    port = free_port()
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": os.pathsep.join([str(DATA_BANK_SOURCES), *sys.path]),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "REDIS_URL": redis_url,
        "DATA_ROOT": str(root / "bank"),
        "API_UPLOAD_KEYS": KEY,
        "API_READ_KEYS": KEY,
        "MIN_FREE_GB": "0",
        "LOG_LEVEL": "WARNING",
    }
    command = python_module("data_bank_api.server")
    async with child_server(command, port=port, env=env, ready_path="/healthz"):
        url = f"http://127.0.0.1:{port}"
        settings = TrainerSettings(
            redis_url=redis_url,
            api_key=KEY,
            data_bank_url=url,
            data_bank_api_key=SecretStr(KEY),
            trainer_artifacts_root=root / "artifacts",
            trainer_worker_concurrency=1,
            trainer_threads=threads,
            # The API and the worker share this process and the machine may be loaded:
            # a generous Redis timeout keeps a slow loop from failing the measurement.
            trainer_redis_timeout_seconds=60.0,
            log_level="WARNING",
        )
        return await through_service(settings, url, CORPUS.read_text(), families, steps)


if __name__ == "__main__":
    sys.exit(main())
