"""Rendering: images decode back to the URL with the requested options."""

import pytest

from qr_api.errors import QrInputError
from qr_api.render import ImageKind, capacity_message, render
from qr_api.request import Ecc, QrSpec
from qr_api_testing.reader import QrReader

KINDS: list[ImageKind] = ["png", "svg"]
LEVELS: list[Ecc] = ["L", "M", "Q", "H"]
RANK = {"L": 0, "M": 1, "Q": 2, "H": 3}


def spec(
    url: str = "https://example.com/path?q=1",
    *,
    ecc: Ecc = "M",
    box_size: int = 10,
    border: int = 1,
    fill: str = "#000000",
    back: str = "#FFFFFF",
) -> QrSpec:
    return QrSpec(
        url=url, ecc=ecc, box_size=box_size, border=border, fill_color=fill, back_color=back
    )


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("ecc", LEVELS)
def test_each_level_decodes(qr_reader: QrReader, kind: ImageKind, ecc: Ecc) -> None:
    reading = qr_reader.read(render(spec(ecc=ecc), kind), kind=kind)
    assert reading.text == "https://example.com/path?q=1"
    assert RANK[reading.ecc] >= RANK[ecc]


@pytest.mark.parametrize("kind", KINDS)
def test_requested_level_when_a_higher_one_does_not_fit(
    qr_reader: QrReader, kind: ImageKind
) -> None:
    # Byte capacity of a version 2 code: L 32, M 26, Q 20, H 14.
    capacities: list[tuple[Ecc, int]] = [("L", 32), ("M", 26), ("Q", 20), ("H", 14)]
    for ecc, length in capacities:
        url = "https://ab.io/" + "x" * (length - 14)
        reading = qr_reader.read(render(spec(url, ecc=ecc), kind), kind=kind)
        assert (reading.text, reading.ecc, reading.modules) == (url, ecc, 25)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "look",
    [
        ("#000000", "#FFFFFF", 5, 1),
        ("#f00", "#0f0", 7, 3),
        ("#123456", "#FEDCBA", 20, 10),
        ("#ffffff", "#000000", 6, 4),
    ],
)
def test_colours_and_sizes(
    qr_reader: QrReader, kind: ImageKind, look: tuple[str, str, int, int]
) -> None:
    fill, back, box_size, border = look
    image = render(spec(fill=fill, back=back, box_size=box_size, border=border), kind)
    reading = qr_reader.read(
        image, kind=kind, box_size=box_size, border=border, fill=fill, back=back
    )
    assert reading.text == "https://example.com/path?q=1"


@pytest.mark.parametrize("kind", KINDS)
def test_short_urls_get_a_regular_qr_code(qr_reader: QrReader, kind: ImageKind) -> None:
    """Fixed: the original drew a Micro QR code (unreadable by phones) for short URLs."""
    reading = qr_reader.read(render(spec("https://x.co", ecc="L"), kind), kind=kind)
    assert reading.text == "https://x.co"
    assert reading.modules == 21


@pytest.mark.parametrize("kind", KINDS)
def test_longest_url_at_low_correction(qr_reader: QrReader, kind: ImageKind) -> None:
    url = "https://example.com/" + "b" * 1980
    image = render(spec(url, ecc="L", box_size=5), kind)
    assert qr_reader.read(image, kind=kind, box_size=5).text == url


def test_same_spec_same_bytes() -> None:
    assert render(spec(), "png") == render(spec(), "png")
    assert render(spec(), "svg") == render(spec(), "svg")
    assert render(spec(), "png") != render(spec(ecc="H"), "png")


@pytest.mark.parametrize(("ecc", "length"), [("H", 1300), ("Q", 1700)])
def test_too_long_for_the_level_is_a_client_mistake(ecc: Ecc, length: int) -> None:
    """Fixed: a URL that fits in no QR version was a 500 (segno's DataOverflowError)."""
    with pytest.raises(QrInputError) as caught:
        render(spec("https://example.com/" + "c" * length, ecc=ecc), "png")
    assert caught.value.message == capacity_message(ecc)
    assert caught.value.message == f"URL is too long for a QR code with error correction {ecc}"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/\u00fc?q=\u00e9",
        "https://example.com/\u65e5\u672c\u8a9e",
        "https://example.com/a b",
    ],
)
def test_non_ascii_and_spaces_decode(qr_reader: QrReader, kind: ImageKind, url: str) -> None:
    assert qr_reader.read(render(spec(url), kind), kind=kind).text == url
