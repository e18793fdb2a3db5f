"""PNG by default; SVG only when `Accept` prefers it."""

import pytest

from qr_api.errors import QrInputError
from qr_api.negotiation import MSG_ACCEPT, choose_kind


@pytest.mark.parametrize(
    ("accept", "kind"),
    [
        (None, "png"),
        ("", "png"),
        ("*/*", "png"),
        ("image/*", "png"),
        ("application/json", "png"),
        ("image/png", "png"),
        ("image/svg+xml", "svg"),
        ("IMAGE/SVG+XML", "svg"),
        ("image/svg+xml, image/png", "png"),
        ("image/svg+xml;q=1, image/png;q=0.9", "svg"),
        ("image/png;q=0.5, image/svg+xml;q=0.6", "svg"),
        ("image/png;q=0.5, image/svg+xml;q=0.5", "png"),
        ("image/svg+xml;q=0.1", "svg"),
        ("image/svg+xml;q=0", "png"),
        ("image/svg+xml, */*;q=0.8", "svg"),
        ("image/*;q=0.5, image/svg+xml", "svg"),
        ("image/svg+xml;q=0.4, image/*;q=0.5", "png"),
        ("image/svg+xml;charset=utf-8;level=1", "svg"),
        ("image/svg+xml ; Q = 0.9 , image/png;q=0.8", "svg"),
        ("text/html, image/svg+xml;q=0.9, image/avif", "svg"),
        ("image/svg+xml,,", "svg"),
        ("image/svg+xml;q=1.000", "svg"),
        ("image/png;q=0., image/svg+xml;q=0.001", "svg"),
    ],
)
def test_choice(accept: str | None, kind: str) -> None:
    assert choose_kind(accept) == kind


@pytest.mark.parametrize(
    "accept",
    ["image/svg+xml;q=2", "image/svg+xml;q=abc", "image/png;q=", "*/*;q=1.5", "image/png;q=0.1234"],
)
def test_bad_quality_is_a_client_mistake(accept: str) -> None:
    with pytest.raises(QrInputError) as caught:
        choose_kind(accept)
    assert caught.value.message == MSG_ACCEPT
