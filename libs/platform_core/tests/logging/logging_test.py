"""Log lines: JSON shape, text mode, ids from the running request/job, typed fields."""

import io
import json
import logging
import os
import re
import socket
import sys
import threading

import pytest
from pydantic import TypeAdapter

from platform_core.logging import (
    JOB_ID,
    REQUEST_ID,
    JsonFormatter,
    LogFields,
    TextFormatter,
    configure_logging,
    current_job_id,
    current_request_id,
    default_instance,
    log_context,
    log_fields,
)
from platform_core.logging.fields import fields_of
from platform_core.logging.setup import HIGH_WATER

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
log = logging.getLogger("tests.logging")

JSON_OBJECT = TypeAdapter(dict[str, object])


def fail(exc: Exception) -> None:
    """Raise `exc` (so that a traceback exists)."""
    raise exc


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    """The JSON objects written to `stream`."""
    parsed: list[dict[str, object]] = []
    for line in stream.getvalue().splitlines():
        value = strict_json(line)
        parsed.append(value)
    return parsed


def test_json_line_shape() -> None:
    stream = io.StringIO()
    with configure_logging(service="svc", level="INFO", instance="host-1", stream=stream):
        log.info("stored %s of %d", "file", 3, extra=log_fields(size=12, ok=True, ratio=0.5))
        log.debug("not written")
    [line] = lines(stream)
    timestamp = line.pop("timestamp")
    assert isinstance(timestamp, str)
    assert TIMESTAMP.match(timestamp)
    assert line == {
        "level": "INFO",
        "logger": "tests.logging",
        "message": "stored file of 3",
        "service": "svc",
        "instance": "host-1",
        "size": 12,
        "ok": True,
        "ratio": 0.5,
    }
    assert stream.getvalue().count("\n") == 1
    assert ": " not in stream.getvalue()


def test_request_and_job_ids_are_those_of_the_emitting_code() -> None:
    stream = io.StringIO()
    with configure_logging(service="svc", instance="i", stream=stream):
        with log_context(request_id="req-1"):
            log.info("in request")
            with log_context(job_id="job-9"):
                log.warning("in job")
        log.info("outside")
    first, second, third = lines(stream)
    assert (first["request_id"], "job_id" in first) == ("req-1", False)
    assert (second["request_id"], second["job_id"], second["level"]) == (
        "req-1",
        "job-9",
        "WARNING",
    )
    assert "request_id" not in third
    assert "job_id" not in third


def test_exceptions_are_one_field() -> None:
    stream = io.StringIO()
    with configure_logging(service="svc", instance="i", stream=stream):
        try:
            fail(KeyError("missing"))
        except KeyError:
            log.exception("lookup failed")
    [line] = lines(stream)
    assert line["message"] == "lookup failed"
    assert line["level"] == "ERROR"
    trace = line["exc_info"]
    assert isinstance(trace, str)
    assert trace.startswith("Traceback")
    assert "KeyError: 'missing'" in trace


def test_text_mode() -> None:
    stream = io.StringIO()
    with configure_logging(service="svc", fmt="text", stream=stream):
        with log_context(request_id="r-2", job_id="j-3"):
            log.info("hello %s", "world", extra=log_fields(n=1))
        try:
            fail(ValueError("bad"))
        except ValueError:
            log.exception("failed")
    text = stream.getvalue()
    first, *rest = text.splitlines()
    assert re.match(
        r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} INFO    tests\.logging hello world n=1 "
        r"request_id=r-2 job_id=j-3$",
        first,
    )
    assert rest[0].endswith("ERROR   tests.logging failed")
    assert rest[1] == "Traceback (most recent call last):"
    assert rest[-1] == "ValueError: bad"


