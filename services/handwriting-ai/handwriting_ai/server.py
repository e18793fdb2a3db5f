"""The API server binary: `bazel run //services/handwriting-ai:server` (port 8004)."""

import os
import sys
from collections.abc import Mapping

from handwriting_ai.app import SERVICE, build_app
from handwriting_ai.settings import HandwritingSettings
from platform_core.http import run_service


def main(environ: Mapping[str, str] = os.environ) -> int:
    """Run the API until SIGTERM/SIGINT; the exit status (2: bad environment)."""
    return run_service(
        service=SERVICE, settings=HandwritingSettings, build=build_app, environ=environ
    )


if __name__ == "__main__":
    sys.exit(main())
