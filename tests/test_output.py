"""Files and folders as any program's output: the umask decides a new one's mode, a file written
over keeps its mode, and our staging names are recognised and cleaned up."""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mdq_graph.errors import InputError
from mdq_graph.output import (
    atomic_writer,
    current_umask,
    discard_pending,
    make_staging_folder,
    real_target,
    remove_stale_staging,
    replace_folder,
    staging_path,
    write_atomic,
)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(params=[0o022, 0o077, 0o002], ids=["umask-022", "umask-077", "umask-002"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    previous = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(previous)


def test_the_umask_is_read_without_changing_it(umask: int) -> None:
    assert current_umask() == umask
    assert current_umask() == umask


def test_a_new_file_follows_the_umask(tmp_path: Path, umask: int) -> None:
    write_atomic(tmp_path / "out.ttl", b"x")
    assert mode(tmp_path / "out.ttl") == 0o666 & ~umask


def test_a_file_written_over_keeps_its_mode(tmp_path: Path, umask: int) -> None:
    target = tmp_path / "out.ttl"
    for kept in (0o644, 0o600, 0o664, 0o640):
        target.write_bytes(b"old")
        target.chmod(kept)
        write_atomic(target, b"new")
        assert (mode(target), target.read_bytes()) == (kept, b"new")


def test_a_folder_put_in_place_follows_the_umask(tmp_path: Path, umask: int) -> None:
    target = tmp_path / "store"
    for _ in range(2):  # new, then replacing the earlier one
        staging = make_staging_folder(target, "loading")
        (staging / "f").write_text("x")
        replace_folder(staging, target)
        assert mode(target) == 0o777 & ~umask
    assert [p.name for p in tmp_path.iterdir()] == ["store"]


def test_nothing_is_left_when_the_writing_fails(tmp_path: Path) -> None:
    target = tmp_path / "out.ttl"
    with pytest.raises(RuntimeError), atomic_writer(target) as handle:
        handle.write(b"half")
        raise RuntimeError("stopped")
    assert list(tmp_path.iterdir()) == []


def test_a_folder_cannot_be_written_as_a_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="it is a folder"):
        write_atomic(tmp_path, b"x")


def dead_pid() -> int:
    """The id of a process that has ended."""
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return pid


def test_stale_staging_of_ended_processes_is_removed_and_live_ones_kept(tmp_path: Path) -> None:
    ended = dead_pid()
    stale = [
        tmp_path / f".store.{ended}-0123abcd.loading",
        tmp_path / f".site.{ended}-89abcdef.building",
        tmp_path / f".out.ttl.{ended}-00ff00ff.tmp",
    ]
    live = [
        tmp_path / f".store.{os.getppid()}-0123abcd.loading",  # pytest's parent is running
        tmp_path / f".store.{os.getpid()}-0123abcd.loading",
    ]
    others = [tmp_path / ".store.loading-notours", tmp_path / "store", tmp_path / ".hidden"]
    for path in stale[:2] + live + others[:2]:
        path.mkdir()
        (path / "content").write_text("x")
    stale[2].write_text("half")
    others[2].write_text("x")
    removed = remove_stale_staging(tmp_path)
    assert sorted(removed) == sorted(stale)
    assert sorted(tmp_path.iterdir()) == sorted(live + others)


def test_stale_staging_is_removed_only_for_its_target_when_one_is_named(tmp_path: Path) -> None:
    ended = dead_pid()
    mine = tmp_path / f".store.{ended}-0123abcd.loading"
    theirs = tmp_path / f".other.{ended}-0123abcd.loading"
    mine.mkdir()
    theirs.mkdir()
    assert remove_stale_staging(tmp_path, "store") == [mine]
    assert theirs.exists()


def test_staging_of_earlier_versions_is_removed_once_an_hour_old(tmp_path: Path) -> None:
    names = [".store.loading-k2j4_x9a", ".site.0a1b2c3d.building", ".mdq.ttl.ab_cd123.tmp"]
    for name in names:
        (tmp_path / name).mkdir()
    assert remove_stale_staging(tmp_path) == []  # perhaps still being written
    hour_ago = time.time() - 3700
    for name in names:
        os.utime(tmp_path / name, (hour_ago, hour_ago))
    assert sorted(p.name for p in remove_stale_staging(tmp_path)) == sorted(names)
    assert list(tmp_path.iterdir()) == []


def test_a_new_staging_folder_clears_the_stale_ones_beside_it(tmp_path: Path) -> None:
    stale = tmp_path / f".store.{dead_pid()}-0123abcd.loading"
    stale.mkdir()
    staging = make_staging_folder(tmp_path / "store", "loading")
    assert not stale.exists() and staging.is_dir()
    discard_pending()
    assert list(tmp_path.iterdir()) == []


def test_discard_pending_removes_what_is_being_written(tmp_path: Path) -> None:
    folder = make_staging_folder(tmp_path / "site", "building")
    (folder / "page.html").write_text("x")
    half = staging_path(tmp_path / "out.nt", "tmp")
    half.write_text("half")
    discard_pending()
    assert list(tmp_path.iterdir()) == []


def test_a_symlinked_target_is_followed_and_the_link_kept(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (real / "old").write_text("old")
    link = tmp_path / "link"
    link.symlink_to(real)
    target = real_target(link)
    assert target == real.resolve()
    staging = make_staging_folder(target, "building")
    (staging / "new").write_text("new")
    replace_folder(staging, target)
    assert link.is_symlink() and [p.name for p in link.iterdir()] == ["new"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "real"]
