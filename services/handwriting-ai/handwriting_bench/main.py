"""`bazel run //services/handwriting-ai:benchmark [-- --epochs 6 --batch-size 16
--train-limit 0 --requests 400 --concurrency 16]`: prints JSON figures.

- `accuracy`: train on the bundled digits (all 1,438 training images unless
  `--train-limit`) for `--epochs` epochs with augmentation on this machine's CPU; the
  held-out accuracy on the 359 test digits, the wall time and samples/s.
- `overhead`: one epoch of the service's training loop (hooks, metrics, no
  augmentation) against a bare PyTorch loop (same network, optimiser and batches): both
  samples/s and their ratio.
- `serving`: the API over real HTTP (Hypercorn on loopback, a private Redis) serving the
  trained model; `--concurrency` clients send `--requests` reads of a drawn digit in all;
  requests/s and p50/p99 latency, and `/healthz` p99 measured under that load.
"""

import asyncio
import datetime
import json
import math
import pathlib
import sys
import tempfile
import time
from collections.abc import Sequence

import torch
from pydantic import BaseModel, ConfigDict, Field
from torch.nn import functional

from handwriting_ai.app import build_app
from handwriting_ai.digits_data import write_digits_mnist
from handwriting_ai.idx import load_mnist
from handwriting_ai.manifest import Manifest, TrainingInfo
from handwriting_ai.model import DigitResNet
from handwriting_ai.preprocess import SIGNATURE
from handwriting_ai.store import ModelStore
from handwriting_ai.training import (
    BatchMetrics,
    EpochMetrics,
    Prepared,
    TrainConfig,
    prepare_split,
    train,
)
from handwriting_ai_testing import KEY, draw_digit, make_settings
from platform_core.http_testing import http_client, running_server
from platform_ml import Compute, seed_everything, state_dict_bytes
from platform_workers.testing.redis_server import RedisServer

CPU = Compute("cpu", "fp32")


class Args(BaseModel):
    """The benchmark's parameters (`--epochs 6` sets `epochs`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    epochs: int = Field(default=6, ge=1)
    train_limit: int = Field(default=0, ge=0)
    batch_size: int = Field(default=16, ge=1)
    requests: int = Field(default=400, ge=1)
    concurrency: int = Field(default=16, ge=1)


def parse_args(argv: Sequence[str]) -> Args:
    """`--name value` pairs (dashes in names as underscores)."""
    if len(argv) % 2:
        raise SystemExit(f"usage: benchmark [--name value]...; got {list(argv)}")
    pairs = {
        argv[i].removeprefix("--").replace("-", "_"): argv[i + 1] for i in range(0, len(argv), 2)
    }
    return Args.model_validate(pairs)


class _Quiet:
    def should_stop(self) -> bool:
        return False

    def on_batch(self, metrics: BatchMetrics) -> None:
        del metrics

    def on_epoch(self, metrics: EpochMetrics) -> None:
        del metrics


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (ms values in, same unit out)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def bare_epoch(data: Prepared, batch_size: int, seed: int) -> float:
    """Samples/s of one plain epoch: the same network and optimiser, nothing else."""
    seed_everything(seed)
    model = DigitResNet()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    model.train()
    started = time.perf_counter()
    for start in range(0, len(data), batch_size):
        x, y = data.x[start : start + batch_size], data.y[start : start + batch_size]
        optimizer.zero_grad(set_to_none=True)
        loss = functional.cross_entropy(model.forward(x), y)
        torch.autograd.backward(loss)
        optimizer.step()
    return len(data) / (time.perf_counter() - started)


def service_epoch(train_data: Prepared, test_data: Prepared, batch_size: int, seed: int) -> float:
    """Samples/s of one epoch of the service's loop (evaluating on one image only)."""
    config = TrainConfig(epochs=1, batch_size=batch_size, lr=1e-3, seed=seed)
    started = time.perf_counter()
    tiny_test = Prepared(test_data.x[:1], test_data.y[:1])
    train(train_data, tiny_test, config, CPU, _Quiet())
    return len(train_data) / (time.perf_counter() - started)


