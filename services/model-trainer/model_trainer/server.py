"""The API server binary: `bazel run //services/model-trainer:server`.

Reads `TrainerSettings` from the environment, logs as `model-trainer`, serves on
`HOST:PORT` (8005).
"""

import os
import sys
from collections.abc import Mapping

from model_trainer.app import SERVICE, build_app
from model_trainer.settings import TrainerSettings
from platform_core.http import run_service


def main(environ: Mapping[str, str] = os.environ) -> int:
    """Run the API until SIGTERM/SIGINT; the exit status (2: bad environment)."""
    return run_service(service=SERVICE, settings=TrainerSettings, build=build_app, environ=environ)


if __name__ == "__main__":
    sys.exit(main())