def test_level_names_any_case_and_unknown_refused() -> None:
    stream = io.StringIO()
    with configure_logging(service="svc", level="warning", instance="i", stream=stream):
        log.info("dropped")
        log.warning("kept")
    assert [line["message"] for line in lines(stream)] == ["kept"]
    with pytest.raises(ValueError, match="unknown log level 'LOUD'"):
        configure_logging(service="svc", level="LOUD")


def test_replaces_root_handlers_and_quiets_http_clients() -> None:
    root = logging.getLogger()
    stray = logging.NullHandler()
    root.addHandler(stray)
    with configure_logging(service="svc", stream=io.StringIO()):
        assert stray not in root.handlers
        assert len(root.handlers) == 1
        assert logging.getLogger("httpx").level == logging.WARNING
        assert logging.getLogger("httpcore").level == logging.WARNING
    assert root.handlers == []


def test_close_writes_everything_and_is_idempotent() -> None:
    stream = io.StringIO()
    handle = configure_logging(service="svc", instance="i", stream=stream)
    for n in range(3000):
        log.info("line %d", n)
    handle.close()
    handle.close()
    written = lines(stream)
    assert [line["message"] for line in written] == [f"line {n}" for n in range(3000)]


def test_default_stream_is_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    with configure_logging(service="svc", instance="i"):
        log.info("to stdout")
    line = JSON_OBJECT.validate_json(capsys.readouterr().out)
    assert line["message"] == "to stdout"
    assert sys.stdout is not None


def test_default_instance_is_host_and_pid() -> None:
    assert default_instance() == f"{socket.gethostname().split('.')[0]}-{os.getpid()}"
    stream = io.StringIO()
    with configure_logging(service="svc", stream=stream):
        log.info("x")
    assert lines(stream)[0]["instance"] == default_instance()


def test_reserved_field_names_are_refused() -> None:
    with pytest.raises(ValueError, match=r"reserved .*\['message', 'request_id'\]"):
        log_fields(message="m", request_id="r", other=1)


def test_fields_of_ignores_anything_else() -> None:
    assert fields_of(None) == {}
    assert fields_of({"a": 1}) == {}
    assert fields_of(LogFields({"a": 1})) == {"a": 1}


def test_context_helpers() -> None:
    assert (current_request_id(), current_job_id()) == (None, None)
    with log_context(request_id="r"):
        assert (current_request_id(), current_job_id()) == ("r", None)
        with log_context(job_id="j"):
            assert (current_request_id(), current_job_id()) == ("r", "j")
        with log_context():
            assert current_request_id() == "r"
    assert (REQUEST_ID.get(), JOB_ID.get()) == (None, None)


def _record(exc: bool) -> logging.LogRecord:
    if not exc:
        return logging.LogRecord("direct", logging.INFO, __file__, 1, "plain %s", ("msg",), None)
    try:
        fail(RuntimeError("direct failure"))
    except RuntimeError:
        return logging.LogRecord(
            "direct", logging.ERROR, __file__, 1, "failed", None, sys.exc_info()
        )
    raise AssertionError("fail() returned")


def test_formatters_used_directly_read_the_current_ids() -> None:
    json_formatter = JsonFormatter(service="svc", instance="i")
    text_formatter = TextFormatter()
    with log_context(request_id="r-9"):
        plain = JSON_OBJECT.validate_json(json_formatter.format(_record(exc=False)))
        text = text_formatter.format(_record(exc=False))
    assert plain["request_id"] == "r-9"
    assert plain["message"] == "plain msg"
    assert "exc_info" not in plain
    assert text.endswith("direct plain msg request_id=r-9")
    failed = JSON_OBJECT.validate_json(json_formatter.format(_record(exc=True)))
    exc_info = failed["exc_info"]
    assert isinstance(exc_info, str)
    assert "RuntimeError: direct failure" in exc_info
    assert text_formatter.format(_record(exc=True)).endswith("RuntimeError: direct failure")


