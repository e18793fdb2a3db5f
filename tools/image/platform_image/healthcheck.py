"""The images' health check: an HTTP GET that must answer 200.

Docker's HEALTHCHECK (and compose's `healthcheck`) runs it inside the container as

    /usr/bin/python3 -I /app/healthcheck.py [PATH | URL]

with the standard library only (it is no binary's runfiles). Without an argument it
asks the server in the same container, `http://<HOST>:<PORT>/healthz` from the
container's own settings (HOST 0.0.0.0 or empty is asked at 127.0.0.1, `::` at ::1);
a PATH asks that path there instead; a URL asks that URL (a worker's container asks its
service's /readyz, which is 200 only while a worker of the queue is live). Exits 0 on
200, else 1 with the reason on stderr.
"""

import http.client
import os
import sys
import urllib.parse
from collections.abc import Mapping

DEFAULT_PATH = "/healthz"
TIMEOUT_S = 4.0
WILDCARDS = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}


def own_server(env: Mapping[str, str]) -> tuple[str, int]:
    """Where this container's server listens (ValueError if PORT is unset or no number)."""
    host = env.get("HOST", "").strip()
    port = env.get("PORT", "").strip()
    if not port.isdigit():
        raise ValueError(f"PORT is {port!r}, not a port number")
    return WILDCARDS.get(host, host), int(port)


def target(argument: str | None, env: Mapping[str, str]) -> tuple[str, int, str]:
    """Host, port and path to ask (ValueError for an unusable argument or environment)."""
    if argument is not None and "://" in argument:
        url = urllib.parse.urlsplit(argument)
        if url.scheme != "http" or url.hostname is None:
            raise ValueError(f"{argument!r} is not an http:// URL with a host")
        return url.hostname, url.port or 80, url.path or "/"
    host, port = own_server(env)
    return host, port, argument or DEFAULT_PATH


def check(host: str, port: int, path: str, timeout_s: float = TIMEOUT_S) -> str | None:
    """None when GET `path` answers 200, else what went wrong."""
    connection = http.client.HTTPConnection(host, port, timeout=timeout_s)
    try:
        connection.request("GET", path)
        status = connection.getresponse().status
    except OSError as exc:
        return f"GET http://{host}:{port}{path}: {exc}"
    finally:
        connection.close()
    return None if status == 200 else f"GET http://{host}:{port}{path}: status {status}"


def main(argv: list[str], env: Mapping[str, str] = os.environ) -> int:
    """0 when healthy; 1 with the reason on stderr."""
    try:
        host, port, path = target(argv[0] if argv else None, env)
    except ValueError as exc:
        sys.stderr.write(f"healthcheck: {exc}\n")
        return 1
    problem = check(host, port, path)
    if problem is not None:
        sys.stderr.write(f"healthcheck: {problem}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
