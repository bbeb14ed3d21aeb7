"""Writes files and folders atomically: built beside their place (a temporary file, a staging
folder), then renamed into it, so that nothing is ever seen half-written.

What is written gets the permissions any program's output gets: a new file or folder follows the
umask (0644 and 0755 under the usual 022), a file written over keeps its mode. The temporary files
and staging folders carry the writing process's id in their name; one whose process is gone (a
run stopped by SIGKILL or a power cut) is removed by the next run that writes to the same place,
and `discard_pending()` removes those of a run that is being stopped.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import shutil
import stat
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from mdq_graph.errors import InputError

#: `.NAME.PID-RANDOM.KIND` (KIND: tmp, loading, building, previous): our own hidden staging names.
_STAGING = re.compile(
    r"\.(?P<name>.+)\.(?P<pid>\d+)-[0-9a-f]{8}\.(?P<kind>tmp|loading|building|previous)"
)
#: Names earlier versions gave their staging folders and files (no process id in them).
_LEGACY_STAGING = re.compile(
    r"\.(?P<name>.+?)\.(?:loading-[a-z0-9_]{8}|[0-9a-f]{8}\.building|previous-[a-z0-9_]{8}"
    r"|[a-z0-9_]{8}\.tmp)"
)
#: Staging paths this process is writing now, removed by `discard_pending()` if it is stopped.
_pending: set[Path] = set()
_pending_lock = threading.Lock()


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never half of it."""
    with atomic_writer(path) as handle:
        handle.write(data)


@contextmanager
def atomic_writer(path: Path, *, text: bool = False) -> Iterator[IO[Any]]:
    """A file to stream into that replaces `path` only when the block ends without an error;
    `InputError` names the path and the cause when it cannot be written."""
    folder = path.parent if str(path.parent) else Path()
    if not folder.is_dir():
        raise InputError(path, f"cannot write: the folder {folder} does not exist")
    if path.is_dir():
        raise InputError(path, "cannot write: it is a folder")
    remove_stale_staging(folder, path.name)
    tmp = staging_path(path, "tmp")
    kept_mode = _existing_mode(path)
    with _writing_errors(path):
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies
        if kept_mode is not None:
            os.fchmod(fd, kept_mode)
    try:
        with _writing_errors(path):
            handle = (
                os.fdopen(fd, "w", encoding="utf-8", newline="\n") if text else os.fdopen(fd, "wb")
            )
        with handle:
            try:
                yield handle
            except OSError as err:
                if err.filename is not None or isinstance(err, BrokenPipeError):
                    raise
                raise write_error(path, err) from None  # writing to the handle failed
            with _writing_errors(path):
                handle.flush()
                os.fsync(handle.fileno())
        with _writing_errors(path):
            tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        _forget(tmp)


def staging_path(target: Path, kind: str) -> Path:
    """A new hidden name beside `target` for a file or folder being built (`kind`: tmp, loading,
    building), remembered until it is renamed or removed."""
    name = f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}.{kind}"
    path = target.parent / name
    with _pending_lock:
        _pending.add(path)
    return path


def make_staging_folder(target: Path, kind: str) -> Path:
    """Create a staging folder beside `target` (and the folders above it; modes as the umask
    allows), after removing our stale ones there; `InputError` when the folder beside it cannot be written."""
    staging = staging_path(target, kind)
    with _writing_errors(target.parent):
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_staging(target.parent, target.name)
        staging.mkdir(mode=0o777)
    return staging


def _forget(path: Path) -> None:
    with _pending_lock:
        _pending.discard(path)


def discard_pending() -> None:
    """Remove every temporary file and staging folder this process has not finished: called
    when the process is being stopped (Ctrl-C, SIGTERM) so that it leaves nothing behind."""
    with _pending_lock:
        paths = list(_pending)
    for path in paths:
        _remove(path)


