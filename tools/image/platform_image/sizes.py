"""Image sizes, with every shared layer counted once: `bazel run //deploy:image_sizes`.

    sizes REPORT.json [REPORT.json ...]

Reads the reports oci_image writes beside each image (`<image>.report.json`) and prints
one JSON object: per image its compressed size (what a registry stores and a pull
downloads) and its own share (the layers no other image has); every layer shared by
two or more images, with who uses it; and the platform's total with each distinct layer
counted once, beside the sum a per-image count would give.
"""

import json
import pathlib
import sys

from pydantic import BaseModel, ConfigDict


class LayerReport(BaseModel):
    """One layer of an image report."""

    model_config = ConfigDict(frozen=True)

    name: str
    digest: str
    size: int
    uncompressed_size: int
    shared: bool


class ImageReport(BaseModel):
    """An image report (tools/image/platform_image/build_image.py)."""

    model_config = ConfigDict(frozen=True)

    image: str
    digest: str
    layers: list[LayerReport]
    size: int
    own_size: int


def summary(reports: list[ImageReport]) -> dict[str, object]:
    """The figures printed."""
    users: dict[str, list[str]] = {}
    layers: dict[str, LayerReport] = {}
    for report in reports:
        for layer in report.layers:
            users.setdefault(layer.digest, []).append(report.image)
            layers[layer.digest] = layer
    unique = {digest: users[digest] for digest in users if len(users[digest]) == 1}
    return {
        "images": [
            {
                "image": report.image,
                "digest": report.digest,
                "size_bytes": report.size,
                "uncompressed_bytes": sum(layer.uncompressed_size for layer in report.layers),
                "unique_bytes": sum(
                    layer.size for layer in report.layers if layer.digest in unique
                ),
            }
            for report in reports
        ],
        "shared_layers": [
            {"name": layers[d].name, "digest": d, "size_bytes": layers[d].size, "used_by": users[d]}
            for d in sorted(users)
            if len(users[d]) > 1
        ],
        "platform_bytes": sum(layer.size for layer in layers.values()),
        "sum_of_images_bytes": sum(report.size for report in reports),
    }


def main(argv: list[str]) -> int:
    """Print the summary of the given reports."""
    if not argv:
        sys.stderr.write("sizes: give the image reports (<image>.report.json)\n")
        return 2
    reports = [ImageReport.model_validate_json(pathlib.Path(p).read_bytes()) for p in argv]
    sys.stdout.write(json.dumps(summary(reports), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
