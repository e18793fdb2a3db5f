"""publish: skopeo copies a layout into podman or docker, or to any destination."""

import json
import pathlib

import pytest

from platform_image.build_image import main as build_image
from platform_image.build_layer import main as build_layer
from platform_image.publish import load_command, main, pick_engine, push_command, run_command


class _Runs:
    """Records commands instead of running them (what docker would need a daemon for)."""

    def __init__(self, status: int = 0) -> None:
        self.commands: list[list[str]] = []
        self.status = status

    def __call__(self, command: list[str]) -> int:
        self.commands.append(command)
        return self.status


def _only(*installed: str) -> "_Which":
    return _Which(set(installed))


class _Which:
    def __init__(self, installed: set[str]) -> None:
        self.installed = installed

    def __call__(self, name: str) -> str | None:
        return f"/usr/bin/{name}" if name in self.installed else None


def test_podman_first_then_docker_unless_told() -> None:
    assert pick_engine(None, _only("podman", "docker")) == "podman"
    assert pick_engine(None, _only("docker")) == "docker"
    assert pick_engine(None, _only()) is None
    assert pick_engine("docker", _only("podman")) == "docker"


def test_commands(tmp_path: pathlib.Path) -> None:
    source = f"oci:{tmp_path.resolve()}:latest"
    assert load_command(tmp_path, "x:1", "podman") == [
        "skopeo",
        "copy",
        "--quiet",
        "--format",
        "v2s2",
        source,
        "containers-storage:x:1",
    ]
    assert load_command(tmp_path, "x:1", "podman", "[overlay@/a+/b]")[-1] == (
        "containers-storage:[overlay@/a+/b]x:1"
    )
    assert load_command(tmp_path, "x:1", "docker")[-1] == "docker-daemon:x:1"
    assert push_command(tmp_path, "docker://r/x:1", ["--dest-creds", "u:p"]) == [
        "skopeo",
        "copy",
        "--dest-creds",
        "u:p",
        source,
        "docker://r/x:1",
    ]


def test_load_copies_each_image(capsys: pytest.CaptureFixture[str]) -> None:
    runs = _Runs()
    assert main(["load", "a=x:1", "b=y:2"], runs, _only("docker")) == 0
    assert [c[-1] for c in runs.commands] == ["docker-daemon:x:1", "docker-daemon:y:2"]
    assert capsys.readouterr().out == "loaded x:1 into docker\nloaded y:2 into docker\n"


def test_load_stops_at_the_first_failure() -> None:
    runs = _Runs(status=3)
    assert main(["load", "--engine", "podman", "a=x:1", "b=y:2"], runs, _only()) == 3
    assert len(runs.commands) == 1


def test_load_needs_an_engine(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["load", "a=x:1"], _Runs(), _only()) == 2
    assert "neither podman nor docker is installed" in capsys.readouterr().err


def test_load_needs_layout_equals_tag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["load", "a"], _Runs(), _only("podman"))
    assert "expected LAYOUT=TAG" in capsys.readouterr().err


def test_push_needs_a_destination(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["push", "a"], _Runs(), _only())
    assert "required: destination" in capsys.readouterr().err
    failing = _Runs(status=1)
    assert main(["push", "a", "docker://r/x:1"], failing, _only()) == 1


def test_push_copies_the_image_as_built(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "f").write_text("f")
    layer = [
        f"--out={tmp_path}/l.tar.gz",
        f"--descriptor={tmp_path}/l.json",
        f"--listing={tmp_path}/l.lst",
    ]
    assert build_layer([*layer, f"--file=f\t{tmp_path / 'f'}"]) == 0
    settings = {
        "image": "x",
        "entrypoint": [],
        "cmd": ["/f"],
        "env": {},
        "user": "1",
        "workdir": "/",
        "ports": [],
        "volumes": [],
        "labels": {},
        "healthcheck": [],
        "stop_signal": "SIGTERM",
    }
    (tmp_path / "s.json").write_text(json.dumps(settings))
    image = tmp_path / "image"
    built = [
        f"--settings={tmp_path}/s.json",
        f"--out={image}",
        f"--digest={tmp_path}/d",
        f"--report={tmp_path}/r",
        f"--layer=l\t{tmp_path}/l.json\t{tmp_path}/l.tar.gz\town",
    ]
    assert build_image(built) == 0
    # Real skopeo, to a directory: the manifest arrives unchanged, so does its digest.
    target = tmp_path / "pushed"
    assert main(["push", str(image), f"dir:{target}"]) == 0
    assert capsys.readouterr().out == f"pushed {image} to dir:{target}\n"
    digest = (tmp_path / "d").read_text().strip().removeprefix("sha256:")
    manifest = (image / "blobs" / "sha256" / digest).read_bytes()
    assert (target / "manifest.json").read_bytes() == manifest
    assert run_command(["false"]) == 1
