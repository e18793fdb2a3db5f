"""Podman on a private store: images load, containers run hardened, stop, and leave nothing."""

import asyncio
import os
import pathlib

import pytest

from platform_image.podman import Podman, PodmanError, execute

TAG = "localhost/platform/fixture:test"


async def test_commands_run_and_time_out() -> None:
    done = await execute(["sh", "-c", "echo out; echo err >&2; exit 3"], os.environ)
    assert (done.returncode, done.stdout, done.stderr) == (3, "out\n", "err\n")
    with pytest.raises(PodmanError, match=r"ran past 0\.2 s and was killed"):
        await execute(["sleep", "30"], os.environ, timeout_s=0.2)


async def test_a_container_runs_hardened_and_stops_on_sigterm(
    fixture_image: pathlib.Path, containers_conf: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    async with Podman.private(tmp_path, containers_conf) as podman:
        runroot = podman.runroot
        await podman.load(fixture_image, TAG)
        await podman.start(
            "worker", TAG, command=["/app/bin/worker"], env={"X": "1"}, volumes={"vol": "/data"}
        )
        assert await podman.inspect("worker", "{{.Config.User}}") == "10001:10001"
        assert await podman.inspect("worker", "{{.HostConfig.ReadonlyRootfs}}") == "true"
        user = await podman.exec("worker", "/usr/bin/id", "-u")
        assert user.stdout == "10001\n"
        # The named volume starts with the image directory's owner, and is writable.
        touch = await podman.exec("worker", "/usr/bin/touch", "/data/x")
        assert touch.returncode == 0
        assert (await podman.exec("worker", "/usr/bin/touch", "/app/x")).returncode != 0
        # The wrapper is podman on the same store (for podman-compose).
        listed = await execute([str(podman.wrapper), "ps", "--format", "{{.Names}}"], podman.env)
        assert listed.stdout == "worker\n"
        # No HTTP server in the worker: the image's health check fails there.
        assert (await podman.healthcheck("worker")).returncode != 0
        assert await podman.stop("worker", 20) == 0
        assert "Traceback" not in await podman.logs("worker")
    assert not runroot.exists()


async def test_a_process_that_ignores_sigterm_is_killed(
    fixture_image: pathlib.Path, containers_conf: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    async with Podman.private(tmp_path, containers_conf) as podman:
        await podman.load(fixture_image, TAG)
        await podman.start(
            "stubborn", TAG, command=["/app/bin/worker"], env={"FIXTURE_IGNORE_SIGTERM": "1"}
        )
        await asyncio.sleep(2)
        assert await podman.stop("stubborn", 1) == 137


async def test_failures_raise_with_podmans_message(
    containers_conf: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    async with Podman.private(tmp_path, containers_conf) as podman:
        with pytest.raises(PodmanError, match="podman inspect --format failed"):
            await podman.inspect("missing", "{{.Id}}")
        with pytest.raises(PodmanError, match="give the layout's absolute path"):
            await podman.load(pathlib.Path("relative"), TAG)
        with pytest.raises(PodmanError, match="skopeo copy oci:"):
            await podman.load(tmp_path / "no-layout", TAG)
