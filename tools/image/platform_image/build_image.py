"""Writes an OCI image layout from layer blobs: the build action behind oci_image.

    build_image --settings S.json --out DIR --digest D --report R \\
        --layer NAME<TAB>DESCRIPTOR<TAB>BLOB<TAB>shared|own ...

The layout is `DIR/oci-layout`, `DIR/index.json` (one manifest, ref name `latest`) and
`DIR/blobs/sha256/`: the config and manifest are written there, the layer blobs are
hard links to the layer outputs (never copies). JSON is written with sorted keys and
no spaces, and the config's dates are the epoch, so the manifest digest depends only
on the layers and settings. The report lists each layer's sizes and whether it is
shared with other images (the Debian and shared third-party layers) or the image's own.
"""

import argparse
import dataclasses
import hashlib
import json
import os
import pathlib
import sys

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from platform_image.tarball import LayerDigest

Json = dict[str, "Json"] | list["Json"] | str | int | bool | None

EPOCH = "1970-01-01T00:00:00Z"
REF_NAME = "latest"
MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json"
INDEX_TYPE = "application/vnd.oci.image.index.v1+json"
CONFIG_TYPE = "application/vnd.oci.image.config.v1+json"
LAYER_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip"
SECOND_NS = 1_000_000_000
HEALTH_INTERVAL_S = 10
HEALTH_TIMEOUT_S = 5
HEALTH_START_PERIOD_S = 30
HEALTH_RETRIES = 3

_DIGEST = TypeAdapter(LayerDigest)


class ImageError(RuntimeError):
    """Inputs that do not make an image."""


class Settings(BaseModel):
    """What oci_image passes about the container (tools/image/image.bzl)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    image: str
    entrypoint: list[str]
    cmd: list[str]
    env: dict[str, str]
    user: str
    workdir: str
    ports: list[str]
    volumes: list[str]
    labels: dict[str, str]
    healthcheck: list[str]
    stop_signal: str


@dataclasses.dataclass(frozen=True)
class Layer:
    """One layer of the image, bottom first."""

    name: str
    digest: LayerDigest
    blob: pathlib.Path
    shared: bool


def parse_layer(value: str) -> Layer:
    """A `--layer` argument, with its descriptor read."""
    fields = value.split("\t")
    if len(fields) != 4 or fields[3] not in {"shared", "own"}:
        raise ImageError(f"--layer {value!r}: want NAME, DESCRIPTOR, BLOB, shared|own")
    name, descriptor, blob, kind = fields
    digest = _DIGEST.validate_json(pathlib.Path(descriptor).read_bytes())
    return Layer(name, digest, pathlib.Path(blob), kind == "shared")


def canonical(value: Json) -> bytes:
    """JSON as every image blob is written: sorted keys, no whitespace."""
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


def container_config(settings: Settings) -> dict[str, Json]:
    """The config's `config` object (OCI fields, plus Docker's Healthcheck)."""
    config: dict[str, Json] = {
        "User": settings.user,
        "Env": [f"{k}={v}" for k, v in sorted(settings.env.items())],
        "Entrypoint": list[Json](settings.entrypoint),
        "Cmd": list[Json](settings.cmd),
        "WorkingDir": settings.workdir,
        "ExposedPorts": {port: {} for port in settings.ports},
        "Volumes": {volume: {} for volume in settings.volumes},
        "Labels": {"org.opencontainers.image.title": settings.image, **settings.labels},
        "StopSignal": settings.stop_signal,
    }
    if settings.healthcheck:
        config["Healthcheck"] = {
            "Test": ["CMD", *settings.healthcheck],
            "Interval": HEALTH_INTERVAL_S * SECOND_NS,
            "Timeout": HEALTH_TIMEOUT_S * SECOND_NS,
            "StartPeriod": HEALTH_START_PERIOD_S * SECOND_NS,
            "Retries": HEALTH_RETRIES,
        }
    return config


def image_config(settings: Settings, layers: list[Layer]) -> dict[str, Json]:
    """The whole image config."""
    return {
        "architecture": "amd64",
        "os": "linux",
        "created": EPOCH,
        "config": container_config(settings),
        "rootfs": {"type": "layers", "diff_ids": [layer.digest.diff_id for layer in layers]},
        "history": [{"created": EPOCH, "created_by": layer.name} for layer in layers],
    }


def _descriptor(media_type: str, data: bytes) -> dict[str, Json]:
    return {"mediaType": media_type, "digest": sha256(data), "size": len(data)}


def sha256(data: bytes) -> str:
    """`sha256:<hex>` of bytes."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


