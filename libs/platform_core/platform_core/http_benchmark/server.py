"""One benchmark server process: `python -m platform_core.http_benchmark --serve kit|bare
--port N`.

It logs (JSON, as in production) to /dev/null and serves the app on 127.0.0.1:N until
SIGTERM; the benchmark knows it is up once `GET /ping` answers 200.
"""

import asyncio
import os
from collections.abc import Callable

from platform_core.http import Listening, serve
from platform_core.http_benchmark.apps import AppKind, build
from platform_core.logging import configure_logging

HOST = "127.0.0.1"


async def run_server(
    kind: AppKind,
    port: int,
    *,
    shutdown: asyncio.Event | None = None,
    on_listening: Callable[[Listening], None] | None = None,
) -> None:
    """Serve the `kind` app on the loopback `port` until shutdown (or SIGTERM)."""
    await serve(
        build(kind),
        host=HOST,
        port=port,
        grace_s=5,
        shutdown=shutdown,
        on_listening=on_listening,
        handle_signals=shutdown is None,
    )


def serve_forever(kind: AppKind, port: int) -> int:
    """Run one server until SIGTERM (logging as in production, to /dev/null)."""
    with (
        open(os.devnull, "w", encoding="utf-8") as sink,
        configure_logging(service="bench", stream=sink),
    ):
        asyncio.run(run_server(kind, port))
    return 0
