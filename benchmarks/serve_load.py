"""Load check of ``kg serve``: many clients at once, with and without runaway queries.

Starts ``kg serve`` on a loopback port over a built graph (the seed pages, built into a
temporary folder, unless ``--graph`` names one), then for each number of clients sends a
fixed number of requests from that many concurrent clients (each request on a new
connection, clients spread over a few processes) and reports requests per second and the
median and 99th-percentile latency. Each setting runs twice: on a quiet server, and while
queries that would run for hours are in flight (four unless ``--runaways`` says; each is
answered 503 at the deadline and sent again at once). Requests take turns over ``ASK {}``, the named query
``hospital_accreditations`` and ``/api/article`` for one article (a few milliseconds of
work each; the explorer's search and neighbourhood calls take 30-80 ms of CPU each on the
seed graph, which two cores cannot give 32 clients at once within 200 ms).

    python benchmarks/serve_load.py                     # 8 and 32 clients, 2,000 requests each
    python benchmarks/serve_load.py --clients 8 --requests 500 --json load.json

Bounded: a fixed number of requests, each with a time limit; the server is stopped at
the end; nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i FILTER(?i != {}) }}"
ASK = "/sparql?" + urllib.parse.urlencode({"query": "ASK {}"})
FIRST_ARTICLE = "SELECT ?a WHERE { ?a a kg:Article } ORDER BY ?a LIMIT 1"


def request(port: int, path: str, timeout: float = 30) -> int:
    """GET ``path`` on a new connection; the status."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Accept": "application/sparql-results+json"})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def requests_for(port: int) -> list[str]:
    """The paths the clients take turns over."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/sparql?" + urllib.parse.urlencode({"query": FIRST_ARTICLE}), headers={"Accept": "application/sparql-results+json"})
    article = json.load(connection.getresponse())["results"]["bindings"][0]["a"]["value"]
    connection.close()
    return [
        ASK,
        "/sparql?" + urllib.parse.urlencode({"query": (ROOT / "queries" / "hospital_accreditations.rq").read_text(encoding="utf-8")}),
        "/api/article?" + urllib.parse.urlencode({"iri": article}),
    ]


def client_process(port: int, paths: list[str], clients: int, count: int, first: int) -> list[tuple[float, int]]:
    """``clients`` threads sending ``count`` requests between them; each one's
    ``(seconds, status)`` (status 0: no answer)."""
    results: list[tuple[float, int]] = []
    lock = threading.Lock()
    taken = iter(range(first, first + count))

    def client() -> None:
        while True:
            with lock:
                n = next(taken, None)
            if n is None:
                return
            began = time.perf_counter()
            try:
                status = request(port, paths[n % len(paths)])
            except OSError:
                status = 0
            with lock:
                results.append((time.perf_counter() - began, status))

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def load(port: int, clients: int, requests: int) -> dict:
    """``requests`` requests from ``clients`` concurrent clients: rate and latencies."""
    processes = min(4, clients)
    paths = requests_for(port)
    shares = [(port, paths, clients // processes + (i < clients % processes), requests // processes + (i < requests % processes)) for i in range(processes)]
    starts = [sum(s[3] for s in shares[:i]) for i in range(processes)]
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        pool.apply(time.sleep, (0,))  # the processes are up before the clock starts
        began = time.perf_counter()
        parts = pool.starmap(client_process, [(*share, start) for share, start in zip(shares, starts)])
        seconds = time.perf_counter() - began
    results = [r for part in parts for r in part]
    latencies = sorted(s for s, _ in results)
    return {
        "clients": clients, "requests": len(results), "seconds": round(seconds, 2),
        "per_second": round(len(results) / seconds), "p50_ms": round(1000 * statistics.median(latencies), 1),
        "p99_ms": round(1000 * latencies[int(0.99 * (len(latencies) - 1))], 1), "max_ms": round(1000 * latencies[-1], 1),
        "failed": sum(1 for _, status in results if status != 200),
    }  # fmt: skip


@contextlib.contextmanager
def runaways(port: int, count: int):
    """``count`` runaway queries in flight for as long as the block runs: each, answered
    503 at the deadline, is sent again at once."""
    stop = threading.Event()
    answers: list[int] = []

    def send(n: int) -> None:
        while not stop.is_set():
            try:
                answers.append(request(port, "/sparql?" + urllib.parse.urlencode({"query": RUNAWAY.format(n)}), timeout=120))
            except OSError:
                answers.append(0)

    threads = [threading.Thread(target=send, args=(n,), daemon=True) for n in range(count)]
    for thread in threads:
        thread.start()
    time.sleep(1)  # running
    try:
        yield answers
    finally:
        stop.set()
        for thread in threads:  # their last ones end at the deadline
            thread.join()


@contextlib.contextmanager
def server(graph: Path, timeout: float, workers: int | None = None):
    """``kg serve graph`` on a free loopback port, until the block ends."""
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = [sys.executable, "-m", "kg.cli", "serve", str(graph), "--port", str(port), "--timeout", str(timeout)]
    command += ["--workers", str(workers)] if workers else []
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(600):
            if process.poll() is not None:
                raise RuntimeError(f"kg serve ended: {process.stderr.read().decode(errors='replace')[-2000:]}")
            try:
                request(port, ASK, timeout=2)
                break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


def seed_graph(folder: Path) -> Path:
    """The seed pages built into ``folder``."""
    subprocess.run([sys.executable, "-m", "kg.cli", "build", str(ROOT / "seeds"), "-o", str(folder), "-q"], check=True, stdout=subprocess.DEVNULL)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--graph", type=Path, help="a built graph folder (default: the seed pages, built for this run)")
    parser.add_argument("--clients", default="8,32", help="numbers of concurrent clients, comma-separated")
    parser.add_argument("--requests", type=int, default=2000, help="requests per setting")
    parser.add_argument("--runaways", type=int, default=4, help="runaway queries in flight in the second run of each setting")
    parser.add_argument("--timeout", type=float, default=10, help="the server's --timeout")
    parser.add_argument("--workers", type=int, help="the server's --workers (default: its own default)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        graph = args.graph or seed_graph(Path(work) / "graph")
        rows = []
        with server(graph, args.timeout, args.workers) as port:
            for clients in [int(c) for c in args.clients.split(",")]:
                for count in (0, args.runaways):
                    with runaways(port, count) if count else contextlib.nullcontext([]) as answers:
                        row = load(port, clients, args.requests)
                    row["runaways"] = count
                    row["runaway_answers"] = sorted(set(answers))
                    rows.append(row)
                    print(f"{clients:>3} clients, {count} runaway: {row['per_second']:>5} req/s, p50 {row['p50_ms']:>6} ms, "
                          f"p99 {row['p99_ms']:>6} ms, max {row['max_ms']:>6} ms, {row['failed']} failed", flush=True)  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps({"cpus": os.cpu_count(), "settings": rows}, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
