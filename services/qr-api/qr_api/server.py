"""The qr-api server binary: settings from the environment, served by Hypercorn on 8002.

`bazel run //services/qr-api:server` (or `python -m qr_api.server`). Exit status 2 for an
invalid environment, 1 when it cannot start, 0 after a graceful shutdown (SIGTERM).
"""

from platform_core.http import run_service
from qr_api.app import SERVICE, build_app
from qr_api.settings import QrSettings


def main() -> int:
    """Run the server until SIGTERM or SIGINT; the exit status."""
    return run_service(service=SERVICE, settings=QrSettings, build=build_app)


if __name__ == "__main__":
    raise SystemExit(main())
