"""Podman for the image tests: a private image store, as root, on this machine kind.

    async with Podman.private(workdir, conf) as podman:
        await podman.load(layout, "localhost/platform/qr-api:test")
        await podman.start("server", "localhost/platform/qr-api:test", env={...})
        ...

Podman from Debian runs containers here with runtime runc, cgroup manager cgroupfs
and `default_ulimits = []` (tools/image/containers.conf, passed as CONTAINERS_CONF);
crun refuses to start. The store (images, containers, volumes) lives under `workdir`,
its run root and libpod's state (with the file locks of containers.conf) under /tmp
(podman refuses run roots longer than 50 characters), and all are removed when the
context ends, so tests share nothing with each other or with the machine's podman
(except networks, which are the machine's: whoever creates one removes it). Every
command that fails raises `PodmanError` with its output.
"""

import asyncio
import os
import pathlib
import shlex
import shutil
import tempfile
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Self

from platform_core.blocking import run_in

COMMAND_TIMEOUT_S = 300.0


class PodmanError(RuntimeError):
    """A podman or skopeo command failed."""


@dataclass(frozen=True)
class Completed:
    """A finished command."""

    returncode: int
    stdout: str
    stderr: str


async def execute(
    command: list[str], env: Mapping[str, str], timeout_s: float = COMMAND_TIMEOUT_S
) -> Completed:
    """Run a command to its end (killed after `timeout_s`, then PodmanError)."""
    process = await asyncio.create_subprocess_exec(
        *command,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=dict(env),
    )
    try:
        async with asyncio.timeout(timeout_s):
            out, err = await process.communicate()
    except TimeoutError:
        raise PodmanError(f"{command[:3]} ran past {timeout_s} s and was killed") from None
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    return Completed(
        process.returncode if process.returncode is not None else -1,
        out.decode(errors="replace"),
        err.decode(errors="replace"),
    )


class Podman:
    """podman and skopeo on one private store."""

    def __init__(self, root: pathlib.Path, runroot: pathlib.Path, conf: pathlib.Path) -> None:
        self.root = root
        self.runroot = runroot
        # Bridge networks need iptables, in /usr/sbin: not on Bazel's strict PATH.
        path = os.environ.get("PATH", "/usr/bin:/bin")
        self.env = {
            **os.environ,
            "CONTAINERS_CONF": str(conf.resolve()),
            "PATH": f"{path}:/usr/sbin:/sbin",
        }

    @classmethod
    @asynccontextmanager
    async def private(cls, workdir: pathlib.Path, conf: pathlib.Path) -> AsyncIterator[Self]:
        """A store under `workdir`, reset and removed at the end."""
        runroot = pathlib.Path(tempfile.mkdtemp(prefix="pm.", dir="/tmp"))
        podman = cls(workdir / "podman-root", runroot, conf)
        podman.wrapper.write_text(
            f'#!/bin/sh\nexec podman {shlex.join(podman.global_args())} "$@"\n', encoding="utf-8"
        )
        podman.wrapper.chmod(0o755)
        try:
            yield podman
        finally:
            await podman.remove_all()
            # Not `podman system reset`: it also removes every network in the machine's
            # CNI configuration, which other stores (other tests) are using.
            await run_in(None, shutil.rmtree, podman.root)
            await run_in(None, shutil.rmtree, runroot)

    async def remove_all(self) -> None:
        """Remove the store's containers (killed at once), volumes and images."""
        await self.podman("rm", "--all", "--force", "--time", "0")
        await self.podman("volume", "rm", "--all", "--force")
        await self.podman("rmi", "--all", "--force")

    @property
    def wrapper(self) -> pathlib.Path:
        """An executable that is podman on this store (for tools that run podman themselves)."""
        return self.runroot / "podman"

    @property
    def storage(self) -> str:
        """The store as a containers-storage transport spec (for skopeo)."""
        return f"[overlay@{self.root}+{self.runroot}]"

    def global_args(self) -> list[str]:
        """The options every podman command gets."""
        return [
            "--root",
            str(self.root),
            "--runroot",
            str(self.runroot),
            "--tmpdir",
            str(self.runroot / "libpod"),
            "--storage-driver",
            "overlay",
        ]

    async def podman(self, *args: str, check: bool = True) -> Completed:
        """`podman <global options> args`; PodmanError if it fails and `check`."""
        done = await execute(["podman", *self.global_args(), *args], self.env)
        if check and done.returncode != 0:
            raise PodmanError(
                f"podman {' '.join(args[:2])} failed ({done.returncode}): {done.stderr}"
            )
        return done

    async def load(self, layout: pathlib.Path, tag: str) -> None:
        """Copy an OCI layout into the store as `tag`.

        In Docker's manifest format, as `publish load` does: podman honours an image's
        HEALTHCHECK only in it.
        """
        if not layout.is_absolute():
            raise PodmanError(f"{layout}: give the layout's absolute path")
        source = f"oci:{layout}:latest"
        destination = f"containers-storage:{self.storage}{tag}"
        done = await execute(
            ["skopeo", "copy", "--quiet", "--format", "v2s2", source, destination], self.env
        )
        if done.returncode != 0:
            raise PodmanError(f"skopeo copy {source} failed ({done.returncode}): {done.stderr}")

    async def start(
        self,
        name: str,
        image: str,
        *,
        command: list[str] | None = None,
        env: Mapping[str, str] | None = None,
        volumes: Mapping[str, str] | None = None,
        network: str = "host",
    ) -> None:
        """Start a container hardened as the platform runs them: read-only root, no caps.

        `volumes` maps named volumes to mount points (created on first use, with the
        image directory's owner).
        """
        args = [
            "run",
            "--detach",
            "--name",
            name,
            "--network",
            network,
            "--read-only",
            "--cap-drop=all",
            "--security-opt=no-new-privileges",
        ]
        for key, value in sorted((env or {}).items()):
            args += ["--env", f"{key}={value}"]
        for volume, target in sorted((volumes or {}).items()):
            args += ["--mount", f"type=volume,source={volume},destination={target}"]
        await self.podman(*args, image, *(command or []))

    async def inspect(self, name: str, template: str) -> str:
        """One `podman inspect --format` value of a container."""
        return (await self.podman("inspect", "--format", template, name)).stdout.strip()

    async def logs(self, name: str) -> str:
        """A container's output so far (stdout and stderr)."""
        done = await self.podman("logs", name, check=False)
        return done.stdout + done.stderr

    async def stop(self, name: str, timeout_s: int) -> int:
        """SIGTERM, SIGKILL after `timeout_s`; the exit code (137 when it had to be killed)."""
        await self.podman("stop", "--time", str(timeout_s), name)
        return int(await self.inspect(name, "{{.State.ExitCode}}"))

    async def healthcheck(self, name: str) -> Completed:
        """Run the image's health check in the container once."""
        return await self.podman("healthcheck", "run", name, check=False)

    async def exec(self, name: str, *command: str) -> Completed:
        """Run a command in a running container."""
        return await self.podman("exec", name, *command, check=False)


__all__ = ["Completed", "Podman", "PodmanError", "execute"]
