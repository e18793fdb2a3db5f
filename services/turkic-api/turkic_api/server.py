"""The API server binary: `bazel run //services/turkic-api:server`.

Reads `TurkicSettings` from the environment, logs as `turkic-api`, serves on
`HOST:PORT` (8000).
"""

import os
import sys
from collections.abc import Mapping

from platform_core.http import run_service
from turkic_api.app import SERVICE, build_app
from turkic_api.settings import TurkicSettings


def main(environ: Mapping[str, str] = os.environ) -> int:
    """Run the API until SIGTERM/SIGINT; the exit status (2: bad environment)."""
    return run_service(service=SERVICE, settings=TurkicSettings, build=build_app, environ=environ)


if __name__ == "__main__":
    sys.exit(main())
