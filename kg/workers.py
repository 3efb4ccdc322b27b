"""Query processes for ``kg serve``: each opens the graph read-only and answers one call
at a time, and none runs past its deadline.

A call waits for an idle process until its deadline, sends it the work and waits for the
answer until the same deadline. Past it, the process is killed, so the query stops using
CPU at once, and a fresh one takes its place. A query still running after a second gets
the lowest CPU priority, so that the quick queries of other clients go first (its
process, which cannot get its priority back, is replaced once it answers).

When a build has put a new store in the graph folder (a new folder under the same name),
the next call starts a new set of processes on it and the old ones end as they finish:
no call starts on a deleted store.

>>> import tempfile
>>> from kg import store
>>> out = Path(tempfile.mkdtemp())
>>> _ = store.write([(store.Triples('<http://x/a> <http://x/p> "洛阳市" .\\n'), None)], out)
>>> pool = Pool(out, store.open_store, processes=1, timeout=10)
>>> pool.start()
>>> pool.call(len)  # len(store), in a query process
1
>>> pool.close()
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import signal
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Callable

from kg.store import STORE_DIR

log = logging.getLogger("kg")

STARTUP_SECONDS = 60  # how long a new process may take to open the store
SLOW_SECONDS = 1.0  # a query still running after this long gets the CPU only when quick ones leave it
MISSING_SECONDS = 1.0  # how long a call waits for a store that is missing (a build swapping it)


class Busy(Exception):
    """Every process stayed busy until the call's deadline."""


class Timeout(Exception):
    """The call ran past its deadline; its process was killed."""


class NoGraph(Exception):
    """There is no store to answer from (none built, removed, or it cannot be opened)."""


def store_identity(out_dir: Path) -> tuple | None:
    """What tells one build's store from the next: its folder's inode and times (a build
    moves a new folder into place); None when there is no store."""
    try:
        st = os.stat(Path(out_dir) / STORE_DIR)
    except OSError:
        return None
    return st.st_dev, st.st_ino, st.st_mtime_ns, st.st_ctime_ns


@dataclass(eq=False)
class _Process:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    generation: int
    slow: bool = False  # running at the lowest priority


def _lower_priority(worker: _Process) -> None:
    """Give a slow query's process the lowest CPU priority, so that it does not slow the
    quick queries of other clients while it runs out its time."""
    worker.slow = True
    try:
        os.setpriority(os.PRIO_PROCESS, worker.process.pid, 19)
    except (AttributeError, OSError):  # not on this system
        pass


