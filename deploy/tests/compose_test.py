"""compose.yaml agrees with the images Bazel builds and with the platform's rules."""

import pathlib

import pytest
from pydantic import ValidationError

from platform_deploy.compose import load, parse, problems

GOOD = """
x-service: &service
  restart: unless-stopped
  read_only: true
  cap_drop: [ALL]
services:
  redis:
    <<: *service
    image: localhost/platform/redis:latest
    command: [redis-server, --appendonly, "yes"]
    volumes: [redis-data:/data]
    healthcheck: {test: [CMD, redis-cli, ping]}
  api:
    <<: *service
    image: localhost/platform/api:latest
    volumes: [api-data:/data, /srv/host:/host]
    healthcheck: {test: [CMD, probe], interval: 10s, retries: 3}
volumes:
  redis-data:
  api-data:
"""
IMAGES = {"localhost/platform/redis:latest": "r", "localhost/platform/api:latest": "a"}


def test_the_platform_compose_file_has_no_problem(
    compose_file: pathlib.Path, images: dict[str, pathlib.Path]
) -> None:
    compose = load(compose_file)
    assert problems(compose, {tag: str(path) for tag, path in images.items()}) == []
    # Every server and worker of the platform is there.
    assert {"redis", "data-bank-api", "data-bank-worker", "qr-api"} <= set(compose.services)
    assert compose.services["data-bank-worker"].command == ["/app/bin/worker"]


def test_a_file_that_follows_the_rules_passes() -> None:
    assert problems(parse(GOOD), IMAGES) == []


def test_images_must_match_what_bazel_builds() -> None:
    found = problems(parse(GOOD), {"localhost/platform/redis:latest": "r", "other:1": "o"})
    assert found == [
        "api: image localhost/platform/api:latest is not built by //deploy:images",
        "image other:1 is built but no service runs it",
    ]


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (
            "restart: unless-stopped",
            "api: restart is None, not one of ['always', 'unless-stopped']",
        ),
        ("read_only: true", "api: the root filesystem is writable (read_only: true)"),
        ("cap_drop: [ALL]", "api: capabilities are not dropped (cap_drop: [ALL])"),
    ],
)
def test_hardening_and_restart_are_required(edit: str, problem: str) -> None:
    text = GOOD.replace(f"  {edit}\n", "", 1)
    assert problem in problems(parse(text), IMAGES)


def test_health_checks_and_declared_volumes_are_required() -> None:
    text = GOOD.replace("    healthcheck: {test: [CMD, probe], interval: 10s, retries: 3}\n", "")
    text = text.replace("  api-data:\n", "")
    assert problems(parse(text), IMAGES) == [
        "api: no healthcheck",
        "api: volume api-data is not declared under volumes",
    ]


def test_redis_must_persist_in_a_named_volume() -> None:
    text = GOOD.replace('--appendonly, "yes"', "--save, '60 1'").replace(
        "redis-data:/data", "/srv/redis:/data"
    )
    assert problems(parse(text), IMAGES) == [
        "redis: no persistence (--appendonly yes)",
        "redis: its data is not in a named volume at /data",
    ]


def test_redis_must_be_there() -> None:
    assert "no cache service" in problems(parse(GOOD), IMAGES, redis="cache")


def test_a_malformed_file_is_refused() -> None:
    with pytest.raises(ValidationError):
        parse("services:\n  api: {command: [x]}\n")
