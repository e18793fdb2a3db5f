"""The worker's log lines: one when it starts, one when it stops, as the platform's JSON."""

import io
import logging
from collections.abc import Iterator
from dataclasses import replace

import pytest
from pydantic import TypeAdapter

from platform_core.logging import LoggingHandle, configure_logging
from platform_workers.async_queue import JobContext, Queue, Task
from platform_workers.async_queue.scripts import RENEW
from platform_workers.async_queue_testing import ECHO, FAST, Echo, Events, echo, running
from platform_workers.async_redis import Arg, RedisClient, RedisConnectionError, Reply, Script

WORKER_LOGGER = "platform_workers.async_queue.worker"
MESSAGES = ("worker started", "worker stopped")
# A log line as written: a JSON object (parsed at the boundary, not annotated).
LOG_LINE = TypeAdapter(dict[str, object])


class JsonLog:
    """The JSON lines written through `platform_core.logging` during a test."""

    def __init__(self, stream: io.StringIO, handle: LoggingHandle) -> None:
        self.stream = stream
        self.handle = handle

    def worker_lines(self) -> list[dict[str, object]]:
        """Stop logging (every line written), then the worker's start and stop lines
        without their timestamps."""
        self.handle.close()
        found: list[dict[str, object]] = []
        for text in self.stream.getvalue().splitlines():
            line = LOG_LINE.validate_json(text)
            if line["logger"] == WORKER_LOGGER and line["message"] in MESSAGES:
                del line["timestamp"]
                found.append(line)
        return found


@pytest.fixture()
def json_log() -> Iterator[JsonLog]:
    """`configure_logging` to a buffer for the test; the root logger's level is restored
    after (pytest installs its own handlers for each phase)."""
    root = logging.getLogger()
    level = root.level
    stream = io.StringIO()
    handle = configure_logging(service="queue-test", instance="i-1", stream=stream)
    try:
        yield JsonLog(stream, handle)
    finally:
        handle.close()
        root.setLevel(level)


def expected(message: str, level: str, **fields: object) -> dict[str, object]:
    """A worker line as written (less its timestamp)."""
    return {
        "level": level,
        "logger": WORKER_LOGGER,
        "message": message,
        "service": "queue-test",
        "instance": "i-1",
        **fields,
    }


async def test_a_worker_logs_its_start_and_its_graceful_stop(
    redis: RedisClient, queue: Queue, events: Events, json_log: JsonLog
) -> None:
    config = replace(FAST, concurrency=3)
    async with running(redis, "tours", [ECHO.handler(echo)], config, worker_id="w-1"):
        ok = await queue.enqueue(ECHO, Echo(text="x"), user_id=1)
        bad = await queue.enqueue(ECHO, Echo(text="y", fail="no"), user_id=1)
        await events.finished(ok.job_id, bad.job_id)
    started, stopped = json_log.worker_lines()
    assert started == expected(
        "worker started",
        "INFO",
        worker="w-1",
        queue="tours",
        concurrency=3,
        tasks="echo",
        lease_ms=FAST.lease_ms,
    )
    assert stopped == expected(
        "worker stopped",
        "INFO",
        worker="w-1",
        queue="tours",
        concurrency=3,
        graceful=True,
        error=None,
        started=2,
        completed=1,
        failed=1,
        retried=0,
        dead=0,
        reclaimed=0,
        lost=0,
        requeued=0,
    )


class FailingRenewals(RedisClient):
    """The test server's client, whose lease renewals fail once `failing` is set."""

    def __init__(self, base: RedisClient) -> None:
        super().__init__(base.raw, socket_timeout_s=base.socket_timeout_s)
        self.failing = False

    async def eval_script(self, script: Script, keys: list[str], args: list[Arg]) -> Reply:
        if self.failing and script is RENEW.script:
            raise RedisConnectionError("injected: connection lost")
        return await super().eval_script(script, keys, args)


async def test_a_worker_that_fails_logs_why_it_stopped(
    redis: RedisClient, queue: Queue, json_log: JsonLog
) -> None:
    failing = FailingRenewals(redis)
    async with running(failing, "tours", [ECHO.handler(echo)], worker_id="w-2") as worker:
        failing.failing = True
        with pytest.raises(RedisConnectionError, match="injected"):
            await worker.task
    lines = json_log.worker_lines()
    assert [(line["message"], line["level"]) for line in lines] == [
        ("worker started", "INFO"),
        ("worker stopped", "ERROR"),
    ]
    traceback = lines[1].pop("exc_info")
    assert isinstance(traceback, str)
    assert traceback.endswith("RedisConnectionError: injected: connection lost")
    assert lines[1] == expected(
        "worker stopped",
        "ERROR",
        worker="w-2",
        queue="tours",
        concurrency=FAST.concurrency,
        graceful=False,
        error="RedisConnectionError: injected: connection lost",
        started=0,
        completed=0,
        failed=0,
        retried=0,
        dead=0,
        reclaimed=0,
        lost=0,
        requeued=0,
    )


LOGGED = Task("logged", Echo, Echo)


async def log_inside(payload: Echo, ctx: JobContext) -> Echo:
    logging.getLogger("handler").info("inside %s", payload.text)
    return payload


async def test_lines_a_handler_logs_carry_its_job_id(
    redis: RedisClient, queue: Queue, events: Events, json_log: JsonLog
) -> None:
    async with running(redis, "tours", [LOGGED.handler(log_inside)], FAST):
        first = await queue.enqueue(LOGGED, Echo(text="a"), user_id=1)
        second = await queue.enqueue(LOGGED, Echo(text="b"), user_id=1)
        await events.finished(first.job_id, second.job_id)
    json_log.handle.close()
    inside: dict[str, object] = {}
    for text in json_log.stream.getvalue().splitlines():
        line = LOG_LINE.validate_json(text)
        if line["logger"] == "handler":
            inside[str(line["message"])] = line.get("job_id")
    assert inside == {"inside a": first.job_id, "inside b": second.job_id}
