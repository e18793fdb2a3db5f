"""One benchmark server process: `python -m platform_core.http_benchmark --serve kit|bare`.

It logs (JSON, as in production) to /dev/null, prints `{"port": N}` on stdout once it
listens, and serves until SIGTERM.
"""

import asyncio
import os
from typing import TextIO

from platform_core.http import Listening, serve
from platform_core.http_benchmark.apps import AppKind, build
from platform_core.logging import configure_logging


async def run_server(
    kind: AppKind, announce: TextIO, *, shutdown: asyncio.Event | None = None
) -> None:
    """Serve the `kind` app on a free loopback port until shutdown (or SIGTERM)."""

    def on_listening(where: Listening) -> None:
        announce.write(f'{{"port": {where.port}}}\n')
        announce.flush()

    await serve(
        build(kind),
        host="127.0.0.1",
        port=0,
        grace_s=5,
        shutdown=shutdown,
        on_listening=on_listening,
        handle_signals=shutdown is None,
    )


def serve_forever(kind: AppKind, announce: TextIO) -> int:
    """Run one server until SIGTERM (logging as in production, to /dev/null)."""
    with (
        open(os.devnull, "w", encoding="utf-8") as sink,
        configure_logging(service="bench", stream=sink),
    ):
        asyncio.run(run_server(kind, announce))
    return 0
