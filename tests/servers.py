"""Start and stop real server processes for tests, on loopback ports."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running(command: list[str], url: str, timeout: float = 60, **popen):
    """Run ``command`` (``popen``: more arguments for Popen), wait until ``url`` answers,
    yield, then stop it."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **popen)
    try:
        deadline = time.time() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{command[0]} exited: {process.stdout.read().decode(errors='replace')[-2000:]}")
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except urllib.error.HTTPError:
                break  # it answers
            except OSError:
                if time.time() > deadline:
                    raise RuntimeError(f"{command[0]} did not answer at {url} within {timeout} s")
                time.sleep(0.2)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _stat(pid: int) -> list[str]:
    """The fields of ``/proc/PID/stat`` after the command name: state, parent, ... (Linux)."""
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2 :].split()


def process_tree(pid: int) -> set[int]:
    """``pid`` and every process below it that is still running (not a zombie)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        try:
            fields = _stat(int(entry.name))
        except (ValueError, OSError):
            continue
        if fields[0] != "Z":
            parents[int(entry.name)] = int(fields[1])
    tree, grown = {pid} & parents.keys(), True
    while grown:
        below = {child for child, parent in parents.items() if parent in tree} - tree
        tree |= below
        grown = bool(below)
    return tree


def cpu_seconds(pids: set[int]) -> dict[int, float]:
    """The CPU time (user and system) each process has used so far, of those still there."""
    used = {}
    for pid in pids:
        try:
            fields = _stat(pid)
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return used


def still_running(pids: set[int]) -> set[int]:
    """Those of ``pids`` that have not ended (a zombie, ended but not yet reaped, has)."""
    running = set()
    for pid in pids:
        try:
            if _stat(pid)[0] != "Z":
                running.add(pid)
        except OSError:
            pass
    return running


def kg_command() -> list[str]:
    return [sys.executable, "-m", "kg.cli"]


def oxigraph_command() -> list[str]:
    """The Oxigraph server from the `oxigraph` package, next to this Python."""
    binary = Path(sys.executable).with_name("oxigraph")
    if not binary.exists():
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "oxigraph"], check=True)
    return [str(binary)]
