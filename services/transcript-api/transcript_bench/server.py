"""The transcript-api server with an event-loop lag sampler beside it (benchmark only).

`python -m transcript_bench.server` reads the service's settings from the environment
and `BENCH_LAG_FILE`; it serves the unchanged app until SIGTERM, then writes every lag
sample to that file as JSON.
"""

import asyncio
import os
import pathlib
import sys
from collections.abc import Callable, Mapping

from platform_core.blocking import run_blocking
from platform_core.config import ConfigError
from platform_core.http import Listening, serve
from platform_core.logging import configure_logging
from transcript_api.app import SERVICE, build_app
from transcript_api.settings import TranscriptSettings, load_transcript_settings
from transcript_bench.lag import LoopLag

LAG_FILE_ENV = "BENCH_LAG_FILE"


async def serve_measured(
    settings: TranscriptSettings,
    lag_file: pathlib.Path,
    *,
    shutdown: asyncio.Event | None = None,
    on_listening: Callable[[Listening], None] | None = None,
) -> None:
    """Serve the app, sampling the loop's lag, until shutdown; then write the samples."""
    monitor = LoopLag()
    sampler = asyncio.create_task(monitor.run())
    try:
        await serve(
            build_app(settings),
            host=settings.host,
            port=settings.port,
            grace_s=settings.shutdown_grace_s,
            shutdown=shutdown,
            on_listening=on_listening,
            handle_signals=shutdown is None,
        )
    finally:
        sampler.cancel()  # asyncio.run collects it when the loop closes
        await run_blocking(lag_file.write_text, monitor.result().model_dump_json())


def main(environ: Mapping[str, str] = os.environ) -> int:
    """Run until SIGTERM; 2 when the environment is invalid."""
    lag_file = environ.get(LAG_FILE_ENV)
    try:
        settings = load_transcript_settings(environ)
    except ConfigError as exc:
        sys.stderr.write(f"{SERVICE} (benchmark): cannot start: {exc}\n")
        return 2
    if not lag_file:
        sys.stderr.write(f"{SERVICE} (benchmark): set {LAG_FILE_ENV}\n")
        return 2
    with configure_logging(service=SERVICE, level=settings.log_level, fmt=settings.log_format):
        return asyncio.run(serve_until_stopped(settings, pathlib.Path(lag_file)))


async def serve_until_stopped(settings: TranscriptSettings, lag_file: pathlib.Path) -> int:
    """`serve_measured` until SIGTERM/SIGINT; exit status 0."""
    await serve_measured(settings, lag_file)
    return 0


if __name__ == "__main__":
    sys.exit(main())
