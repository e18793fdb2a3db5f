"""The example service as a server process (`python -m kit_example_server`)."""

from kit_example import Ctx, Settings, build_example
from starlette.applications import Starlette

from platform_core.http import run_service


def build(settings: Settings) -> Starlette:
    """The example app for these settings."""
    return build_example(Ctx(settings=settings))


def main() -> int:
    """Serve the example until SIGTERM; the exit status."""
    return run_service(service="example-api", settings=Settings, build=build)


if __name__ == "__main__":
    raise SystemExit(main())
