"""`/v1/read`: one image to a digit, in the original's order of checks.

`check_form` runs on the event loop (the form's shape: 400; the part's media type: 415;
its size: 413). `read_digit` is the blocking part, run in a thread: decode (400
`invalid_image`; a pixel count over the limit 413, checked from the header before the
pixels are decoded), dimensions (400 `bad_dimensions`), preprocessing (400
`preprocessing_failed`), inference. `stopped()` is asked between the stages, so a request
that timed out stops at the next one.
"""

import base64
import io
import time
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from handwriting_ai.errors import (
    DigitsErrorCode,
    PredictTimeoutError,
    ReadInputError,
    TooLargeError,
    UnsupportedMediaError,
    invalid_image,
    malformed,
    preprocessing_failed,
)
from handwriting_ai.forms import Part
from handwriting_ai.inference import predict
from handwriting_ai.preprocess import Options, PreprocessError, preprocess_image
from handwriting_ai.store import LoadedModel

IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/jpg"})
OPTION_FIELDS = frozenset({"invert", "center", "visualize"})
TRUE_WORDS = frozenset({"1", "true", "yes", "y", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "n", "off"})


@dataclass(frozen=True, slots=True)
class ReadLimits:
    """The limits of one read."""

    max_bytes: int
    max_side_px: int
    max_pixels: int
    visualize_max_kb: int
    uncertain_threshold: float
    tta: bool


@dataclass(frozen=True, slots=True)
class ReadResult:
    """What `/v1/read` answers."""

    digit: int
    confidence: float
    probs: list[float]
    model_id: str
    visual_png_b64: str | None
    uncertain: bool
    latency_ms: int


def _flag(name: str, text: str) -> bool:
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise malformed(f"{name} must be a boolean")


def check_form(parts: list[Part], query: Options, limits: ReadLimits) -> tuple[bytes, Options]:
    """The image bytes and the options (form fields override the query's)."""
    files = [part for part in parts if part.name == "file"]
    fields = {part.name: part.text for part in parts if part.name in OPTION_FIELDS}
    if any(part.name != "file" and part.name not in OPTION_FIELDS for part in parts):
        raise malformed("Unexpected form field")
    if len(files) > 1:
        raise malformed("Multiple file parts not allowed")
    if not files:
        raise malformed("file is required")
    if (files[0].content_type or "") not in IMAGE_TYPES:
        raise UnsupportedMediaError()
    if len(files[0].data) > limits.max_bytes:
        raise TooLargeError("File exceeds size limit")
    invert = query.invert
    if "invert" in fields:
        invert = (
            None
            if fields["invert"].strip().lower() in ("", "auto", "null")
            else _flag("invert", fields["invert"])
        )
    options = Options(
        invert=invert,
        center=_flag("center", fields["center"]) if "center" in fields else query.center,
        visualize=(
            _flag("visualize", fields["visualize"]) if "visualize" in fields else query.visualize
        ),
    )
    return bytes(files[0].data), options


def decode(data: bytes, limits: ReadLimits) -> Image.Image:
    """The decoded image (pixels loaded), after the size and dimension checks."""
    try:
        image = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise invalid_image() from exc
    width, height = image.size
    if width * height > limits.max_pixels:
        raise TooLargeError("Decompression bomb triggered")
    if max(width, height) > limits.max_side_px:
        raise ReadInputError(
            DigitsErrorCode.BAD_DIMENSIONS,
            f"Image dimensions {width}x{height} exceed {limits.max_side_px} px",
        )
    try:
        image.load()
    except (OSError, ValueError, SyntaxError) as exc:
        raise invalid_image() from exc
    return image


def read_digit(
    data: bytes,
    options: Options,
    model: LoadedModel,
    limits: ReadLimits,
    stopped: Callable[[], bool],
) -> ReadResult:
    """Decode, preprocess and classify (blocking)."""
    started = time.perf_counter()
    image = decode(data, limits)
    try:
        prepared = preprocess_image(image, options)
    except PreprocessError as exc:
        raise preprocessing_failed(str(exc)) from exc
    if stopped():
        raise PredictTimeoutError()
    prediction = predict(model.network, prepared.tensor, tta=limits.tta)
    visual = prepared.visual_png
    if visual is not None and len(visual) > limits.visualize_max_kb * 1024:
        visual = None
    return ReadResult(
        digit=prediction.digit,
        confidence=prediction.confidence,
        probs=prediction.probs,
        model_id=model.model_id,
        visual_png_b64=None if visual is None else base64.b64encode(visual).decode("ascii"),
        uncertain=prediction.confidence < limits.uncertain_threshold,
        latency_ms=round((time.perf_counter() - started) * 1000),
    )
