"""Digits drawn with PIL for the tests (a '1' as a stroke, a '0' as an ellipse, a '7' as
two strokes), in either polarity, any PIL mode, PNG or JPEG."""

import io

from PIL import Image, ImageDraw


def draw_digit(
    digit: str = "1",
    *,
    size: int = 96,
    image_format: str = "PNG",
    dark_background: bool = False,
    mode: str = "L",
) -> bytes:
    """A digit drawn with lines (a '1' as a stroke, a '0' as an ellipse, a '7' as two
    strokes), encoded as PNG or JPEG."""
    ink, paper = (255, 0) if dark_background else (0, 255)
    image = Image.new("L", (size, size), paper)
    pen = ImageDraw.Draw(image)
    width = max(2, size // 12)
    s = size
    if digit == "0":
        pen.ellipse((s * 0.3, s * 0.15, s * 0.7, s * 0.85), outline=ink, width=width)
    elif digit == "7":
        pen.line((s * 0.25, s * 0.2, s * 0.75, s * 0.2), fill=ink, width=width)
        pen.line((s * 0.75, s * 0.2, s * 0.4, s * 0.85), fill=ink, width=width)
    else:
        pen.line((s * 0.5, s * 0.15, s * 0.5, s * 0.85), fill=ink, width=width)
    converted = image.convert(mode)
    buffer = io.BytesIO()
    converted.save(buffer, format=image_format)
    return buffer.getvalue()
