"""The private test Redis: starts, answers, stops, restarts, and never outlives its owner."""

import os
import pathlib
import select
import socket
import subprocess
import sys

import pytest

from platform_workers.testing.pytest_plugin import fresh_url
from platform_workers.testing.redis_server import (
    RedisServer,
    RedisServerError,
    encode_command,
    free_port,
)


def test_encode_command_is_resp2() -> None:
    assert encode_command("SET", "k", "vé") == b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\nv\xc3\xa9\r\n"


def test_free_port_can_be_bound() -> None:
    port = free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


def test_server_answers_and_stops(tmp_path: pathlib.Path) -> None:
    server = RedisServer(tmp_path)
    with pytest.raises(RedisServerError, match="has not been started"):
        _ = server.url
    with server:
        assert server.command("PING") == b"+PONG\r\n"
        assert server.url == f"redis://127.0.0.1:{server.port}/0"
        assert server.command("SET", "k", "v") == b"+OK\r\n"
        assert server.command("GET", "k") == b"$1\r\nv\r\n"
        with pytest.raises(RedisServerError, match="already running"):
            server.start()
    assert not server.running
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", server.port)) != 0


def test_restart_keeps_the_port_and_starts_empty(tmp_path: pathlib.Path) -> None:
    with RedisServer(tmp_path) as server:
        port = server.port
        server.command("SET", "k", "v")
        server.kill()
        assert not server.running
        server.kill()
        server.start()
        assert server.port == port
        assert server.command("GET", "k") == b"$-1\r\n"


def test_stop_and_kill_before_start_do_nothing(tmp_path: pathlib.Path) -> None:
    server = RedisServer(tmp_path)
    server.stop()
    server.kill()
    assert not server.running


def test_missing_binary_is_reported(tmp_path: pathlib.Path) -> None:
    server = RedisServer(tmp_path, binary="no-such-redis-server")
    with pytest.raises(RedisServerError, match="no-such-redis-server is not installed"):
        server.start()


def test_port_taken_by_someone_else_is_reported_with_the_log(tmp_path: pathlib.Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port: int = holder.getsockname()[1]
        server = RedisServer(tmp_path, port=port, ready_timeout_s=2.0)
        with pytest.raises(RedisServerError, match="Address already in use"):
            server.start()
    assert not server.running


def test_server_that_never_answers_times_out(tmp_path: pathlib.Path) -> None:
    silent = tmp_path / "silent-redis"
    silent.write_text("#!/bin/sh\nexec sleep 30\n", encoding="utf-8")
    silent.chmod(0o755)
    server = RedisServer(tmp_path / "work", binary=str(silent), ready_timeout_s=0.05)
    with pytest.raises(RedisServerError, match="did not start: no log written"):
        server.start()


def test_flush_failure_raises(tmp_path: pathlib.Path) -> None:
    with RedisServer(tmp_path) as server:
        server.command("REPLICAOF", "127.0.0.1", str(free_port()))
        with pytest.raises(RedisServerError, match="FLUSHALL failed"):
            server.flush()


def test_server_dies_with_its_owner(tmp_path: pathlib.Path) -> None:
    script = (
        "import pathlib, sys\n"
        "from platform_workers.testing.redis_server import RedisServer\n"
        f"s = RedisServer(pathlib.Path({str(tmp_path)!r}))\n"
        "s.start()\n"
        "print(s.port, flush=True)\n"
        "sys.stdin.read()\n"
    )
    with subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    ) as owner:
        assert owner.stdout is not None
        port = int(owner.stdout.readline())
        info = RedisServer(tmp_path, port=port).command("INFO", "server").decode()
        pid = int(info.split("process_id:")[1].split("\r\n")[0])
        pidfd = os.pidfd_open(pid)
        owner.kill()
    poller = select.poll()
    poller.register(pidfd, select.POLLIN)
    try:
        # POLLIN once the server has exited; POLLHUP too once it has also been reaped
        [(ready, events)] = poller.poll(10_000)
        assert ready == pidfd
        assert events & select.POLLIN
    finally:
        os.close(pidfd)


def test_redis_url_flushes_and_restarts(redis_server: RedisServer) -> None:
    redis_server.command("SET", "left", "over")
    redis_server.stop()
    assert fresh_url(redis_server) == redis_server.url
    assert redis_server.running
    assert redis_server.command("EXISTS", "left") == b":0\r\n"


def test_redis_url_fixture_gives_an_empty_server(redis_url: str, redis_server: RedisServer) -> None:
    assert redis_url == redis_server.url
    assert redis_server.command("DBSIZE") == b":0\r\n"
