"""URL normalisation and host rules: the original's cases and the fixed ones."""

import pytest

from qr_api.errors import QrInputError
from qr_api.urls import (
    MSG_URL_EMPTY,
    MSG_URL_HOST,
    MSG_URL_SCHEME,
    MSG_URL_TOO_LONG,
    check_host,
    host_of,
    normalise_url,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("example.com", "https://example.com"),
        ("  example.com  ", "https://example.com"),
        ("http://example.com", "http://example.com"),
        ("HTTPS://Example.COM/Path?Q=1", "https://Example.COM/Path?Q=1"),
        ("HtTp://example.com", "http://example.com"),
        ("example.com:8080", "https://example.com:8080"),
        ("example.com:8080/a", "https://example.com:8080/a"),
        ("https://[::1]:443/x", "https://[::1]:443/x"),
        ("[::1]", "https://[::1]"),
        ("[2001:db8::1]", "https://[2001:db8::1]"),
        ("localhost", "https://localhost"),
        ("LocalHost:3000", "https://LocalHost:3000"),
        ("127.0.0.1", "https://127.0.0.1"),
        ("0.0.0.0", "https://0.0.0.0"),
        ("255.255.255.255/x", "https://255.255.255.255/x"),
        ("example.com.", "https://example.com."),
        (".example.com", "https://.example.com"),
        ("example.com/a#frag", "https://example.com/a"),
        ("example.com?x=1#frag#more", "https://example.com?x=1"),
        ("example.com:80#frag", "https://example.com:80"),
        ("sub-domain.example.co.uk/a b", "https://sub-domain.example.co.uk/a b"),
        ("xn--bcher-kva.de", "https://xn--bcher-kva.de"),
        ("a" * 63 + ".com", "https://" + "a" * 63 + ".com"),
        ("example." + "a" * 63, "https://example." + "a" * 63),
        # Fixed: a `://` inside the path or query is not a scheme.
        ("example.com/?next=http://other.org", "https://example.com/?next=http://other.org"),
        ("example.com?u=ftp://x", "https://example.com?u=ftp://x"),
    ],
)
def test_normalises(raw: str, expected: str) -> None:
    assert normalise_url(raw) == expected


def test_length_limit_is_after_trimming() -> None:
    url = "https://example.com/" + "a" * (2000 - len("https://example.com/"))
    assert normalise_url(f"   {url}   ") == url


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", MSG_URL_EMPTY),
        ("   \t\n ", MSG_URL_EMPTY),
        ("https://example.com/" + "a" * 1981, MSG_URL_TOO_LONG),
        ("ftp://example.com", MSG_URL_SCHEME),
        ("ftp://", MSG_URL_SCHEME),
        ("://bad", MSG_URL_SCHEME),
        ("mailto://x@example.com", MSG_URL_SCHEME),
        ("javascript:alert(1)", MSG_URL_HOST),
        ("no-scheme-here", MSG_URL_HOST),
        ("bad host with spaces", MSG_URL_HOST),
        ("https://", MSG_URL_HOST),
        ("https:///path", MSG_URL_HOST),
        ("https://?q=1", MSG_URL_HOST),
        ("user:pw@example.com", MSG_URL_HOST),
        ("user@example.com", MSG_URL_HOST),
        ("example", MSG_URL_HOST),
        ("example.c", MSG_URL_HOST),
        ("example.c0m", MSG_URL_HOST),
        ("example." + "a" * 64, MSG_URL_HOST),
        ("a" * 64 + ".com", MSG_URL_HOST),
        ("exa_mple.com", MSG_URL_HOST),
        ("example..com", MSG_URL_HOST),
        ("bücher.de", MSG_URL_HOST),
        ("example.com#frag", MSG_URL_HOST),
        # Fixed: IPv4 parts must be 0-255.
        ("999.999.999.999", MSG_URL_HOST),
        ("256.1.1.1", MSG_URL_HOST),
        ("1.2.3.256", MSG_URL_HOST),
        ("1.2.3", MSG_URL_HOST),
        ("1.2.3.4.5", MSG_URL_HOST),
        ("1.2.3.1000", MSG_URL_HOST),
        ("\u0661.\u0662.\u0663.\u0664", MSG_URL_HOST),
        # Fixed: brackets must hold an IPv6 address.
        ("[not-an-address]", MSG_URL_HOST),
        ("[]", MSG_URL_HOST),
        ("[1.2.3.4]", MSG_URL_HOST),
        ("[::1", MSG_URL_HOST),
        ("https://[::1]x.com", MSG_URL_HOST),
    ],
)
def test_rejects(raw: str, message: str) -> None:
    with pytest.raises(QrInputError) as caught:
        normalise_url(raw)
    assert caught.value.message == message
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("netloc", "host"),
    [
        ("example.com:8080", "example.com"),
        ("[::1]:443", "[::1]"),
        ("[::1]", "[::1]"),
        ("[::1", "["),
        ("[::1]x.com", "[::1]x.com"),
        ("[::1]:x", "[::1]"),
        ("user:pw@host", "user"),
        ("", ""),
    ],
)
def test_host_of(netloc: str, host: str) -> None:
    assert host_of(netloc) == host


@pytest.mark.parametrize("host", ["localhost", "example.com", "1.2.3.4", "[::1]", "..a.io.."])
def test_check_host_accepts(host: str) -> None:
    check_host(host)
