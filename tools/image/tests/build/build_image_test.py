"""build_image: an OCI layout whose layer blobs are hard links and whose JSON is canonical."""

import json
import pathlib
from collections.abc import Mapping

import pytest
from pydantic import JsonValue, TypeAdapter

from platform_image.build_image import main
from platform_image.build_layer import main as build_layer
from platform_image.oci_layout import OciImage
from platform_image.sizes import ImageReport

JSON = TypeAdapter(dict[str, JsonValue])

SETTINGS = {
    "image": "demo",
    "entrypoint": ["/usr/bin/tini", "--"],
    "cmd": ["/app/bin/server"],
    "env": {"PORT": "8000", "HOST": "0.0.0.0"},
    "user": "10001:10001",
    "workdir": "/app",
    "ports": ["8000/tcp"],
    "volumes": ["/data"],
    "labels": {"team": "platform"},
    "healthcheck": ["/usr/bin/python3", "-I", "/app/healthcheck.py"],
    "stop_signal": "SIGTERM",
}


def _layer(tmp: pathlib.Path, name: str, text: str) -> tuple[pathlib.Path, pathlib.Path]:
    source = tmp / f"{name}.txt"
    source.write_text(text)
    blob, descriptor = tmp / f"{name}.tar.gz", tmp / f"{name}.json"
    assert (
        build_layer(
            [
                f"--out={blob}",
                f"--descriptor={descriptor}",
                f"--listing={tmp / name}.listing",
                f"--file={name}.txt\t{source}",
            ]
        )
        == 0
    )
    return descriptor, blob


def _build(tmp: pathlib.Path, out: str, settings: Mapping[str, object], *layers: str) -> list[str]:
    path = tmp / f"{out}.settings.json"
    path.write_text(json.dumps(settings))
    return [
        f"--settings={path}",
        f"--out={tmp / out}",
        f"--digest={tmp / out}.digest",
        f"--report={tmp / out}.report.json",
        *[f"--layer={layer}" for layer in layers],
    ]


def test_the_layout_is_an_oci_image_of_the_layers(tmp_path: pathlib.Path) -> None:
    base = _layer(tmp_path, "base", "base")
    app = _layer(tmp_path, "app", "app")
    layers = [f"debian base\t{base[0]}\t{base[1]}\tshared", f"app of demo\t{app[0]}\t{app[1]}\town"]
    assert main(_build(tmp_path, "image", SETTINGS, *layers)) == 0
    image = OciImage(tmp_path / "image")
    assert (tmp_path / "image.digest").read_text() == image.digest + "\n"
    assert JSON.validate_json((tmp_path / "image" / "oci-layout").read_text()) == {
        "imageLayoutVersion": "1.0.0"
    }
    assert image.manifest_descriptor.annotations == {"org.opencontainers.image.ref.name": "latest"}
    config = image.config.config
    assert config.user == "10001:10001"
    assert config.env == ["HOST=0.0.0.0", "PORT=8000"]
    assert config.labels == {"org.opencontainers.image.title": "demo", "team": "platform"}
    assert config.exposed_ports == {"8000/tcp": {}}
    assert config.volumes == {"/data": {}}
    assert config.healthcheck is not None
    assert config.healthcheck.test == ["CMD", "/usr/bin/python3", "-I", "/app/healthcheck.py"]
    assert (config.healthcheck.interval, config.healthcheck.retries) == (10_000_000_000, 3)
    assert image.config.architecture == "amd64"
    assert len(image.manifest.layers) == 2
    # The layer blobs are the layer outputs themselves (hard links), not copies.
    blob = image.blob(image.manifest.layers[0].digest)
    assert blob.stat().st_ino == base[1].stat().st_ino
    # Canonical JSON: sorted keys, no spaces.
    raw = image.blob_bytes(image.digest)
    assert (
        raw == json.dumps(JSON.validate_json(raw), sort_keys=True, separators=(",", ":")).encode()
    )
    report = ImageReport.model_validate_json((tmp_path / "image.report.json").read_text())
    assert report.digest == image.digest
    assert [layer.shared for layer in report.layers] == [True, False]
    assert report.own_size == image.manifest.layers[1].size
    assert report.size == sum(layer.size for layer in image.manifest.layers)


def test_the_same_inputs_give_the_same_digest(tmp_path: pathlib.Path) -> None:
    base = _layer(tmp_path, "base", "base")
    layer = f"base\t{base[0]}\t{base[1]}\tshared"
    no_health = {**SETTINGS, "healthcheck": []}
    assert main(_build(tmp_path, "a", no_health, layer, layer)) == 0
    assert main(_build(tmp_path, "b", no_health, layer, layer)) == 0
    assert main(_build(tmp_path, "c", {**no_health, "cmd": ["/app/bin/worker"]}, layer)) == 0
    a, b, c = (OciImage(tmp_path / n) for n in "abc")
    assert a.digest == b.digest != c.digest
    assert a.config.config.healthcheck is None


@pytest.mark.parametrize(
    ("problem", "message"),
    [
        ("kind", "want NAME, DESCRIPTOR, BLOB, shared|own"),
        ("size", "size differs from its descriptor"),
        ("settings", "validation error"),
        ("descriptor", "No such file"),
    ],
)
def test_bad_inputs_fail(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], problem: str, message: str
) -> None:
    descriptor, blob = _layer(tmp_path, "base", "base")
    settings: dict[str, object] = dict(SETTINGS)
    layer = f"base\t{descriptor}\t{blob}\tshared"
    if problem == "kind":
        layer = f"base\t{descriptor}\t{blob}\tmine"
    elif problem == "size":
        layer = f"base\t{descriptor}\t{tmp_path / 'base.txt'}\tshared"
    elif problem == "settings":
        settings["unknown"] = True
    else:
        layer = f"base\t{tmp_path / 'missing.json'}\t{blob}\tshared"
    assert main(_build(tmp_path, "image", settings, layer)) == 1
    assert message in capsys.readouterr().err