class StalledStream(io.StringIO):
    """A stdout that blocks its first write until released (a slow log consumer)."""

    def __init__(self) -> None:
        super().__init__()
        self.writing = threading.Event()
        self.release = threading.Event()

    def write(self, text: str) -> int:
        """Block the first write until released."""
        self.writing.set()
        self.release.wait(30)
        return super().write(text)


def test_a_slow_stdout_never_blocks_the_logging_code() -> None:
    stream = StalledStream()
    handle = configure_logging(service="svc", instance="i", stream=stream)
    log.info("first")
    assert stream.writing.wait(30)
    for n in range(2 * HIGH_WATER):
        log.info("queued %d", n)
    stream.release.set()
    handle.close()
    written = lines(stream)
    assert len(written) == 2 * HIGH_WATER + 1
    assert written[-1]["message"] == f"queued {2 * HIGH_WATER - 1}"


class BrokenStdout(io.StringIO):
    """A stdout whose reader went away: every write raises BrokenPipeError."""

    def write(self, text: str) -> int:
        """Refuse `text`."""
        raise BrokenPipeError(32, "Broken pipe")


def test_lines_the_dead_writer_held_and_later_ones_go_to_stderr(
    capsys: pytest.CaptureFixture[str],
) -> None:
    died: list[threading.ExceptHookArgs] = []
    previous = threading.excepthook
    threading.excepthook = died.append
    try:
        handle = configure_logging(service="svc", instance="i", stream=BrokenStdout())
        log.info("first")
        writers = [t for t in threading.enumerate() if t.name == "platform-log-writer"]
        for writer in writers:
            writer.join(30)
        assert [type(args.exc_value) for args in died] == [BrokenPipeError]
        log.info("second")
        handle.close()
    finally:
        threading.excepthook = previous
    report = capsys.readouterr().err.splitlines()
    assert len(report) == 2
    for line in report:
        assert line.startswith(
            "the log writer stopped: BrokenPipeError: [Errno 32] Broken pipe; not written: {"
        )
    assert '"message":"first"' in report[0]
    assert '"message":"second"' in report[1]


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_a_lone_surrogate_does_not_stop_the_writer(fmt: str) -> None:
    # A str holding undecodable bytes (a file name read with surrogateescape) made the
    # UTF-8 stream's write raise on the writer thread: the thread died, and this line and
    # every later one were lost.
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="utf-8", write_through=True)
    handle = configure_logging(
        service="svc", instance="host-1", stream=stream, fmt="json" if fmt == "json" else "text"
    )
    log.info("file %s", "a\udcffb")
    log.info("after, é")
    handle.close()
    written = raw.getvalue().decode("utf-8").splitlines()
    assert len(written) == 2
    if fmt == "json":
        parsed = lines(io.StringIO(raw.getvalue().decode("utf-8")))
        assert [line["message"] for line in parsed] == ["file a\udcffb", "after, é"]
    else:
        assert written[0].endswith("tests.logging file a\\udcffb")
        assert written[1].endswith("tests.logging after, é")


def strict_json(line: str) -> dict[str, object]:
    """`line` parsed as standard JSON (NaN and Infinity are not JSON)."""

    def refuse(constant: str) -> object:
        raise ValueError(f"not JSON: {constant}")

    value: object = json.JSONDecoder(parse_constant=refuse).decode(line)
    return JSON_OBJECT.validate_python(value)


def test_non_finite_float_fields_stay_json() -> None:
    # json.dumps writes NaN/Infinity bare by default, which is not JSON: log shippers
    # drop or mangle such lines (a training loss of nan, for one).
    stream = io.StringIO()
    with configure_logging(service="svc", instance="host-1", stream=stream):
        log.info("step", extra=log_fields(loss=float("nan"), up=float("inf"), down=-float("inf")))
        log.info("step", extra=log_fields(loss=0.5))
    first, second = (strict_json(line) for line in stream.getvalue().splitlines())
    assert (first["loss"], first["up"], first["down"]) == ("NaN", "Infinity", "-Infinity")
    assert second["loss"] == 0.5
