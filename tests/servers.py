"""Start and stop real server processes for tests, on loopback ports."""

from __future__ import annotations

import contextlib
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
def running(command: list[str], url: str, timeout: float = 60):
    """Run ``command``, wait until ``url`` answers, yield, then stop it."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
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


def kg_command() -> list[str]:
    return [sys.executable, "-m", "kg.cli"]


def oxigraph_command() -> list[str]:
    """The Oxigraph server from the `oxigraph` package, next to this Python."""
    binary = Path(sys.executable).with_name("oxigraph")
    if not binary.exists():
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "oxigraph"], check=True)
    return [str(binary)]
