"""Runs a service's image for real: the check behind every `:image_test` (tools/image/defs.bzl).

    service_check --image LAYOUT --name qr-api --binary server [--binary worker]
        [--volume /data] [--env KEY=VALUE ...] [--ready-timeout S] [--stop-timeout S]

With podman (tools/image/podman.py: a private store, runc, cgroupfs) and a private
redis-server on the host's loopback (`platform_workers.testing`), it starts every
binary of the image in its own container (host network, read-only root filesystem, no
capabilities, the image's user; the workers first, the volumes shared), then:

1. the server's /healthz answers 200, then /readyz answers 200 (workers live, Redis up);
2. the image's own health check passes inside the container (`podman healthcheck run`);
3. every process runs as the image's non-root user;
4. SIGTERM stops each container gracefully: exit code 0 within the grace period.

Each failure is printed with the containers' logs; the exit status is 1 if any.
"""

import argparse
import asyncio
import os
import pathlib
import sys
from collections.abc import Mapping
from dataclasses import dataclass

from platform_core.blocking import run_in
from platform_image.healthcheck import check as probe
from platform_image.podman import Podman, PodmanError
from platform_workers.testing.redis_server import RedisServer, free_port

POLL_S = 0.5
USER = "10001"


class CheckError(RuntimeError):
    """A check failed; the message says which and why."""


@dataclass(frozen=True)
class Limits:
    """How long the service may take to become ready, and to stop after SIGTERM."""

    ready_timeout_s: float = 120.0
    stop_timeout_s: int = 30


async def wait_for(port: int, path: str, deadline_s: float) -> None:
    """GET path on 127.0.0.1:port until it answers 200 (the images' own probe, in a thread).

    CheckError with the last answer once `deadline_s` has passed.
    """
    loop = asyncio.get_running_loop()
    end = loop.time() + deadline_s
    last = "no answer"
    while loop.time() < end:
        problem = await run_in(None, probe, "127.0.0.1", port, path)
        if problem is None:
            return
        last = problem
        await asyncio.sleep(POLL_S)
    raise CheckError(f"GET {path} did not answer 200 within {deadline_s} s: {last}")


class ServiceRun:
    """One service's containers in a private podman store."""

    def __init__(self, podman: Podman, name: str, tag: str) -> None:
        self.podman = podman
        self.name = name
        self.tag = tag
        self.containers: list[str] = []

    async def start(self, binary: str, env: Mapping[str, str], volumes: list[str]) -> str:
        """Start one binary in its container (named `<name>-<binary>`); the container."""
        mounts = {f"{self.name}-{v.strip('/').replace('/', '-')}": v for v in volumes}
        container = f"{self.name}-{binary}"
        await self.podman.start(
            container, self.tag, command=[f"/app/bin/{binary}"], env=env, volumes=mounts
        )
        self.containers.append(container)
        return container

    async def logs(self) -> str:
        """Every container's output, for failure messages."""
        parts = [f"--- {c} ---\n{await self.podman.logs(c)}" for c in self.containers]
        return "\n".join(parts)

    async def health_problem(self, container: str) -> str | None:
        """Why the image's health check fails in `container`, or None."""
        done = await self.podman.healthcheck(container)
        if done.returncode != 0:
            return f"{container}: the image's health check failed: {done.stdout}{done.stderr}"
        return None

    async def user_problems(self, user: str) -> list[str]:
        """The containers whose process does not run as `user` (a uid)."""
        found: list[str] = []
        for container in self.containers:
            uid = (await self.podman.exec(container, "/usr/bin/id", "-u")).stdout.strip()
            if uid != user:
                found.append(f"{container} runs as uid {uid!r}, expected {user}")
        return found

    async def stop_problems(self, timeout_s: int) -> list[str]:
        """SIGTERM each container, the last started first; the ones not exiting 0."""
        found: list[str] = []
        for container in reversed(self.containers):
            code = await self.podman.stop(container, timeout_s)
            if code != 0:
                found.append(f"{container} exited {code} on SIGTERM, expected 0")
        return found


def _server_last(binary: str) -> bool:
    return binary == "server"


async def run_check(
    podman: Podman,
    *,
    layout: pathlib.Path,
    name: str,
    binaries: list[str],
    env: Mapping[str, str],
    volumes: list[str],
    limits: Limits,
) -> list[str]:
    """Load the image, run its binaries (workers first), check, stop; the problems found."""
    tag = f"localhost/platform/{name}:test"
    await podman.load(layout, tag)
    port = free_port()
    service_env = {**env, "HOST": "127.0.0.1", "PORT": str(port)}
    run = ServiceRun(podman, name, tag)
    try:
        for binary in sorted(binaries, key=_server_last):
            await run.start(binary, service_env, volumes)
        await wait_for(port, "/healthz", limits.ready_timeout_s)
        await wait_for(port, "/readyz", limits.ready_timeout_s)
    except (CheckError, PodmanError) as exc:
        return [f"{exc}\n{await run.logs()}"]
    health = await run.health_problem(f"{name}-server")
    problems = [health] if health is not None else []
    problems += await run.user_problems(USER)
    problems += await run.stop_problems(limits.stop_timeout_s)
    if problems:
        problems.append(await run.logs())
    return problems


def parse_env(pairs: list[str]) -> dict[str, str]:
    """KEY=VALUE arguments as a mapping (ValueError for one without `=`)."""
    env: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ValueError(f"--env {pair!r}: expected KEY=VALUE")
        env[key] = value
    return env


class Args(argparse.Namespace):
    """The command line, typed."""

    image: pathlib.Path
    name: str
    binary: list[str]
    volume: list[str]
    env: list[str]
    conf: pathlib.Path
    workdir: pathlib.Path
    ready_timeout: float
    stop_timeout: int


async def _main(ns: Args, env: Mapping[str, str], redis_url: str) -> list[str]:
    async with Podman.private(ns.workdir, ns.conf) as podman:
        return await run_check(
            podman,
            layout=ns.image.resolve(),
            name=ns.name,
            binaries=ns.binary,
            env={**env, "REDIS_URL": redis_url},
            volumes=ns.volume,
            limits=Limits(ns.ready_timeout, ns.stop_timeout),
        )


def main(argv: list[str]) -> int:
    """Run the checks; 0 when all pass."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--image", type=pathlib.Path, required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--binary", action="append", default=list[str]())
    parser.add_argument("--volume", action="append", default=list[str]())
    parser.add_argument("--env", action="append", default=list[str]())
    parser.add_argument("--ready-timeout", type=float, default=Limits.ready_timeout_s)
    parser.add_argument("--stop-timeout", type=int, default=Limits.stop_timeout_s)
    parser.add_argument(
        "--conf", type=pathlib.Path, default=pathlib.Path("tools/image/containers.conf")
    )
    parser.add_argument(
        "--workdir", type=pathlib.Path, default=pathlib.Path(os.environ.get("TEST_TMPDIR", "/tmp"))
    )
    ns = parser.parse_args(argv, namespace=Args())
    if "server" not in ns.binary:
        parser.error("the image needs a server binary (its health is checked over HTTP)")
    try:
        env = parse_env(ns.env)
    except ValueError as exc:
        parser.error(str(exc))
    with RedisServer(ns.workdir / "redis") as redis:
        problems = asyncio.run(_main(ns, env, redis.url))
    ok = f"ok {ns.name}: healthz, readyz, health check, user {USER}, SIGTERM\n"
    sys.stdout.write("".join(f"FAIL {problem}\n" for problem in problems) or ok)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
