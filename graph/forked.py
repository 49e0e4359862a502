"""Bulk tokens encoded by a forked child process, on a second core.

Encoding a bulk import is pure Python and the server stores tokens in a
process of its own, so with one encoder the import waits on whichever is
slower. A child forked once every node has its internal id shares all the
grouped rows with the parent (copy-on-write, nothing pickled) and encodes
part of the tokens while the parent encodes and sends the rest. Its tokens
come back through a pipe, framed, and a thread of the parent reads them as
they arrive so the child never waits on the parent.

Forking is used only on Linux, where ``os.fork`` of a process with threads
(a progress bar's, for one) is sound as long as the child touches nothing
those threads own: the child only encodes, writes to its pipe and leaves
with ``os._exit``. Elsewhere :func:`start` runs the same work in the parent.
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import struct
import sys
import threading
from collections.abc import Callable, Iterator
from typing import NoReturn

from graph.errors import StoreError
from graph.falkor_bulk import Unencodable

# node count, edge count, rows handled, token (empty when the rows sent nothing)
Frame = tuple[int, int, int, bytes]
# the work: frames to send; ``grow(n)`` says n more rows will be handled than
# the caller knew of (the derived partnerships)
Work = Callable[[Callable[[int], None]], Iterator[Frame]]

CAN_FORK = sys.platform == "linux" and hasattr(os, "fork")

_HEAD = struct.Struct("<Bqqqq")  # kind, node count, edge count, handled, payload size
_FRAME, _GROW, _DONE, _UNENCODABLE, _FAILED = range(5)


class ChildFailed(StoreError):
    """The child process encoding part of a bulk import failed or died."""


class Tokens:
    """Frames of a :data:`Work`, made in a forked child or, failing that, in the caller."""

    def __init__(self, work: Work) -> None:
        self._work = work

    def frames(self, grow: Callable[[int], None]) -> Iterator[Frame]:
        """The work's frames, in order; raises what the work raised."""
        yield from self._work(grow)

    def close(self) -> None:
        """Stop the work if it still runs; safe to call more than once."""


class _ChildTokens(Tokens):
    def __init__(self, work: Work) -> None:
        super().__init__(work)
        self._items: queue.SimpleQueue[tuple[int, int, int, int, bytes] | None]
        self._items = queue.SimpleQueue()
        read_fd, write_fd = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read_fd)
            os.close(write_fd)
            raise
        if pid == 0:
            _child(work, read_fd, write_fd)
        os.close(write_fd)
        self._pid: int | None = pid
        self._pipe = os.fdopen(read_fd, "rb")
        self._reader = threading.Thread(target=self._read, name="bulk-child-reader", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        try:
            while True:
                head = self._pipe.read(_HEAD.size)
                if len(head) < _HEAD.size:
                    return
                kind, nodes, edges, handled, size = _HEAD.unpack(head)
                payload = self._pipe.read(size) if size else b""
                if len(payload) < size:
                    return
                self._items.put((kind, nodes, edges, handled, payload))
        except (OSError, ValueError):  # the pipe closed under the reader
            return
        finally:
            self._items.put(None)

    def frames(self, grow: Callable[[int], None]) -> Iterator[Frame]:
        while True:
            item = self._items.get()
            if item is None:
                raise ChildFailed("the process encoding the bulk import ended unexpectedly")
            kind, nodes, edges, handled, payload = item
            if kind == _FRAME:
                yield nodes, edges, handled, payload
            elif kind == _GROW:
                grow(handled)
            elif kind == _DONE:
                return
            elif kind == _UNENCODABLE:
                raise Unencodable(payload.decode())
            else:
                raise ChildFailed(f"encoding the bulk import failed: {payload.decode()}")

    def close(self) -> None:
        if self._pid is None:
            return
        pid, self._pid = self._pid, None
        with contextlib.suppress(ProcessLookupError):  # gone already, waiting to be reaped
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        self._reader.join()  # the pipe's only writer is gone: the reader meets its end
        self._pipe.close()


def _child(work: Work, read_fd: int, fd: int) -> NoReturn:
    """Run ``work`` in the forked child, framing what it makes into ``fd``; never
    returns, whatever happens, so the child never runs on in the parent's code."""
    status = 1
    try:
        os.close(read_fd)
        # what the child makes is sent last: the parent and the server go first
        os.nice(10)
        with os.fdopen(fd, "wb") as out:

            def send(kind: int, frame: Frame = (0, 0, 0, b"")) -> None:
                nodes, edges, handled, payload = frame
                out.write(_HEAD.pack(kind, nodes, edges, handled, len(payload)))
                out.write(payload)
                out.flush()

            try:
                for frame in work(lambda count: send(_GROW, (0, 0, count, b""))):
                    send(_FRAME, frame)
                send(_DONE)
            except Unencodable as exc:
                send(_UNENCODABLE, (0, 0, 0, str(exc).encode(errors="replace")))
            except Exception as exc:
                send(_FAILED, (0, 0, 0, f"{type(exc).__name__}: {exc}".encode(errors="replace")))
        status = 0
    finally:
        os._exit(status)


def start(work: Work, *, fork: bool = CAN_FORK) -> Tokens:
    """Start ``work`` in a forked child when ``fork`` (in the caller when the
    system cannot fork now); its frames come from :meth:`Tokens.frames`.
    Close the result when done with it, even on failure."""
    if fork:
        try:
            return _ChildTokens(work)
        except OSError:  # no memory or process slot for a child: one core it is
            pass
    return Tokens(work)
