"""URL normalisation and host rules of the original qr-api, with its bugs fixed.

The rules, in order (messages are the original's):

1. Trim. Empty: `Please provide a URL`; longer than 2000 characters:
   `URL is too long (max 2000 characters)`.
2. A scheme is the text before the first `://` when that text has no `/`, `?` or `#`
   (fixed: the original split at any `://`, so `example.com/?next=http://x` failed);
   without one, `https://` is prepended. The scheme is lower-cased and must be `http`
   or `https`: `URL scheme must be http or https`.
3. The netloc runs up to the first `/` or `?` (`#` does not end it). The host is the
   bracketed part when the netloc starts with `[` and has a `]` followed by nothing or
   `:`, else the text before the first `:`. Dots are stripped from both ends of the
   host. The port is not checked (as in the original).
4. A host is `localhost`, a domain (labels of `[A-Za-z0-9-]`, 1-63 characters, a top
   level label of 2-63 letters), a dotted IPv4 address whose parts are 0-255 (fixed:
   the original took any 1-3 digits), or a bracketed IPv6 address (fixed: the original
   took anything in brackets). Otherwise: `Please check the URL and try again.`
5. The result is `scheme://netloc` plus the rest, cut at the first `#`.
"""

import ipaddress
import re

from qr_api.errors import QrInputError

MAX_URL_LENGTH = 2000

MSG_URL_EMPTY = "Please provide a URL"
MSG_URL_TOO_LONG = f"URL is too long (max {MAX_URL_LENGTH} characters)"
MSG_URL_SCHEME = "URL scheme must be http or https"
MSG_URL_HOST = "Please check the URL and try again."

_SCHEMES = frozenset({"http", "https"})
_LABEL = re.compile(r"[A-Za-z0-9-]{1,63}", re.ASCII)
_TLD = re.compile(r"[A-Za-z]{2,63}", re.ASCII)
_OCTET = re.compile(r"[0-9]{1,3}", re.ASCII)


def normalise_url(raw: str) -> str:
    """The URL the QR code encodes, or `QrInputError` with the original's message."""
    text = raw.strip()
    if not text:
        raise QrInputError(MSG_URL_EMPTY)
    if len(text) > MAX_URL_LENGTH:
        raise QrInputError(MSG_URL_TOO_LONG)
    scheme, rest = _split_scheme(text)
    if scheme not in _SCHEMES:
        raise QrInputError(MSG_URL_SCHEME)
    netloc, path_query = _split_netloc(rest)
    check_host(host_of(netloc))
    url = f"{scheme}://{netloc}{path_query}"
    return url.split("#", 1)[0]


def _split_scheme(text: str) -> tuple[str, str]:
    head, sep, rest = text.partition("://")
    if not sep or any(c in head for c in "/?#"):
        return "https", text
    return head.lower(), rest


def _split_netloc(rest: str) -> tuple[str, str]:
    for index, char in enumerate(rest):
        if char in "/?":
            return rest[:index], rest[index:]
    return rest, ""


def host_of(netloc: str) -> str:
    """The host part of a netloc: `[...]` when bracketed, else the text before `:`.

    A bracketed host must end the netloc or be followed by `:` (fixed: the original
    took `[::1]x.com` as the host `[::1]`); otherwise the whole netloc is the host.
    """
    if netloc.startswith("[") and "]" in netloc:
        end = netloc.index("]") + 1
        return netloc[:end] if netloc[end:][:1] in ("", ":") else netloc
    return netloc.split(":", 1)[0]


def check_host(host: str) -> None:
    """Accept localhost, a domain, an IPv4 or a bracketed IPv6 address; else `QrInputError`."""
    name = host.strip(".")
    if name.startswith("[") and name.endswith("]"):
        _check_ipv6(name[1:-1])
    elif not (name.lower() == "localhost" or _is_ipv4(name) or _is_domain(name)):
        raise QrInputError(MSG_URL_HOST)


def _check_ipv6(address: str) -> None:
    try:
        ipaddress.IPv6Address(address)
    except ValueError as exc:
        raise QrInputError(MSG_URL_HOST) from exc


def _is_ipv4(name: str) -> bool:
    parts = name.split(".")
    return len(parts) == 4 and all(
        _OCTET.fullmatch(part) is not None and int(part) <= 255 for part in parts
    )


def _is_domain(name: str) -> bool:
    labels = name.split(".")
    return (
        len(labels) >= 2
        and all(_LABEL.fullmatch(label) is not None for label in labels)
        and _TLD.fullmatch(labels[-1]) is not None
    )
