"""Reading an OCI image layout: its manifest, config and layers (for checks and tools).

    image = OciImage(pathlib.Path(".bazel/bin/services/qr-api/image"))
    image.digest                 # sha256:... of the manifest (what `podman images --digests` shows)
    image.config.config.user     # "10001:10001"
    for layer, member in image.members(): ...

JSON is parsed with pydantic models of the fields we read (others are ignored).
"""

import gzip
import pathlib
import tarfile
from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict, Field

_MODEL = ConfigDict(frozen=True, populate_by_name=True)


class Descriptor(BaseModel):
    """A content descriptor (index entries, manifest config and layers)."""

    model_config = _MODEL

    media_type: str = Field(alias="mediaType")
    digest: str
    size: int
    annotations: dict[str, str] = {}


class Index(BaseModel):
    """index.json."""

    model_config = _MODEL

    manifests: list[Descriptor]


class Manifest(BaseModel):
    """An image manifest."""

    model_config = _MODEL

    config: Descriptor
    layers: list[Descriptor]


class Healthcheck(BaseModel):
    """Docker's HEALTHCHECK in the config (durations in nanoseconds)."""

    model_config = _MODEL

    test: list[str] = Field(alias="Test")
    interval: int = Field(default=0, alias="Interval")
    timeout: int = Field(default=0, alias="Timeout")
    start_period: int = Field(default=0, alias="StartPeriod")
    retries: int = Field(default=0, alias="Retries")


class ContainerConfig(BaseModel):
    """The config's `config` object."""

    model_config = _MODEL

    user: str = Field(default="", alias="User")
    env: list[str] = Field(default=[], alias="Env")
    entrypoint: list[str] = Field(default=[], alias="Entrypoint")
    cmd: list[str] = Field(default=[], alias="Cmd")
    workdir: str = Field(default="", alias="WorkingDir")
    exposed_ports: dict[str, dict[str, str]] = Field(default={}, alias="ExposedPorts")
    volumes: dict[str, dict[str, str]] = Field(default={}, alias="Volumes")
    labels: dict[str, str] = Field(default={}, alias="Labels")
    stop_signal: str = Field(default="", alias="StopSignal")
    healthcheck: Healthcheck | None = Field(default=None, alias="Healthcheck")


class RootFs(BaseModel):
    """The config's `rootfs`."""

    model_config = _MODEL

    diff_ids: list[str]


class ImageConfig(BaseModel):
    """The image config blob."""

    model_config = _MODEL

    architecture: str
    os: str
    config: ContainerConfig
    rootfs: RootFs


class LayoutError(RuntimeError):
    """A directory that is not the single-image OCI layout our rules write."""


class OciImage:
    """One image in an OCI image layout directory."""

    def __init__(self, layout: pathlib.Path) -> None:
        self.layout = layout
        index = Index.model_validate_json(self._read("index.json"))
        if len(index.manifests) != 1:
            raise LayoutError(f"{layout}: {len(index.manifests)} manifests, expected one")
        self.manifest_descriptor = index.manifests[0]
        self.digest = self.manifest_descriptor.digest
        self.manifest = Manifest.model_validate_json(self.blob_bytes(self.digest))
        self.config = ImageConfig.model_validate_json(self.blob_bytes(self.manifest.config.digest))
        if len(self.config.rootfs.diff_ids) != len(self.manifest.layers):
            raise LayoutError(f"{layout}: config and manifest disagree on the layer count")

    def _read(self, name: str) -> bytes:
        path = self.layout / name
        if not path.is_file():
            raise LayoutError(f"{self.layout} is not an OCI image layout (no {name})")
        return path.read_bytes()

    def blob(self, digest: str) -> pathlib.Path:
        """The file of a blob."""
        algorithm, _, value = digest.partition(":")
        return self.layout / "blobs" / algorithm / value

    def blob_bytes(self, digest: str) -> bytes:
        """A blob's content."""
        return self._read(str(self.blob(digest).relative_to(self.layout)))

    def env(self) -> dict[str, str]:
        """The config's environment as a mapping."""
        pairs = (item.partition("=") for item in self.config.config.env)
        return {key: value for key, _, value in pairs}

    def members(self) -> Iterator[tuple[int, tarfile.TarInfo]]:
        """Every entry of every layer, bottom layer first, with its layer's index."""
        for position, layer in enumerate(self.manifest.layers):
            with (
                gzip.open(self.blob(layer.digest), "rb") as stream,
                tarfile.open(fileobj=stream, mode="r|") as tar,
            ):
                for member in tar:
                    yield position, member


__all__ = [
    "ContainerConfig",
    "Descriptor",
    "Healthcheck",
    "ImageConfig",
    "Index",
    "LayoutError",
    "Manifest",
    "OciImage",
]
