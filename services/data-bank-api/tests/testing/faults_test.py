"""The fault-injecting collaborators do what they say, and only that."""

import errno
from pathlib import Path

import pytest

from data_bank_testing.faults import GIB, FaultyFiles, FreeSpace, disk_full, io_error


def test_faulty_files_behave_like_the_real_ones(tmp_path: Path) -> None:
    files = FaultyFiles()
    directory = tmp_path / "d"
    assert files.make_dir(directory)
    path = directory / "f"
    fd = files.create(path)
    files.write(fd, b"hello")
    files.fsync(fd)
    files.close(fd)
    files.fsync_dir(directory)
    assert files.stat_size(path) == 5
    assert files.read_bytes(path, 100) == b"hello"
    fd = files.open_read(path)
    assert files.fstat_size(fd) == 5
    assert files.pread(fd, 3, 1) == b"ell"
    files.close(fd)
    files.rename(path, directory / "g")
    assert files.list_dir(directory) == ["g"]
    assert files.unlink(directory / "g")
    assert [name for name, _ in files.calls] == [
        "make_dir",
        "create",
        "write",
        "fsync",
        "close",
        "fsync_dir",
        "stat_size",
        "read_bytes",
        "open_read",
        "fstat_size",
        "pread",
        "close",
        "rename",
        "list_dir",
        "unlink",
    ]
    assert files.operations("rename") == [f"{path} -> {directory / 'g'}"]


def test_a_fault_fires_once_at_the_chosen_call(tmp_path: Path) -> None:
    files = FaultyFiles()
    files.fail("make_dir", disk_full(), after=1, path_contains="b")
    assert files.make_dir(tmp_path / "a")  # not matching the path
    assert files.make_dir(tmp_path / "b1")  # skipped once
    with pytest.raises(OSError, match="No space left") as raised:
        files.make_dir(tmp_path / "b2")
    assert raised.value.errno == errno.ENOSPC
    assert files.make_dir(tmp_path / "b2")
    assert files.faults == []


def test_an_action_runs_before_the_call(tmp_path: Path) -> None:
    files = FaultyFiles()
    seen: list[bool] = []
    target = tmp_path / "x"
    files.before("make_dir", lambda: seen.append(target.exists()))
    assert files.make_dir(target)
    assert seen == [False]


def test_an_action_once_the_call_has_returned(tmp_path: Path) -> None:
    files = FaultyFiles()
    seen: list[bool] = []
    target = tmp_path / "x"
    files.once_done("make_dir", lambda: seen.append(target.exists()), path_contains="x")
    files.before("make_dir", lambda: seen.append(target.exists()), path_contains="x")
    assert files.make_dir(target)
    assert seen == [False, True]
    assert files.faults == []


def test_errors() -> None:
    assert disk_full().errno == errno.ENOSPC
    assert io_error().errno == errno.EIO


def test_free_space_script_then_fixed_answer(tmp_path: Path) -> None:
    probe = FreeSpace(free=2 * GIB, script=[1, 2])
    assert [probe(tmp_path), probe(tmp_path), probe(tmp_path)] == [1, 2, 2 * GIB]
    assert FreeSpace()(tmp_path) == 100 * GIB
