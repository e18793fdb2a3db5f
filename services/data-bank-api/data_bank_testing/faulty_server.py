"""The real server with injected faults, as a child process for end-to-end tests.

    python -m data_bank_testing.faulty_server [--free-bytes N] [--fail-write-after K]
                                              [--stall-before-commit]

Configured through the environment like the server binary; the options swap in
collaborators: a free-space probe that always answers `N` bytes, a file layer whose
write number `K + 1` fails with ENOSPC (a full disk), or one that stops for good just
before an upload's blob is renamed into place, after printing `STALLED before commit`
(the test then kills the process: a crash between the temporary write and the rename).
"""

import argparse
import sys
import threading
from collections.abc import Callable

from starlette.applications import Starlette

from data_bank_api.app import SERVICE, Collaborators, build_app
from data_bank_api.free_space import statvfs_free_bytes
from data_bank_api.settings import DataBankSettings
from data_bank_testing.faults import FaultyFiles, FreeSpace, disk_full
from platform_core.http import run_service

STALLED = "STALLED before commit"


class Args(argparse.Namespace):
    """The command line, typed."""

    free_bytes: int | None
    fail_write_after: int | None
    stall_before_commit: bool


def stall(until: threading.Event) -> Callable[[], None]:
    """An action that says it stalled, then blocks its thread until `until` is set (never,
    in the server: the test kills the process)."""

    def stalled() -> None:
        sys.stdout.write(STALLED + "\n")
        sys.stdout.flush()
        until.wait()

    return stalled


def collaborators(args: Args, until: threading.Event | None = None) -> Collaborators:
    """The faulty collaborators the options ask for."""
    files = FaultyFiles()
    if args.fail_write_after is not None:
        files.fail("write", disk_full(), after=args.fail_write_after)
    if args.stall_before_commit:
        files.before("rename", stall(until or threading.Event()), path_contains=".blob -> ")
    if args.free_bytes is None:
        return Collaborators(files=files, free_space=statvfs_free_bytes)
    return Collaborators(files=files, free_space=FreeSpace(free=args.free_bytes))


def parse_args(argv: list[str]) -> Args:
    """The options."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--free-bytes", type=int, default=None)
    parser.add_argument("--fail-write-after", type=int, default=None)
    parser.add_argument("--stall-before-commit", action="store_true")
    return parser.parse_args(argv, namespace=Args())


def builder(injected: Collaborators) -> Callable[[DataBankSettings], Starlette]:
    """`build_app` with `injected` collaborators."""

    def build(settings: DataBankSettings) -> Starlette:
        return build_app(settings, injected)

    return build


def main(argv: list[str]) -> int:
    """Serve like the server binary, with the faults of `argv`."""
    injected = collaborators(parse_args(argv))
    return run_service(service=SERVICE, settings=DataBankSettings, build=builder(injected))


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
