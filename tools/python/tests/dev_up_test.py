"""`tools/dev up` runs a stand-in service and leaves no process behind, however stopped.

The real `tools/dev` is copied into a scratch tree whose `tools/graph`, `bazel` and
binaries are stand-ins: a server (`python3 -m http.server`, answering `/healthz`), a
worker that exits on SIGINT like the real ones (so its supervisor would start it again),
and a `dev_prepare` that needs Redis. Redis is the real `redis-server`. `up` runs as a
script would run it, `setsid tools/dev up &` from bash (so it starts with SIGINT
ignored), and is stopped with SIGINT to its process group (a terminal's Ctrl-C) or with
SIGTERM to `tools/dev` alone; then no process of its session may be left.
"""

import asyncio
import os
import pathlib
import re
import shutil
import signal
import socket
from collections.abc import Callable

import pytest

DEV = pathlib.Path("tools/dev").resolve()

GRAPH = """#!/usr/bin/env bash
case "$1" in
  services) printf '%s\\n' //services/stub:server //services/stub:worker ;;
  dev-prepare) printf '%s\\n' //services/stub:dev_prepare ;;
  *) exit 2 ;;
esac
"""
BAZEL = """#!/usr/bin/env bash
printf '%s\\n' "$*" >>"$DEV_DATA_ROOT/bazel_calls"
"""
SERVER = """#!/usr/bin/env bash
www="$DEV_DATA_ROOT/www"
mkdir -p "$www"
echo ok >"$www/healthz"
printf '%s' "$API_UPLOAD_KEYS" >"$DEV_DATA_ROOT/server_key"
[[ -f "$DEV_DATA_ROOT/prepared" ]] || exit 3
exec /usr/bin/python3 -m http.server --bind 127.0.0.1 --directory "$www" "$PORT"
"""
WORKER = """#!/usr/bin/python3
import os, signal, sys
with open(os.environ["DEV_DATA_ROOT"] + "/worker_starts", "a") as starts:
    starts.write("started\\n")
signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
signal.pause()
"""
BOT = """#!/usr/bin/python3
import os, signal, sys
with open(os.environ["DEV_DATA_ROOT"] + "/bot", "w") as seen:
    seen.write(os.environ["LOG_FORMAT"] + " " + os.environ["DISCORD_TOKEN"])
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
signal.pause()
"""
PREPARE = """#!/usr/bin/env bash
set -e
[[ "$(redis-cli -u "$REDIS_URL" ping)" == PONG ]]
printf '%s' "$API_UPLOAD_KEYS" >"$DEV_DATA_ROOT/prepared"
"""
DEV_ENV = """# the stand-in service's dev.env
PORT={port}
DEV_URL=http://127.0.0.1:$PORT
API_UPLOAD_KEYS=from-dev-env
API_READ_KEYS=read-from-dev-env  # a comment after a value
DEV_HINT="curl -H 'X-API-Key: $API_UPLOAD_KEYS' $DEV_URL/healthz"
DEV_HINT='a literal hint'
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def executable(path: pathlib.Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(0o755)


@pytest.fixture()
def tree(tmp_path: pathlib.Path) -> pathlib.Path:
    root = tmp_path / "repo"
    (root / "tools").mkdir(parents=True)
    shutil.copy(DEV, root / "tools" / "dev")
    executable(root / "tools" / "graph", GRAPH)
    executable(tmp_path / "bin" / "bazel", BAZEL)
    out = root / ".bazel" / "bin" / "services" / "stub"
    executable(out / "server", SERVER)
    executable(out / "worker", WORKER)
    executable(out / "dev_prepare", PREPARE)
    executable(root / ".bazel" / "bin" / "clients" / "discord-bot" / "bot", BOT)
    env = root / "services" / "stub" / "dev.env"
    env.parent.mkdir(parents=True)
    env.write_text(DEV_ENV.format(port=free_port()), encoding="utf-8")
    return root


def session_processes(sid: int) -> list[str]:
    """Live (not zombie) processes of session `sid`, as 'pid (name)'."""
    found: list[str] = []
    for stat in pathlib.Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text(encoding="utf-8")
        except OSError:
            continue
        name_end = text.rindex(")")
        fields = text[name_end + 2 :].split()
        if fields[0] != "Z" and int(fields[3]) == sid:
            found.append(text[: name_end + 1])
    return found


def up_env(tree: pathlib.Path) -> dict[str, str]:
    return {
        "PATH": f"{tree.parent / 'bin'}:/usr/bin:/bin",
        "HOME": str(tree.parent),
        "DEV_NO_INSTALL": "1",
        "DEV_DATA_ROOT": str(tree / ".dev" / "data"),
    }


def read(path: pathlib.Path) -> str:
    return path.read_text(encoding="utf-8")


async def poll(done: Callable[[], bool], explain: Callable[[], str]) -> None:
    """Return once `done()`; fail with `explain()` after a minute."""
    try:
        async with asyncio.timeout(60):
            while True:
                if done():
                    return
                await asyncio.sleep(0.1)
    except TimeoutError:
        raise AssertionError(explain()) from None


async def start(tree: pathlib.Path, env: dict[str, str] | None = None) -> tuple[int, pathlib.Path]:
    """`setsid tools/dev up &` as a bash script runs it; returns its pid (= session id)."""
    log = tree / "up.log"
    launcher = await asyncio.create_subprocess_exec(
        "/bin/bash",
        "-c",
        'setsid "$0" up >"$1" 2>&1 & echo $!',
        tree / "tools" / "dev",
        log,
        env=up_env(tree) | {"API_UPLOAD_KEYS": "from-caller"} | (env or {}),
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await launcher.communicate()
    pid = int(out)
    starts = tree / ".dev" / "data" / "worker_starts"
    await poll(lambda: "stops everything" in read(log) and starts.exists(), lambda: read(log))
    return pid, log


async def wait_for_empty_session(sid: int, log: pathlib.Path) -> None:
    await poll(
        lambda: session_processes(sid) == [], lambda: f"{session_processes(sid)}\n{read(log)}"
    )


async def test_up_runs_the_service_with_the_callers_environment(tree: pathlib.Path) -> None:
    pid, log = await start(tree)
    try:
        data = tree / ".dev" / "data"
        assert (data / "prepared").read_text(encoding="utf-8") == "from-caller"
        assert (data / "server_key").read_text(encoding="utf-8") == "from-caller"
        assert "build --noshow_progress //services/stub:server" in (data / "bazel_calls").read_text(
            encoding="utf-8"
        )
        text = log.read_text(encoding="utf-8")
        env = (tree / "services" / "stub" / "dev.env").read_text(encoding="utf-8")
        port = re.search(r"^PORT=(\d+)$", env, re.MULTILINE)
        assert port is not None
        url = f"http://127.0.0.1:{port.group(1)}"
        assert (
            f"dev: //services/stub: {url} (dev API keys: API_UPLOAD_KEYS=from-caller "
            "API_READ_KEYS=read-from-dev-env )" in text
        )
        assert f"dev: //services/stub:server listening at {url}" in text
        assert f"dev:   curl -H 'X-API-Key: from-caller' {url}/healthz\n" in text
        assert "dev:   a literal hint\n" in text
        assert text.index("dev_prepare running") < text.index("server listening")
        assert "dev: Discord bot not started: set DISCORD_TOKEN to start it" in text
    finally:
        os.kill(pid, signal.SIGTERM)
        await wait_for_empty_session(pid, log)


async def test_up_runs_the_bot_when_a_discord_token_is_set(tree: pathlib.Path) -> None:
    pid, log = await start(tree, {"DISCORD_TOKEN": "tok"})
    try:
        data = tree / ".dev" / "data"
        await poll((data / "bot").exists, lambda: read(log))
        assert read(data / "bot") == "text tok"
        assert "//clients/discord-bot:bot" in read(data / "bazel_calls")
        assert "dev: //clients/discord-bot:bot running: job progress as Discord DMs" in read(log)
    finally:
        os.kill(pid, signal.SIGTERM)
        await wait_for_empty_session(pid, log)


@pytest.mark.parametrize("how", ["SIGINT to the group", "SIGTERM to tools/dev"])
async def test_stopping_leaves_no_process(tree: pathlib.Path, how: str) -> None:
    pid, log = await start(tree)
    assert len(session_processes(pid)) >= 4  # tools/dev, redis, server, supervisor, worker
    if how == "SIGINT to the group":
        os.killpg(pid, signal.SIGINT)
    else:
        os.kill(pid, signal.SIGTERM)
    await wait_for_empty_session(pid, log)
    assert read(log).rstrip().endswith("dev: stopped")
    assert read(tree / ".dev" / "data" / "worker_starts") == "started\n"


async def test_a_failing_dev_prepare_stops_everything(tree: pathlib.Path) -> None:
    executable(tree / ".bazel" / "bin" / "services" / "stub" / "dev_prepare", "#!/bin/sh\nexit 3\n")
    proc = await asyncio.create_subprocess_exec(
        tree / "tools" / "dev",
        "up",
        env=up_env(tree),
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,
    )
    _, raw = await proc.communicate()
    err = raw.decode()
    assert proc.returncode == 1, err
    assert "//services/stub:dev_prepare failed" in err
    assert "listening" not in err
    assert err.rstrip().endswith("dev: stopped")
    assert session_processes(proc.pid) == []