def _manifest(val_acc: float, args: Args) -> Manifest:
    return Manifest(
        schema_version="v2.0",
        model_type="resnet18",
        model_id="bench",
        created_at=datetime.datetime.now(datetime.UTC),
        arch="resnet18",
        val_acc=val_acc,
        preprocess_hash=SIGNATURE,
        training=TrainingInfo(
            run_id="bench",
            epochs=args.epochs,
            batch_size=args.batch_size,
            learning_rate=1e-3,
            seed=0,
            device="cpu",
            optimizer="adamw",
            scheduler="cosine",
            augment=True,
        ),
    )


async def _serve_load(root: pathlib.Path, redis_url: str, args: Args) -> dict[str, float]:
    settings = make_settings(root, redis_url)
    image = draw_digit("7")
    read_ms: list[float] = []
    health_ms: list[float] = []
    async with (
        running_server(build_app(settings), grace_s=1.0) as server,
        http_client(server.url) as client,
    ):
        remaining = args.requests
        done = asyncio.Event()

        async def reader() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                files = {"file": ("d.png", image, "image/png")}
                started = time.perf_counter()
                answer = await client.post("/v1/read", files=files, headers=KEY)
                read_ms.append((time.perf_counter() - started) * 1000)
                answer.raise_for_status()

        async def prober() -> None:
            while not done.is_set():
                started = time.perf_counter()
                await client.get("/healthz")
                health_ms.append((time.perf_counter() - started) * 1000)
                await asyncio.sleep(0.02)

        probe = asyncio.create_task(prober())
        started = time.perf_counter()
        await asyncio.gather(*(reader() for _ in range(args.concurrency)))
        elapsed = time.perf_counter() - started
        done.set()
        await probe
    return {
        "requests": float(len(read_ms)),
        "requests_per_s": len(read_ms) / elapsed,
        "read_p50_ms": percentile(read_ms, 50),
        "read_p99_ms": percentile(read_ms, 99),
        "healthz_p99_ms": percentile(health_ms, 99),
    }


async def bench(args: Args, root: pathlib.Path, redis_url: str) -> dict[str, dict[str, float]]:
    """Every figure."""
    write_digits_mnist(root / "data" / "mnist")
    data = load_mnist(root / "data" / "mnist")
    limit = args.train_limit or None
    train_data = prepare_split(data.train, limit)
    test_data = prepare_split(data.test)
    config = TrainConfig(
        epochs=args.epochs, batch_size=args.batch_size, lr=1e-3, seed=0, augment=True
    )
    started = time.perf_counter()
    outcome = train(train_data, test_data, config, CPU, _Quiet())
    train_s = time.perf_counter() - started
    service = service_epoch(train_data, test_data, args.batch_size, 0)
    bare = bare_epoch(train_data, args.batch_size, 0)
    store = ModelStore(root / "models")
    manifest = _manifest(outcome.val_acc, args)
    store.install("bench", manifest.to_json(), state_dict_bytes(outcome.state))
    store.activate("bench")
    serving = await _serve_load(root, redis_url, args)
    return {
        "accuracy": {
            "epochs": float(args.epochs),
            "train_images": float(len(train_data)),
            "test_images": float(len(test_data)),
            "held_out_accuracy": outcome.val_acc,
            "train_seconds": train_s,
            "samples_per_s": len(train_data) * args.epochs / train_s,
        },
        "overhead": {
            "service_samples_per_s": service,
            "bare_samples_per_s": bare,
            "service_over_bare": service / bare,
        },
        "serving": serving,
    }


def run(args: Args) -> str:
    """The figures as JSON text, with a private Redis and a temporary directory."""
    with tempfile.TemporaryDirectory() as tmp, RedisServer(pathlib.Path(tmp)) as redis:
        return json.dumps(asyncio.run(bench(args, pathlib.Path(tmp), redis.url)), indent=2)


def emit(text: str) -> int:
    """Print the figures; the exit status."""
    sys.stdout.write(text + "\n")
    return 0


def main(argv: Sequence[str] = sys.argv[1:]) -> int:
    """Run and print the figures as JSON."""
    # One line: the server and training under `run` leave this frame untraced by
    # coverage afterwards, so nothing here may follow the call.
    return emit(run(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
