"""Runs the evaluation of a query and the writing of its result in a child process, so that a
failure of the engine that ends the process it runs in ends only the child.

Oxigraph is Rust: some of its panics (a sort whose comparison is not a total order,
docs/upstream/oxigraph-order-by-panic.md) abort the process with SIGABRT, which no Python code
can catch. The child is forked after the data is loaded (a fork shares it and starts in
milliseconds); it writes the result into a pipe that this process copies to the output as it
comes, so the output file's staging and renaming, the terminal and the signals stay here. The
child's standard error goes to a pipe too: a panic's message is condensed to one line, not shown
(what a child that did not fail said there is passed on).
"""

from __future__ import annotations

import contextlib
import faulthandler
import os
import pickle
import selectors
import signal
import sys
from collections.abc import Callable
from typing import IO, Any, TypeVar

from mdq_graph.errors import MdqError, QueryError
from mdq_graph.query.curated import engine_failures_contained

T = TypeVar("T")

#: The children running now, killed by `stop_children()` when the command is being stopped.
_children: set[int] = set()
#: How much of the child's standard error is kept to describe how it ended.
_STDERR_KEPT = 64 * 1024


class RelayedError(MdqError):
    """One of our errors raised in the child: its message and exit code, carried over."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def run_contained(work: Callable[[IO[bytes]], T], out: IO[bytes]) -> T:
    """`work(stream)` in a forked child, what it writes to `stream` copied to `out` as it comes;
    its return value or its exception here. `QueryError` when the child ends by a signal (the
    engine aborted it). Without `os.fork` (Windows), `work(out)` runs here."""
    if not hasattr(os, "fork"):
        return work(out)
    with contextlib.suppress(OSError, ValueError):
        out.flush()
    pipes = [os.pipe() for _ in range(3)]  # the result's bytes, the outcome, standard error
    (_, data_end), (_, outcome_end), (_, stderr_end) = pipes
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child; coverage does not follow a fork
        _child(work, data_end, outcome_end, stderr_end, [read for read, _ in pipes])
    _children.add(pid)
    for _, write_end in pipes:
        os.close(write_end)
    try:
        written, outcome, stderr = _relay([read for read, _ in pipes], out)
        _, status = os.waitpid(pid, 0)
    except BaseException:
        _kill(pid)
        raise
    finally:
        _children.discard(pid)
        for read_end, _ in pipes:
            with contextlib.suppress(OSError):
                os.close(read_end)
    if os.WIFSIGNALED(status) or not outcome:
        raise QueryError(_engine_failure(status, stderr, written))
    if stderr:  # what the child said (a warning) when it did not fail: as if said here
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.write(stderr.decode("utf-8", errors="replace"))
            sys.stderr.flush()
    kind, value = pickle.loads(outcome)  # our own child's bytes
    if kind == "ok":
        return value  # type: ignore[no-any-return]
    if kind == "mdq":
        raise RelayedError(*value)
    raise value


def stop_children() -> None:
    """Kill the children running now: the command is being stopped (Ctrl-C, SIGTERM)."""
    for pid in list(_children):
        _kill(pid)


def _kill(pid: int) -> None:
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def _relay(reads: list[int], out: IO[bytes]) -> tuple[int, bytes, bytes]:
    """Copy the child's result to `out` until every pipe is closed; how many bytes were
    written, the outcome's bytes and (the start of) the child's standard error."""
    data_read, outcome_read, _ = reads
    outcome, stderr, written = bytearray(), bytearray(), 0
    with selectors.DefaultSelector() as selector:
        for fd in reads:
            selector.register(fd, selectors.EVENT_READ)
        while selector.get_map():
            for key, _ in selector.select():
                chunk = os.read(key.fd, 256 * 1024)
                if not chunk:
                    selector.unregister(key.fd)
                elif key.fd == data_read:
                    out.write(chunk)
                    written += len(chunk)
                elif key.fd == outcome_read:
                    outcome += chunk
                elif len(stderr) < _STDERR_KEPT:
                    stderr += chunk
    return written, bytes(outcome), bytes(stderr)


def _child(
    work: Callable[[IO[bytes]], Any], data: int, outcome: int, stderr: int, reads: list[int]
) -> None:  # pragma: no cover - runs in the child
    """The child's life: run `work`, send its outcome, end without running Python's exit."""
    code = 0
    try:
        for fd in reads:
            os.close(fd)
        # The command's process decides on Ctrl-C and SIGTERM and kills this one; the wake-up
        # pipe of its signal watcher is not this process's to write to.
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        _die_with_parent()
        faulthandler.disable()  # its dump of an abort would reach the terminal by its own copy
        os.dup2(stderr, 2)
        os.close(stderr)
        try:
            with engine_failures_contained(), os.fdopen(data, "wb") as stream:
                result: tuple[str, Any] = ("ok", work(stream))
        except MdqError as err:
            result = ("mdq", (str(err), err.exit_code))
        except BaseException as err:  # carried to the parent, which raises it
            result = ("raise", err)
        try:
            payload = pickle.dumps(result)
        except Exception as err:  # an exception that does not pickle
            payload = pickle.dumps(("raise", RuntimeError(f"{type(err).__name__}: {err}")))
        with os.fdopen(outcome, "wb") as sink:
            sink.write(payload)
    except BaseException:  # no code of the parent's may run here
        code = 70
    finally:
        os._exit(code)


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    """On Linux, have the kernel kill this process if its parent dies (even by SIGKILL)."""
    with contextlib.suppress(Exception):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, int(signal.SIGKILL), 0, 0, 0)


def _engine_failure(status: int, stderr: bytes, written: int) -> str:
    """One line for a child that ended without an outcome: the engine's own words (a panic's
    message, not its backtrace) and the signal that ended it."""
    detail = _panic_message(stderr.decode("utf-8", errors="replace"))
    if os.WIFSIGNALED(status):
        name = signal.Signals(os.WTERMSIG(status)).name
        detail = f"{detail}; the process ended by {name}" if detail else f"ended by {name}"
    elif not detail:
        detail = f"exit status {os.WEXITSTATUS(status)}"
    wrote = "nothing was written" if written == 0 else "the output stops where it failed"
    return (
        f"the query engine failed on this query ({detail}); {wrote}: try it without ORDER BY, "
        "or report it with the query"
    )


def _panic_message(stderr: str) -> str:
    """The message of a Rust panic (the line after `thread '…' panicked at …:`), else the last
    line of `stderr`, at most 200 characters."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for index, line in enumerate(lines):
        if " panicked at " in line:
            rest = line.split(" panicked at ", 1)[1]
            message = lines[index + 1] if rest.endswith(":") and index + 1 < len(lines) else rest
            return " ".join(message.split())[:200]
    return " ".join(lines[-1].split())[:200] if lines else ""