def remove_stale_staging(folder: Path, name: str | None = None) -> list[Path]:
    """Remove our staging files and folders in `folder` (for the target `name`, or any) whose
    process has ended, and those of earlier versions; return what was removed."""
    removed: list[Path] = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return removed
    for entry in entries:
        match = _STAGING.fullmatch(entry.name)
        if match is not None:
            if name is not None and match["name"] != name:
                continue
            if _alive(int(match["pid"])):
                continue
        else:
            legacy = _LEGACY_STAGING.fullmatch(entry.name)
            if legacy is None or (name is not None and legacy["name"] != name):
                continue
            if time.time() - entry.lstat().st_mtime < _LEGACY_GRACE_SECONDS:
                continue  # perhaps an older version at work right now
        _remove(entry)
        removed.append(entry)
    return removed


#: A staging folder of an earlier version (no process id in its name) is left alone this long.
_LEGACY_GRACE_SECONDS = 3600


def _alive(pid: int) -> bool:
    """Whether a process with this id runs (ours counts: a staging name of this process is live)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove(path: Path) -> None:
    """Remove a file or folder tree, whatever is left of it.

    A folder may still be written while it is removed (a store that Oxigraph is loading when
    the process is stopped adds files as they go): it is removed again until it is gone, for a
    moment at most."""
    try:
        if path.is_dir() and not path.is_symlink():
            for _ in range(_REMOVE_TRIES):
                shutil.rmtree(path, ignore_errors=True)
                if not path.exists():
                    break
                time.sleep(0.02)
        else:
            path.unlink(missing_ok=True)
    except OSError:
        pass
    _forget(path)


#: Times a folder being written is removed again before it is left to the next run.
_REMOVE_TRIES = 50


def _existing_mode(path: Path) -> int | None:
    """The permission bits of the file at `path`, which a file written over it keeps."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return None


def current_umask() -> int:
    """The process's umask, read from /proc where it can be (setting it to read it, elsewhere,
    would race with other threads creating files)."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def folder_mode() -> int:
    """The mode a new folder gets under the umask (0755 under 022)."""
    return 0o777 & ~current_umask()


@contextmanager
def _writing_errors(path: Path) -> Iterator[None]:
    """Turn a failure to write (a read-only or full disk, no permission) into `InputError`."""
    try:
        yield
    except OSError as err:
        raise write_error(path, err) from None


def write_error(path: Path, err: OSError) -> InputError:
    """The one-line error for a path that cannot be written."""
    reason = err.strerror or str(err)
    if err.errno == errno.ENOSPC:
        reason = "no space left on the device"
    elif err.errno == errno.EROFS:
        reason = "the file system is read-only"
    return InputError(path, f"cannot write: {reason}")


_RENAME_EXCHANGE = 2  # linux/fs.h


def replace_folder(staging: Path, target: Path) -> None:
    """Put the folder `staging` (built beside `target`) in the place of `target`; whatever was there
    before is removed. Readers see the old folder or the new one: on Linux the two are exchanged
    atomically; elsewhere two renames leave a moment with neither."""
    with _writing_errors(target):
        staging.chmod(folder_mode())
        if not target.exists():
            staging.rename(target)
            _forget(staging)
            return
        if _exchange(staging, target):
            shutil.rmtree(staging)  # now holds the previous folder
            _forget(staging)
            return
        # No atomic exchange (not Linux): two renames, with a moment in between with neither.
        previous = staging_path(target, "previous")
        target.rename(previous)
        try:
            staging.rename(target)
        except BaseException:
            previous.rename(target)
            raise
        finally:
            _forget(staging)
        _remove(previous)


def real_target(path: Path) -> Path:
    """The folder to build in place of `path`: a symbolic link is followed, so that the folder it
    points to is replaced and the link kept, not the link replaced by a folder."""
    absolute = path.absolute()
    return absolute.resolve() if absolute.is_symlink() else absolute


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two folders with Linux's renameat2(RENAME_EXCHANGE); False if unsupported."""
    # Imported here: only replacing a folder needs it, and every command starts with this module.
    import ctypes
    import ctypes.util

    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(result == 0)