class Pool:
    """``processes`` query processes over the graph in ``out_dir``, each holding
    ``opener(out_dir)`` (a module-level function); ``call(f, *args)`` runs
    ``f(graph, *args)`` in one of them within ``timeout`` seconds."""

    def __init__(self, out_dir: Path | str, opener: Callable[[Path], Any], processes: int = 4, timeout: float = 10.0):
        self.out_dir = Path(out_dir)
        self.opener = opener
        self.processes = processes
        self.timeout = timeout
        self.context = _context(opener.__module__)
        # The query processes watch one end of this pipe; the other, never written to, closes
        # when this process ends (even by kill -9), and they end with it.
        self._watched, self._held = self.context.Pipe(duplex=False)
        self.idle: queue.Queue[_Process] = queue.Queue()
        self.lock = threading.Lock()
        self.live: set[_Process] = set()
        self.generation = 0
        self.identity: tuple | None = None
        self.failure: str | None = None  # why the last process could not open the store
        self.closed = False

    def start(self) -> None:
        """Start the processes and wait until one has opened the store; NoGraph when none can."""
        self._follow_builds()
        try:
            self.idle.put(self._take(time.monotonic() + STARTUP_SECONDS))
        except Busy as exc:
            raise NoGraph(self.failure or str(exc)) from exc

    def call(self, function: Callable, *args) -> Any:
        """``function(graph, *args)`` in a query process: its result, or what it raised.
        Raises Busy, Timeout or NoGraph when it cannot answer in time."""
        deadline = time.monotonic() + self.timeout
        self._follow_builds()
        worker = self._take(deadline)
        try:
            worker.conn.send((function, args))
            answered = worker.conn.poll(max(0.0, min(SLOW_SECONDS, deadline - time.monotonic())))
            if not answered and time.monotonic() < deadline:
                _lower_priority(worker)
                answered = worker.conn.poll(max(0.0, deadline - time.monotonic()))
            if not answered:
                self._replace(worker)
                raise Timeout(f"the query ran longer than the {self.timeout:g} s limit")
            outcome, value = worker.conn.recv()
        except (EOFError, OSError) as exc:  # it died: killed from outside, out of memory
            self._replace(worker)
            raise RuntimeError("the query process ended without an answer") from exc
        if worker.slow:  # its priority cannot be raised again: a fresh one takes its place
            self._replace(worker)
        else:
            self._give_back(worker)
        if outcome == "error":
            raise value
        return value

    def close(self) -> None:
        """Stop every process at once, busy or not."""
        self.closed = True
        with self.lock:
            workers = list(self.live)
        for worker in workers:  # all killed first, then waited for: a second at most in all
            worker.process.kill()
        for worker in workers:
            self._stop(worker)
        self._held.close()

    # ---- the processes ---------------------------------------------------------------

    def _follow_builds(self) -> None:
        """Start a new set of processes when a build has replaced the store."""
        identity = store_identity(self.out_dir)
        waited = 0.0
        while identity is None and waited < MISSING_SECONDS:  # a build between its two renames
            time.sleep(0.05)
            waited += 0.05
            identity = store_identity(self.out_dir)
        if identity is None:
            raise NoGraph(f"no graph in {self.out_dir} just now: run `kg build` (or wait for the build replacing it)")
        if identity == self.identity:
            return
        with self.lock:
            if identity == self.identity or self.closed:
                return
            self.generation += 1
            self.identity, self.failure = identity, None
            generation = self.generation
        log.info("serving the build in %s (store %s)", self.out_dir, identity[1])
        while True:  # the idle ones of the last build end now, the busy ones when they finish
            try:
                self._stop(self.idle.get_nowait())
            except queue.Empty:
                break
        for _ in range(self.processes):
            self._spawn(generation)

    def _take(self, deadline: float) -> _Process:
        """An idle process of the current build, waiting for one until ``deadline``."""
        while True:
            try:
                worker = self.idle.get(timeout=min(0.25, max(0.0, deadline - time.monotonic())))
            except queue.Empty:
                with self.lock:
                    starting = any(w.generation == self.generation for w in self.live)
                if self.failure and not starting:
                    raise NoGraph(self.failure) from None
                if time.monotonic() >= deadline:
                    raise Busy(f"all {self.processes} query processes stayed busy for {self.timeout:g} s; try again shortly") from None
                continue
            if worker.generation != self.generation:
                self._stop(worker)
            elif not worker.process.is_alive():  # ended while idle (killed from outside)
                self._replace(worker)
            else:
                return worker

    def _give_back(self, worker: _Process) -> None:
        if worker.generation == self.generation and not self.closed:
            self.idle.put(worker)
        else:
            self._stop(worker)

    def _replace(self, worker: _Process) -> None:
        self._stop(worker)
        if worker.generation == self.generation and not self.closed:
            self._spawn(worker.generation)

    def _spawn(self, generation: int) -> None:
        """Start a process on a thread of its own, which puts it with the idle ones once it
        has opened the store (the call that killed its predecessor need not wait)."""

        def start() -> None:
            ours, theirs = self.context.Pipe()
            process = self.context.Process(target=_serve, args=(theirs, self._watched, self.out_dir, self.opener), daemon=True, name="kg-query")
            worker = _Process(process, ours, generation)
            with self.lock:
                if self.closed:
                    return
                self.live.add(worker)
                process.start()
            theirs.close()
            try:
                ready = ours.poll(STARTUP_SECONDS)
                outcome, value = ours.recv() if ready else ("failed", f"the query process did not open the store in {STARTUP_SECONDS} s")
            except (EOFError, OSError):
                outcome, value = "failed", "the query process ended while it opened the store"
            if outcome == "ready" and value == self.identity and generation == self.generation:
                self.idle.put(worker)
                return
            if outcome != "ready":
                log.warning("cannot open the graph in %s: %s", self.out_dir, value)
                self.failure = f"cannot open the graph in {self.out_dir}: {value}"
            elif generation == self.generation:  # it opened a newer build than this set is for
                self.identity = None  # the next call starts a set for that build
            self._stop(worker)

        threading.Thread(target=start, daemon=True, name="kg-query-start").start()

    def _stop(self, worker: _Process) -> None:
        worker.process.kill()
        worker.process.join(1)
        worker.conn.close()
        with self.lock:
            self.live.discard(worker)


def _context(module: str):
    """Processes forked from a clean server process that has imported ``module``: quick
    to start, and safe beside the HTTP server's threads (spawned where there is no fork)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([module])
    return context


def _serve(conn: Connection, lifeline: Connection, out_dir: Path, opener: Callable[[Path], Any]) -> None:
    """A query process: open the graph, say so, then answer calls until the pipe closes,
    or ``lifeline`` does (the server ended, perhaps in the middle of a query)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    threading.Thread(target=lambda: lifeline.poll(None) and os._exit(1), daemon=True).start()
    try:
        graph, identity = _open(out_dir, opener)
    except Exception as exc:  # noqa: BLE001 - reported to the server, which says why
        conn.send(("failed", str(exc)))
        return
    conn.send(("ready", identity))
    while True:
        try:
            function, args = conn.recv()
        except (EOFError, OSError):
            return
        try:
            answer = ("ok", function(graph, *args))
        except Exception as exc:  # noqa: BLE001 - raised again in the server
            answer = ("error", exc)
        try:
            conn.send(answer)
        except Exception as exc:  # noqa: BLE001 - an answer that cannot be pickled
            conn.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))


def _open(out_dir: Path, opener: Callable[[Path], Any]) -> tuple[Any, tuple]:
    """``opener(out_dir)`` and the identity of the store it opened (the same before and after)."""
    for _ in range(5):
        before = store_identity(out_dir)
        graph = opener(out_dir)
        if before is not None and store_identity(out_dir) == before:
            return graph, before
        del graph  # a build replaced the store while it opened: again
    raise OSError("the store kept changing while it was opened")
