"""The images' health check: the server's own `/healthz` answers 200.

Docker's HEALTHCHECK (and compose's `healthcheck`) runs it inside the container as

    /usr/bin/python3 -I /app/healthcheck.py [PATH]

with the standard library only (it is no binary's runfiles). It asks
`http://<HOST>:<PORT><PATH>` (PATH defaults to /healthz; HOST 0.0.0.0 or empty is asked
at 127.0.0.1, `::` at ::1) and exits 0 on 200, else 1 with the reason on stderr.
"""

import http.client
import os
import sys
from collections.abc import Mapping

DEFAULT_PATH = "/healthz"
TIMEOUT_S = 4.0
WILDCARDS = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}


def target(env: Mapping[str, str]) -> tuple[str, int]:
    """Where the server listens, from its own settings (ValueError if PORT is unset or bad)."""
    host = env.get("HOST", "").strip()
    port = env.get("PORT", "").strip()
    if not port.isdigit():
        raise ValueError(f"PORT is {port!r}, not a port number")
    return WILDCARDS.get(host, host), int(port)


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
    path = argv[0] if argv else DEFAULT_PATH
    try:
        host, port = target(env)
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
