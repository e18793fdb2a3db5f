"""Serving an app with Hypercorn: `serve` (async) and `run_service` (a server binary's main).

    # orders_api/server.py
    def main() -> None:
        raise SystemExit(run_service(service="orders-api", settings=Settings, build=build_app))

`run_service` reads the settings (a bad environment stops it with a message naming the
variable, exit status 2), sets up logging, builds the app and serves it on
`HOST`:`PORT` until SIGTERM or SIGINT. Shutdown is graceful: the listening socket closes
at once, requests in flight get `SHUTDOWN_GRACE_S` seconds to finish, then the app's
resources are closed. Startup and shutdown failures exit with status 1.
"""

import asyncio
import logging
import os
import signal
import socket
import sys
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Protocol, TextIO, TypeGuard, TypeVar

from hypercorn.asyncio.run import worker_serve
from hypercorn.config import Config, Sockets
from hypercorn.typing import AppWrapper
from hypercorn.utils import LifespanFailureError, LifespanTimeoutError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from platform_core.checked import module_attribute
from platform_core.config import ConfigError, ServiceSettings, load_settings
from platform_core.logging import configure_logging, log_fields

SS = TypeVar("SS", bound=ServiceSettings)

logger = logging.getLogger("platform_core.server")

EXIT_OK = 0
EXIT_STARTUP_FAILED = 1
EXIT_BAD_CONFIG = 2
SHUTDOWN_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class _WorkerServe(Protocol):
    def __call__(
        self,
        app: AppWrapper,
        config: Config,
        *,
        sockets: Sockets,
        shutdown_trigger: Callable[[], Awaitable[bool]],
    ) -> Awaitable[None]: ...


class _WrapAsgi(Protocol):
    def __call__(self, app: ASGIApp) -> AppWrapper: ...


_worker_serve: _WorkerServe = worker_serve


# Hypercorn types an ASGI app with its own TypedDicts, Starlette with MutableMappings: the
# same protocol in two incompatible spellings. The one bridge between them is this lookup.
def _is_wrap_asgi(value: object) -> TypeGuard[_WrapAsgi]:
    return callable(value)


_wrap_asgi = module_attribute("hypercorn.app_wrappers", "ASGIWrapper", _is_wrap_asgi)


@dataclass(frozen=True, slots=True)
class Listening:
    """Where a started server accepts connections."""

    host: str
    port: int

    @property
    def url(self) -> str:
        """`http://host:port` (IPv6 hosts in brackets)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening, non-blocking TCP socket on `host:port` (port 0: any free port).

    `::` listens on IPv6 and IPv4 both (as the original's `[::]` bind did). Accepted
    connections inherit TCP_NODELAY: Hypercorn writes a response's headers and body
    separately, and with Nagle's algorithm the body of a small response on a reused
    connection waits for the client's delayed ACK (~40 ms).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    both = host == "::" and socket.has_dualstack_ipv6()
    sock = socket.create_server((host, port), family=family, backlog=1024, dualstack_ipv6=both)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.setblocking(False)
    return sock


def hypercorn_config(grace_s: float) -> Config:
    """Hypercorn's settings: no access log of its own, errors into our logging."""
    config = Config()
    config.accesslog = None
    config.errorlog = logging.getLogger("hypercorn.error")
    config.graceful_timeout = grace_s
    config.include_server_header = False
    return config


