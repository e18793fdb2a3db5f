"""`tools/dev up`'s preparation for model-trainer: upload the demo corpus.

Stores `corpus/fortunes.txt` (Debian's fortunes-min text, see corpus/LICENSE) in
data-bank-api and prints its file id, so a new user can train a tokenizer and a model
at once (the `DEV_HINT` lines of dev.env show the calls). Idempotent: data-bank-api is
content-addressed, so every run gives the same id. It waits up to
`--wait-s` seconds for data-bank-api to accept connections (it may be starting beside
it); any other failure ends it with status 1, a bad environment with 2.
"""

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TextIO

from model_trainer.settings import TrainerSettings, load_trainer_settings
from platform_core.config import ConfigError
from platform_core.data_bank_client import DataBankClient, DataBankError, DataBankUnavailableError

DEMO_CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "fortunes.txt"
POLL_S = 0.5
EXIT_OK, EXIT_FAILED, EXIT_BAD_CONFIG = 0, 1, 2


async def upload_demo_corpus(settings: TrainerSettings, corpus: Path, wait_s: float) -> str:
    """Upload `corpus`; its file id (waiting up to `wait_s` for data-bank-api to listen)."""
    deadline = time.monotonic() + wait_s
    async with DataBankClient(
        settings.data_bank_url, settings.data_bank_api_key.get_secret_value()
    ) as bank:
        while True:
            try:
                stored = await bank.upload_file(corpus, content_type="text/plain; charset=utf-8")
            except DataBankUnavailableError:
                if time.monotonic() >= deadline:
                    raise
                await asyncio.sleep(POLL_S)
            else:
                return stored.file_id


def main(
    argv: Sequence[str] | None = None,
    environ: Mapping[str, str] = os.environ,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    """Upload the demo corpus and print its id; the exit status."""
    parser = argparse.ArgumentParser(prog="dev_prepare", description=__doc__)
    parser.add_argument("--wait-s", type=float, default=60.0)
    parser.add_argument("--corpus", type=Path, default=DEMO_CORPUS)
    args = parser.parse_args(argv)
    wait_s: float = args.wait_s
    corpus: Path = args.corpus
    try:
        settings = load_trainer_settings(environ)
    except ConfigError as exc:
        err.write(f"model-trainer dev_prepare: cannot start: {exc}\n")
        return EXIT_BAD_CONFIG
    return asyncio.run(prepare(settings, corpus, wait_s, out, err))


async def prepare(
    settings: TrainerSettings, corpus: Path, wait_s: float, out: TextIO, err: TextIO
) -> int:
    """Upload the demo corpus, report the outcome; the exit status."""
    try:
        file_id = await upload_demo_corpus(settings, corpus, wait_s)
    except DataBankError as exc:
        err.write(f"model-trainer dev_prepare: cannot upload the demo corpus: {exc}\n")
        return EXIT_FAILED
    out.write(f"model-trainer demo corpus ({corpus.name}): corpus_file_id={file_id}\n")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