class Layout:
    """An OCI image layout directory being written."""

    def __init__(self, root: pathlib.Path) -> None:
        self.root = root
        self.blobs = root / "blobs" / "sha256"
        self.blobs.mkdir(parents=True, exist_ok=True)

    def put(self, data: bytes) -> None:
        """A blob written from bytes."""
        (self.blobs / sha256(data).removeprefix("sha256:")).write_bytes(data)

    def link(self, layer: Layer) -> None:
        """A layer blob, hard-linked from its build output."""
        if layer.blob.stat().st_size != layer.digest.size:
            raise ImageError(f"{layer.blob}: size differs from its descriptor")
        target = self.blobs / layer.digest.digest.removeprefix("sha256:")
        if not target.exists():
            os.link(layer.blob.resolve(), target)

    def finish(self, manifest: bytes) -> None:
        """index.json naming the manifest, and the oci-layout marker."""
        index: dict[str, Json] = {
            "schemaVersion": 2,
            "mediaType": INDEX_TYPE,
            "manifests": [
                {
                    **_descriptor(MANIFEST_TYPE, manifest),
                    "annotations": {"org.opencontainers.image.ref.name": REF_NAME},
                }
            ],
        }
        (self.root / "index.json").write_bytes(canonical(index))
        (self.root / "oci-layout").write_bytes(canonical({"imageLayoutVersion": "1.0.0"}))


def write_image(settings: Settings, layers: list[Layer], out: pathlib.Path) -> tuple[str, Json]:
    """Write the layout; the manifest digest and the size report."""
    layout = Layout(out)
    config = canonical(image_config(settings, layers))
    layout.put(config)
    for layer in layers:
        layout.link(layer)
    manifest = canonical(
        {
            "schemaVersion": 2,
            "mediaType": MANIFEST_TYPE,
            "config": _descriptor(CONFIG_TYPE, config),
            "layers": [
                {"mediaType": LAYER_TYPE, "digest": layer.digest.digest, "size": layer.digest.size}
                for layer in layers
            ],
        }
    )
    layout.put(manifest)
    layout.finish(manifest)
    digest = sha256(manifest)
    report: Json = {
        "image": settings.image,
        "digest": digest,
        "layers": [
            {
                "name": layer.name,
                "digest": layer.digest.digest,
                "size": layer.digest.size,
                "uncompressed_size": layer.digest.uncompressed_size,
                "shared": layer.shared,
            }
            for layer in layers
        ],
        "size": sum(layer.digest.size for layer in layers),
        "own_size": sum(layer.digest.size for layer in layers if not layer.shared),
    }
    return digest, report


class Args(argparse.Namespace):
    """The command line, typed."""

    settings: pathlib.Path
    out: pathlib.Path
    digest: pathlib.Path
    report: pathlib.Path
    layer: list[str]


def main(argv: list[str]) -> int:
    """Write the image layout, its digest file and its report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--settings", type=pathlib.Path, required=True)
    parser.add_argument("--out", type=pathlib.Path, required=True)
    parser.add_argument("--digest", type=pathlib.Path, required=True)
    parser.add_argument("--report", type=pathlib.Path, required=True)
    parser.add_argument("--layer", action="append", default=list[str]())
    ns = parser.parse_args(argv, namespace=Args())
    try:
        settings = Settings.model_validate_json(ns.settings.read_bytes())
        layers = [parse_layer(value) for value in ns.layer]
        digest, report = write_image(settings, layers, ns.out)
    except (ImageError, OSError, ValidationError) as exc:
        sys.stderr.write(f"build_image: {exc}\n")
        return 1
    ns.digest.write_text(digest + "\n", encoding="utf-8")
    ns.report.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