def _announcing(app: ASGIApp, announce: Callable[[], None]) -> ASGIApp:
    """`app`, calling `announce` once its lifespan startup has completed."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        kind: str = scope["type"]
        if kind != "lifespan":
            await app(scope, receive, send)
            return

        async def send_observed(message: Message) -> None:
            await send(message)
            message_type: str = message["type"]
            if message_type == "lifespan.startup.complete":
                announce()

        await app(scope, receive, send_observed)

    return wrapped


async def serve(
    app: ASGIApp,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    grace_s: float = 20.0,
    shutdown: asyncio.Event | None = None,
    on_listening: Callable[[Listening], None] | None = None,
    handle_signals: bool = True,
) -> None:
    """Serve `app` with Hypercorn until `shutdown` is set (or SIGTERM/SIGINT arrives).

    The socket is bound before the app starts (a port in use raises `OSError` at once);
    `on_listening` is called when the app's startup has completed. On shutdown the
    socket closes, requests in flight get `grace_s` seconds, then the app's lifespan
    shutdown runs. Lifespan failures raise hypercorn's `LifespanFailureError`.
    """
    stop = shutdown if shutdown is not None else asyncio.Event()
    sock = bind_socket(host, port)
    bound_port: int = sock.getsockname()[1]
    where = Listening(host, bound_port)
    loop = asyncio.get_running_loop()

    def on_signal(signum: signal.Signals) -> None:
        logger.info("shutdown requested", extra=log_fields(signal=signum.name))
        stop.set()

    def announce() -> None:
        logger.info("listening", extra=log_fields(host=host, port=bound_port, url=where.url))
        if on_listening is not None:
            on_listening(where)

    if handle_signals:
        for signum in SHUTDOWN_SIGNALS:
            loop.add_signal_handler(signum, on_signal, signum)
    try:
        await _worker_serve(
            _wrap_asgi(_announcing(app, announce)),
            hypercorn_config(grace_s),
            sockets=Sockets(secure_sockets=[], insecure_sockets=[sock], quic_sockets=[]),
            shutdown_trigger=stop.wait,
        )
    finally:
        if handle_signals:
            for signum in SHUTDOWN_SIGNALS:
                loop.remove_signal_handler(signum)
        sock.close()
    logger.info("server stopped", extra=log_fields(url=where.url))


def _serve_until_stopped(app: ASGIApp, settings: ServiceSettings) -> str | None:
    """Serve `app` until shutdown; what went wrong if it could not start or stop cleanly."""
    started: list[Listening] = []
    try:
        asyncio.run(
            serve(
                app,
                host=settings.host,
                port=settings.port,
                grace_s=settings.shutdown_grace_s,
                on_listening=started.append,
            )
        )
    except OSError as exc:
        return f"cannot listen on {settings.host}:{settings.port}: {exc}"
    except (LifespanFailureError, LifespanTimeoutError) as exc:
        stage = "shutdown" if started else "startup"
        return f"{stage} failed: {exc}"
    return None


def _build(build: Callable[[SS], ASGIApp], settings: SS) -> ASGIApp | str:
    """The app, or the configuration problem that prevents building it."""
    try:
        return build(settings)
    except ConfigError as exc:
        return str(exc)


def run_service(
    *,
    service: str,
    settings: type[SS],
    build: Callable[[SS], ASGIApp],
    environ: Mapping[str, str] | None = None,
    log_stream: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Read settings, log, build and serve; the process's exit status.

    2: the environment is invalid (the message names each variable, on stderr; a
    `ConfigError` raised by `build` counts too); 1: the app could not start (bind
    failure, a resource that would not open) or its shutdown failed (a resource that
    would not close); 0: it ran and shut down cleanly.
    """
    errors = err if err is not None else sys.stderr
    try:
        loaded = load_settings(settings, os.environ if environ is None else environ)
    except ConfigError as exc:
        errors.write(f"{service}: cannot start: {exc}\n")
        return EXIT_BAD_CONFIG
    with configure_logging(
        service=service,
        level=loaded.log_level,
        fmt=loaded.log_format,
        instance=loaded.instance_id,
        stream=log_stream,
    ):
        app = _build(build, loaded)
        if isinstance(app, str):
            logger.error("cannot start: %s", app)
            errors.write(f"{service}: cannot start: {app}\n")
            return EXIT_BAD_CONFIG
        problem = _serve_until_stopped(app, loaded)
        if problem is not None:
            logger.error(problem)
            return EXIT_STARTUP_FAILED
    return EXIT_OK
