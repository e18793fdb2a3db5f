"""The API server binary: `bazel run //services/transcript-api:server`.

Reads `TranscriptSettings` from the environment (`OPEN_AI_API_KEY` is accepted for a
missing `OPENAI_API_KEY`), logs as `transcript-api`, serves on `HOST:PORT` (8003).
"""

import os
import sys
from collections.abc import Mapping

from platform_core.http import run_service
from transcript_api.app import SERVICE, build_app
from transcript_api.settings import TranscriptSettings, settings_environ


def main(environ: Mapping[str, str] = os.environ) -> int:
    """Run the API until SIGTERM/SIGINT; the exit status (2: bad environment)."""
    return run_service(
        service=SERVICE,
        settings=TranscriptSettings,
        build=build_app,
        environ=settings_environ(environ),
    )


if __name__ == "__main__":
    sys.exit(main())
