"""deploy/compose.yaml, parsed into typed models and checked against the images Bazel builds.

PyYAML has no type information: its loader enters through one Protocol here and its
result is validated by pydantic (merge keys `<<:` are resolved by the loader; the
top-level `x-*` anchors are ignored). `problems` lists what the file gets wrong:

- every service runs an image that `//deploy:images` builds, and every such image is used;
- every service restarts when it exits (`restart: always` or `unless-stopped`), runs with
  a read-only root filesystem and no capabilities, and has a health check;
- every named volume a service mounts is declared;
- Redis keeps its data: append-only file on, in a named volume at /data.
"""

import pathlib
from collections.abc import Mapping
from typing import Protocol, TypeGuard

from pydantic import BaseModel, ConfigDict, Field

from platform_core.checked import module_attribute

RESTART_POLICIES = {"always", "unless-stopped"}


class _SafeLoad(Protocol):
    def __call__(self, stream: str) -> object: ...


def _is_safe_load(value: object) -> TypeGuard[_SafeLoad]:
    return callable(value)


_safe_load = module_attribute("yaml", "safe_load", _is_safe_load)


class Healthcheck(BaseModel):
    """A service's `healthcheck` (durations as compose writes them)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    test: list[str]
    interval: str | None = None
    timeout: str | None = None
    start_period: str | None = None
    retries: int | None = None


class Service(BaseModel):
    """One service: the fields the platform relies on (others are passed to the engine)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    image: str
    command: list[str] = []
    environment: dict[str, str] = {}
    volumes: list[str] = []
    ports: list[str] = []
    restart: str | None = None
    read_only: bool = False
    cap_drop: list[str] = []
    healthcheck: Healthcheck | None = None


class ComposeFile(BaseModel):
    """The whole file."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    services: dict[str, Service]
    volumes: dict[str, None] = Field(default={})


def parse(text: str) -> ComposeFile:
    """The compose file's content as models (pydantic's ValidationError if malformed)."""
    return ComposeFile.model_validate(_safe_load(text))


def load(path: pathlib.Path) -> ComposeFile:
    """Read and parse a compose file."""
    return parse(path.read_text(encoding="utf-8"))


def _service_problems(name: str, service: Service, declared: set[str]) -> list[str]:
    problems: list[str] = []
    if service.restart not in RESTART_POLICIES:
        problems.append(
            f"{name}: restart is {service.restart!r}, not one of {sorted(RESTART_POLICIES)}"
        )
    if not service.read_only:
        problems.append(f"{name}: the root filesystem is writable (read_only: true)")
    if service.cap_drop != ["ALL"]:
        problems.append(f"{name}: capabilities are not dropped (cap_drop: [ALL])")
    if service.healthcheck is None or not service.healthcheck.test:
        problems.append(f"{name}: no healthcheck")
    for volume in service.volumes:
        source = volume.partition(":")[0]
        if not source.startswith(("/", ".")) and source not in declared:
            problems.append(f"{name}: volume {source} is not declared under volumes")
    return problems


def _redis_problems(service: Service) -> list[str]:
    command = " ".join(service.command)
    problems: list[str] = []
    if "--appendonly yes" not in command:
        problems.append("redis: no persistence (--appendonly yes)")
    if not any(v.endswith(":/data") and not v.startswith("/") for v in service.volumes):
        problems.append("redis: its data is not in a named volume at /data")
    return problems


def problems(compose: ComposeFile, images: Mapping[str, str], redis: str = "redis") -> list[str]:
    """What the file gets wrong; `images`: tag -> layout of every image Bazel builds."""
    found: list[str] = []
    declared = set(compose.volumes)
    used = {service.image for service in compose.services.values()}
    for name, service in sorted(compose.services.items()):
        if service.image not in images:
            found.append(f"{name}: image {service.image} is not built by //deploy:images")
        found += _service_problems(name, service, declared)
    for tag in sorted(set(images) - used):
        found.append(f"image {tag} is built but no service runs it")
    if redis not in compose.services:
        found.append(f"no {redis} service")
    else:
        found += _redis_problems(compose.services[redis])
    return found


__all__ = ["ComposeFile", "Healthcheck", "Service", "load", "parse", "problems"]
