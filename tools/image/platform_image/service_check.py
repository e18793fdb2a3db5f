"""Runs a service's image for real: the check behind every `:image_test` (tools/image/defs.bzl).

    service_check --image LAYOUT --name qr-api --binary server [--binary worker]
        [--volume /data] [--env KEY=VALUE ...]

With podman (tools/image/podman.py: a private store, runc, cgroupfs) and a private
redis-server on the host's loopback (`platform_workers.testing`), it starts every
binary of the image in its own container (host network, read-only root filesystem, no
capabilities, the image's user; the workers first, the volumes shared), then:

1. the server's /healthz answers 200, then /readyz answers 200 (workers live, Redis up);
2. the image's own health check passes inside the container (`podman healthcheck run`);
3. the processes run as the image's non-root user;
4. SIGTERM stops each container gracefully: exit code 0 within the grace period.

Each failure is printed with the container logs; the exit status is 1 if any.
"""

import argparse
import asyncio
import os
import pathlib
import sys
from collections.abc import Mapping

from platform_core.blocking import run_in
from platform_image.healthcheck import check as probe
from platform_image.podman import Podman, PodmanError
from platform_workers.testing.redis_server import RedisServer, free_port

READY_TIMEOUT_S = 120.0
POLL_S = 0.5
STOP_TIMEOUT_S = 30
USER = "10001"


class CheckError(RuntimeError):
    """A check failed; the message says which and why."""


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

    async def start_all(
        self, binaries: list[str], env: Mapping[str, str], volumes: list[str]
    ) -> str:
        """Start the workers, then the server; the server's container name."""
        mounts = {f"{self.name}-{v.strip('/').replace('/', '-')}": v for v in volumes}
        ordered = [b for b in binaries if b != "server"] + [b for b in binaries if b == "server"]
        for binary in ordered:
            container = f"{self.name}-{binary}"
            await self.podman.start(
                container, self.tag, command=[f"/app/bin/{binary}"], env=env, volumes=mounts
            )
            self.containers.append(container)
        return f"{self.name}-server"

    async def logs(self) -> str:
        """Every container's output, for failure messages."""
        parts = [f"--- {c} ---\n{await self.podman.logs(c)}" for c in self.containers]
        return "\n".join(parts)

    async def stop_all(self) -> list[str]:
        """SIGTERM each container (server first); the ones that did not exit 0."""
        problems: list[str] = []
        for container in reversed(self.containers):
            code = await self.podman.stop(container, STOP_TIMEOUT_S)
            if code != 0:
                problems.append(f"{container} exited {code} on SIGTERM, expected 0")
        return problems


async def check_service(run: ServiceRun, port: int) -> list[str]:
    """Checks 1-3 on a started service; the problems found."""
    server = f"{run.name}-server"
    await wait_for(port, "/healthz", READY_TIMEOUT_S)
    await wait_for(port, "/readyz", READY_TIMEOUT_S)
    problems: list[str] = []
    health = await run.podman.healthcheck(server)
    if health.returncode != 0:
        problems.append(f"the image's health check failed: {health.stdout}{health.stderr}")
    for container in run.containers:
        uid = await run.podman.exec(container, "/usr/bin/id", "-u")
        if uid.stdout.strip() != USER:
            problems.append(f"{container} runs as uid {uid.stdout.strip()!r}, expected {USER}")
    return problems


async def run_check(
    podman: Podman,
    layout: pathlib.Path,
    name: str,
    binaries: list[str],
    env: Mapping[str, str],
    volumes: list[str],
) -> list[str]:
    """Load the image, run its binaries, check them, stop them; the problems found."""
    tag = f"localhost/platform/{name}:test"
    await podman.load(layout, tag)
    port = free_port()
    service_env = {**env, "HOST": "127.0.0.1", "PORT": str(port)}
    run = ServiceRun(podman, name, tag)
    try:
        await run.start_all(binaries, service_env, volumes)
        problems = await check_service(run, port)
        problems += await run.stop_all()
    except (CheckError, PodmanError) as exc:
        return [f"{exc}\n{await run.logs()}"]
    if problems:
        problems.append(await run.logs())
    return problems


class Args(argparse.Namespace):
    """The command line, typed."""

    image: pathlib.Path
    name: str
    binary: list[str]
    volume: list[str]
    env: list[str]
    conf: pathlib.Path
    workdir: pathlib.Path


def parse_env(pairs: list[str]) -> dict[str, str]:
    """KEY=VALUE arguments as a mapping (ValueError for one without `=`)."""
    env: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ValueError(f"--env {pair!r}: expected KEY=VALUE")
        env[key] = value
    return env


async def _main(ns: Args, redis_url: str) -> list[str]:
    env = {**parse_env(ns.env), "REDIS_URL": redis_url}
    async with Podman.private(ns.workdir, ns.conf) as podman:
        return await run_check(podman, ns.image, ns.name, ns.binary, env, ns.volume)


def main(argv: list[str]) -> int:
    """Run the checks; 0 when all pass."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--image", type=pathlib.Path, required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--binary", action="append", default=list[str]())
    parser.add_argument("--volume", action="append", default=list[str]())
    parser.add_argument("--env", action="append", default=list[str]())
    parser.add_argument("--conf", type=pathlib.Path, default=pathlib.Path("tools/image/containers.conf"))
    parser.add_argument(
        "--workdir", type=pathlib.Path, default=pathlib.Path(os.environ.get("TEST_TMPDIR", "/tmp"))
    )
    ns = parser.parse_args(argv, namespace=Args())
    if "server" not in ns.binary:
        parser.error("the image needs a server binary (its health is checked over HTTP)")
    with RedisServer(ns.workdir / "redis") as redis:
        problems = asyncio.run(_main(ns, redis.url))
    for problem in problems:
        sys.stdout.write(f"FAIL {problem}\n")
    if problems:
        return 1
    sys.stdout.write(f"ok {ns.name}: healthz, readyz, health check, user {USER}, SIGTERM\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
