"""The data-bank-api server binary: settings from the environment, Hypercorn on port 8001.

`bazel run //services/data-bank-api:server`. Exit status 2 for an invalid environment
(the message names the variable), 1 when it cannot start (the port is taken, the data
root cannot be created, ...), 0 after a graceful shutdown on SIGTERM or SIGINT.
"""

from collections.abc import Mapping
from typing import TextIO

from data_bank_api.app import SERVICE, build_app
from data_bank_api.settings import DataBankSettings
from platform_core.http import run_service


def main(environ: Mapping[str, str] | None = None, log_stream: TextIO | None = None) -> int:
    """Run the server until SIGTERM or SIGINT; the exit status."""
    return run_service(
        service=SERVICE,
        settings=DataBankSettings,
        build=build_app,
        environ=environ,
        log_stream=log_stream,
    )


if __name__ == "__main__":
    raise SystemExit(main())
