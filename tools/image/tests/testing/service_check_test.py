"""service_check runs an image's binaries and reports what fails, with the logs."""

import pathlib

import pytest

from platform_image.podman import Podman
from platform_image.service_check import Limits, ServiceRun, main, parse_env, run_check


def _args(image: pathlib.Path, conf: pathlib.Path, tmp: pathlib.Path, *more: str) -> list[str]:
    return [
        f"--image={image}",
        "--name=fixture",
        "--binary=server",
        "--binary=worker",
        "--volume=/data",
        f"--conf={conf}",
        f"--workdir={tmp}",
        *more,
    ]


def test_a_good_image_passes(
    fixture_image: pathlib.Path,
    containers_conf: pathlib.Path,
    tmp_path: pathlib.Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(_args(fixture_image, containers_conf, tmp_path, "--env=LOG_LEVEL=DEBUG")) == 0
    assert capsys.readouterr().out == (
        "ok fixture: healthz, readyz, health check, user 10001, SIGTERM\n"
    )


def test_a_service_that_never_gets_ready_fails_with_its_logs(
    fixture_image: pathlib.Path,
    containers_conf: pathlib.Path,
    tmp_path: pathlib.Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = _args(fixture_image, containers_conf, tmp_path, "--env=FIXTURE_READY=false")
    assert main([*args, "--ready-timeout=3"]) == 1
    out = capsys.readouterr().out
    assert "FAIL GET /readyz did not answer 200 within 3.0 s: " in out
    assert "status 503" in out
    assert "--- fixture-server ---" in out


async def test_every_later_check_reports_its_problem(
    fixture_image: pathlib.Path, containers_conf: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    async with Podman.private(tmp_path, containers_conf) as podman:
        problems = await run_check(
            podman,
            layout=fixture_image,
            name="fixture",
            binaries=["server", "worker"],
            env={"FIXTURE_IGNORE_SIGTERM": "1"},
            volumes=[],
            limits=Limits(ready_timeout_s=60, stop_timeout_s=1),
        )
        assert problems[0] == "fixture-worker exited 137 on SIGTERM, expected 0"
        assert "--- fixture-worker ---" in problems[-1]
        run = ServiceRun(podman, "other", "localhost/platform/fixture:test")
        await run.start("worker", {}, [])
        assert await run.user_problems("0") == ["other-worker runs as uid '10001', expected 0"]
        problem = await run.health_problem("other-worker")
        assert problem is not None
        assert problem.startswith("other-worker: the image's health check failed: ")


def test_arguments_are_checked(
    fixture_image: pathlib.Path, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main([f"--image={fixture_image}", "--name=x", "--binary=worker"])
    assert "needs a server binary" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([f"--image={fixture_image}", "--name=x", "--binary=server", "--env=X"])
    assert "--env 'X': expected KEY=VALUE" in capsys.readouterr().err
    assert parse_env(["A=1", "B=x=y"]) == {"A": "1", "B": "x=y"}
    del tmp_path
