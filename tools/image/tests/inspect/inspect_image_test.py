"""The static image checks find what breaks the rules, and pass an image that follows them."""

import json
import pathlib

import pytest

from platform_image.build_image import main as build_image
from platform_image.build_layer import main as build_layer
from platform_image.inspect_image import (
    config_problems,
    content_problems,
    main,
    reproducibility_problems,
)
from platform_image.oci_layout import Index, LayoutError, Manifest, OciImage

STUB = "/app/platform.runfiles/platform/svc/server"
GOOD = {
    "image": "svc",
    "entrypoint": ["/usr/bin/tini", "--"],
    "cmd": ["/app/bin/server"],
    "env": {"PORT": "8000"},
    "user": "10001:10001",
    "workdir": "/app",
    "ports": [],
    "volumes": ["/data"],
    "labels": {},
    "healthcheck": ["probe"],
    "stop_signal": "SIGTERM",
}


def _image(
    tmp: pathlib.Path,
    name: str,
    settings: dict[str, object] | None = None,
    entries: list[str] | None = None,
) -> pathlib.Path:
    """An image with one layer: the server stub, its /app/bin link, /data, and `entries`."""
    root = tmp / f"{name}.src"
    root.mkdir()
    (root / "stub").write_text("stub")
    layer = [
        f"--file={STUB}\t{root / 'stub'}",
        f"--symlink=app/bin/server\t{STUB}",
        "--dir=data\t0755\t10001\t10001",
        *(entries or []),
    ]
    assert (
        build_layer(
            [
                f"--out={root / 'l.tar.gz'}",
                f"--descriptor={root / 'l.json'}",
                f"--listing={root / 'l.listing'}",
                *layer,
            ]
        )
        == 0
    )
    (root / "settings.json").write_text(json.dumps(settings or GOOD))
    out = tmp / name
    assert (
        build_image(
            [
                f"--settings={root / 'settings.json'}",
                f"--out={out}",
                f"--digest={root / 'digest'}",
                f"--report={root / 'report.json'}",
                f"--layer=app\t{root / 'l.json'}\t{root / 'l.tar.gz'}\town",
            ]
        )
        == 0
    )
    return out


def test_a_good_image_and_its_rebuild_pass(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    image = _image(tmp_path, "a")
    rebuild = _image(tmp_path, "b")
    args = [f"--image={image}", f"--rebuild={rebuild}", "--binary=server", "--volume=/data"]
    assert main(args) == 0
    assert capsys.readouterr().out.startswith(f"ok {image}: sha256:")
    assert OciImage(image).env() == {"PORT": "8000"}


def test_different_builds_name_what_differs(tmp_path: pathlib.Path) -> None:
    a = OciImage(_image(tmp_path, "a"))
    b = OciImage(_image(tmp_path, "b", entries=["--symlink=extra\t/x"]))
    problems = reproducibility_problems(a, b)
    assert problems[0] == f"digest {a.digest} of {a.layout} != {b.digest} of {b.layout}"
    assert problems[1].startswith("layer 0 differs: ")
    assert problems[2:] == ["the configs differ"]
    c = OciImage(_image(tmp_path, "c", {**GOOD, "cmd": ["/app/bin/worker"]}))
    assert reproducibility_problems(a, c)[1:] == ["the configs differ"]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"user": "0"}, "runs as root (User '0')"),
        ({"user": "10002"}, "User is '10002', expected '10001:10001'"),
        (
            {"entrypoint": []},
            "Entrypoint is [], expected ['/usr/bin/tini', '--'] (signals, zombies)",
        ),
        ({"healthcheck": []}, "no Healthcheck"),
        ({"stop_signal": "SIGKILL"}, "StopSignal is 'SIGKILL', expected SIGTERM"),
        ({"cmd": ["/bin/sh"]}, "Cmd ['/bin/sh'] is none of ['/app/bin/server']"),
        ({"cmd": []}, "Cmd [] is none of ['/app/bin/server']"),
    ],
)
def test_config_problems(tmp_path: pathlib.Path, change: dict[str, object], problem: str) -> None:
    image = OciImage(_image(tmp_path, "a", {**GOOD, **change}))
    assert config_problems(image, "10001:10001", ["server"]) == [problem]


def test_an_image_without_binaries_may_run_any_command(tmp_path: pathlib.Path) -> None:
    image = OciImage(_image(tmp_path, "a", {**GOOD, "cmd": ["/usr/bin/redis-server"]}))
    assert config_problems(image, "10001:10001", []) == []


def test_content_problems(tmp_path: pathlib.Path) -> None:
    tools = tmp_path / "t"
    tools.write_text("x")
    entries = [
        f"--file=usr/bin/gcc-12\t{tools}",
        f"--file=usr/bin/x86_64-linux-gnu-ld\t{tools}",
        f"--file=usr/bin/bazel\t{tools}",
        f"--file=app/platform.runfiles/platform/svc/tests/a_test.py\t{tools}",
        f"--file=app/platform.runfiles/pypi/pytest/site/pytest.py\t{tools}",
        "--symlink=app/bin/worker\t/nowhere",
        "--dir=logs\t0755\t0\t0",
    ]
    image = OciImage(_image(tmp_path, "a", entries=entries))
    problems = content_problems(
        image, "10001:10001", ["server", "worker", "cli"], ["/data", "/logs", "/x"]
    )
    assert problems == [
        "layer 0 holds app/platform.runfiles/platform/svc/tests",
        "layer 0 holds app/platform.runfiles/pypi/pytest",
        "layer 0 holds usr/bin/bazel",
        "layer 0 holds usr/bin/gcc-12",
        "layer 0 holds usr/bin/x86_64-linux-gnu-ld",
        "/app/bin/worker points at /nowhere, which is no file",
        "/app/bin/cli is not a symbolic link",
        "volume /logs is owned by 0:0, not 10001:10001",
        "volume /x is not a directory in the image",
    ]


def test_main_lists_problems(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    image = _image(tmp_path, "a", {**GOOD, "user": "root"})
    assert main([f"--image={image}", f"--rebuild={image}", "--binary=server"]) == 1
    assert "FAIL runs as root (User 'root')" in capsys.readouterr().out
    assert main([f"--image={tmp_path}", f"--rebuild={image}"]) == 1
    assert "FAIL cannot read the image: " in capsys.readouterr().out


def test_only_single_image_layouts_are_read(tmp_path: pathlib.Path) -> None:
    image = _image(tmp_path, "a")
    with pytest.raises(LayoutError, match="not an OCI image layout"):
        OciImage(tmp_path)
    index = Index.model_validate_json((image / "index.json").read_text())
    twice = Index(manifests=[*index.manifests, *index.manifests])
    (image / "index.json").write_text(twice.model_dump_json(by_alias=True))
    with pytest.raises(LayoutError, match="2 manifests, expected one"):
        OciImage(image)


def test_config_and_manifest_must_agree(tmp_path: pathlib.Path) -> None:
    image = OciImage(_image(tmp_path, "a"))
    manifest = Manifest(config=image.manifest.config, layers=image.manifest.layers * 2)
    image.blob(image.digest).write_text(manifest.model_dump_json(by_alias=True))
    with pytest.raises(LayoutError, match="disagree on the layer count"):
        OciImage(image.layout)
