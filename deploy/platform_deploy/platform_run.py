"""Runs deploy/compose.yaml for real with podman-compose, in a private podman store.

    async with Podman.private(workdir, conf) as podman:
        platform = Platform(podman, compose_file, project="platform-test")
        await platform.up(images, secrets)          # loads the images, `podman-compose up -d`
        await platform.wait_ready(deadline_s)       # every server's /readyz answers 200
        ...
        await platform.down()

Each server publishes its port through the variable its compose entry names
(`"${QR_API_PORT:-8002}:8002"`); `up` sets each to a free port, so the platform runs
beside anything else on the machine. Containers are named `<project>_<service>_1`
(podman-compose's scheme).
"""

import asyncio
import pathlib
import re
from collections.abc import Mapping

from platform_core.blocking import run_in
from platform_deploy.compose import ComposeFile
from platform_image.healthcheck import check as probe
from platform_image.podman import Completed, Podman, execute
from platform_workers.testing.redis_server import free_port

PORT_VARIABLE = re.compile(r"^\$\{(?P<name>[A-Z0-9_]+):-\d+\}:(?P<port>\d+)$")
POLL_S = 1.0
STOP_TIMEOUT_S = 30


class PlatformError(RuntimeError):
    """The platform did not come up or behave; the message says what and shows the logs."""


def published_ports(compose: ComposeFile) -> dict[str, str]:
    """Service -> the variable that sets its host port (services that publish one)."""
    found: dict[str, str] = {}
    for name, service in compose.services.items():
        for port in service.ports:
            match = PORT_VARIABLE.match(port)
            if match is None:
                raise PlatformError(f"{name}: port {port!r} is not written ${{NAME:-N}}:N")
            found[name] = match.group("name")
    return found


class Platform:
    """The compose project: its containers and the host ports of its servers."""

    def __init__(
        self, podman: Podman, compose_file: pathlib.Path, compose: ComposeFile, project: str
    ) -> None:
        self.podman = podman
        self.compose_file = compose_file
        self.compose = compose
        self.project = project
        self.ports: dict[str, int] = {}
        self._env: dict[str, str] = dict(podman.env)
        self._up_output = ""

    def container(self, service: str) -> str:
        """podman-compose's name for a service's container."""
        return f"{self.project}_{service}_1"

    async def compose_command(self, *args: str) -> str:
        """podman-compose on the private store; its output (PlatformError if it fails)."""
        command = [
            "podman-compose",
            "--podman-path",
            str(self.podman.wrapper),
            "-p",
            self.project,
            "-f",
            str(self.compose_file),
            *args,
        ]
        done = await execute(command, self._env)
        if done.returncode != 0:
            raise PlatformError(
                f"podman-compose {' '.join(args)} failed: {done.stdout}{done.stderr}"
            )
        return done.stdout + done.stderr

    async def up(self, images: Mapping[str, pathlib.Path], secrets: Mapping[str, str]) -> None:
        """Load every image, then start the whole file (detached)."""
        for tag, layout in sorted(images.items()):
            await self.podman.load(layout, tag)
        variables = published_ports(self.compose)
        self.ports = {service: free_port() for service in variables}
        self._env = {
            **self.podman.env,
            **secrets,
            **{variables[s]: str(port) for s, port in self.ports.items()},
        }
        self._up_output = await self.compose_command("up", "-d")

    async def logs(self) -> str:
        """What `up` said and every container's output, for failure messages."""
        parts = [f"--- podman-compose up ---\n{self._up_output}"]
        parts += [
            f"--- {service} ---\n{await self.podman.logs(self.container(service))}"
            for service in sorted(self.compose.services)
        ]
        return "\n".join(parts)

    async def wait_ready(self, deadline_s: float) -> None:
        """Until every published server's /readyz answers 200 (PlatformError past the deadline)."""
        loop = asyncio.get_running_loop()
        end = loop.time() + deadline_s
        waiting = dict(self.ports)
        last: dict[str, str] = {}
        while waiting and loop.time() < end:
            for service, port in list(waiting.items()):
                problem = await run_in(None, probe, "127.0.0.1", port, "/readyz")
                if problem is None:
                    del waiting[service]
                else:
                    last[service] = problem
            if waiting:
                await asyncio.sleep(POLL_S)
        if waiting:
            reasons = "; ".join(f"{s}: {last[s]}" for s in sorted(waiting))
            raise PlatformError(f"not ready within {deadline_s} s: {reasons}\n{await self.logs()}")

    async def health(self) -> dict[str, Completed]:
        """Each service's health check, run once now in its container."""
        return {
            service: await self.podman.healthcheck(self.container(service))
            for service in sorted(self.compose.services)
        }

    async def restarts(self, service: str) -> int:
        """How many times the engine restarted a service's container (restart policy)."""
        return int(await self.podman.inspect(self.container(service), "{{.RestartCount}}"))

    async def stop(self, service: str) -> int:
        """SIGTERM a service's container (SIGKILL after the grace period); its exit code."""
        return await self.podman.stop(self.container(service), STOP_TIMEOUT_S)

    async def start(self, service: str) -> None:
        """Start a stopped service's container again."""
        await self.podman.podman("start", self.container(service))

    async def stop_all(self) -> dict[str, int]:
        """SIGTERM every container, servers and workers before Redis; the exit codes."""
        order = sorted(self.compose.services, key=_redis_last)
        return {service: await self.stop(service) for service in order}

    async def down(self) -> None:
        """`podman-compose down`: remove the containers and the network."""
        await self.compose_command("down")


def _redis_last(service: str) -> tuple[bool, str]:
    return service == "redis", service


def image_list(pairs: list[str]) -> dict[str, pathlib.Path]:
    """TAG=LAYOUT arguments as a mapping (layouts made absolute)."""
    images: dict[str, pathlib.Path] = {}
    for pair in pairs:
        tag, sep, layout = pair.partition("=")
        if not sep:
            raise ValueError(f"{pair!r}: expected TAG=LAYOUT")
        images[tag] = pathlib.Path(layout).resolve()
    return images


__all__ = [
    "Platform",
    "PlatformError",
    "image_list",
    "published_ports",
]
