"""The ``kg`` command: a thin shell over the package's functions.

    kg build [PATHS...] [-g output]             articles in, graph out (seeds/ by default)
    kg query "SPARQL" [-g output] [--format table|csv|json]
    kg push URL [-g output]                     send the graph to a SPARQL server
    kg serve [-g output] [--port 8000]          SPARQL endpoint and explorer page
    kg stats [-g output]                        network statistics with networkx
    kg eval GOLD [--json FILE]                  precision, recall, F1 against gold annotations
    kg train [GOLD]                             train the recogniser and relation model

Every command that builds or reads the graph names its folder with ``-g/--graph``
(default ``output``); the older ``-o/--out`` and, for serve and stats, a folder given
as the first argument still work.
"""

from __future__ import annotations

import csv
import errno
import functools
import io
import json
import logging
import socket
import sys
from pathlib import Path

import click

GRAPH_FOLDER = Path("output")
#: What ``kg build`` reads when given nothing: the sample pages of a checkout.
SEEDS = Path("seeds")


class _UnlistedArgument(click.Argument):
    """A positional argument that still works but is left out of the usage line."""

    def get_usage_pieces(self, ctx: click.Context) -> list[str]:
        return []


def graph_option(positional: bool = False):
    """``-g/--graph DIR``, the folder the graph is built into and read from (default
    ``output``), passed to the command as ``graph``. The older spellings stay unlisted:
    ``-o/--out``, and with ``positional`` a folder given as the first argument."""

    def decorate(func):
        @functools.wraps(func)
        def command(*args, graph: Path | None, old_out: Path | None, old_positional: Path | None = None, **kwargs):
            given = {g for g in (graph, old_out, old_positional) if g is not None}
            if len(given) > 1:
                raise click.UsageError("give the graph folder once, with -g/--graph")
            return func(*args, graph=given.pop() if given else GRAPH_FOLDER, **kwargs)

        command = click.option("-o", "--out", "old_out", type=click.Path(path_type=Path), hidden=True)(command)
        if positional:
            command = click.argument("old_positional", required=False, type=click.Path(path_type=Path), cls=_UnlistedArgument)(command)
        return click.option(
            "-g", "--graph", metavar="DIR", type=click.Path(path_type=Path),
            help=f"Folder the graph is built into and read from.  [default: {GRAPH_FOLDER}]",
        )(command)  # fmt: skip

    return decorate


def format_option(func):
    """``--format table|csv|json``, shared by every command that prints rows."""
    return click.option(
        "--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True, help="How to print the rows."
    )(func)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kg")
@click.option("-v", "--verbose", is_flag=True, help="Log more.")
def main(verbose: bool) -> None:
    """Turn Chinese health news and reports into a knowledge graph you can query."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(message)s")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@graph_option()
@click.option("--config", "config_path", type=click.Path(exists=True, path_type=Path), help="Pipeline config (default: the built-in kg/default.cfg).")
@click.option("--rules", "rules_only", is_flag=True, help="Rules alone, without the trained recogniser and relation model.")
@click.option("--workers", default=1, show_default=True, help="Processes to extract with.")
@click.option("--scheduler", metavar="dask://HOST:PORT", help="Extract on a Dask cluster instead.")
@click.option("--no-cache", is_flag=True, help="Extract every article again, even unchanged ones (the cache is refreshed).")
@click.option("--report", "report_path", type=click.Path(path_type=Path), help="Also write the build's figures as JSON.")
@click.option("--force", is_flag=True, help="Build into a folder that holds other things (which are never replaced or removed).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def build(paths: tuple[Path, ...], graph: Path, config_path: Path | None, rules_only: bool, workers: int, scheduler: str | None, no_cache: bool, report_path: Path | None, force: bool, quiet: bool) -> None:
    """Build the graph from article files or folders (default: seeds/).

    A rebuild into the same folder extracts only the articles that changed (their text,
    or the pipeline); --no-cache extracts everything. The folder must be new, empty or
    one kg build wrote, unless --force.
    """
    from kg.build import BuildError, build as run, summary
    from kg.ingest import InputError
    from kg.outdir import FolderError

    if not paths and not SEEDS.is_dir():
        raise click.ClickException(f"nothing to build: give the article files or folders, e.g. `kg build articles/` (without them it reads {SEEDS}/, and there is none here)")
    try:
        report = run(paths or (SEEDS,), graph, config_path, progress=not quiet, rules_only=rules_only, workers=workers, scheduler=scheduler, cache=not no_cache, force=force)
    except (InputError, BuildError, FolderError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(summary(report))
    if report_path:
        figures = {
            "seconds": report.seconds, "characters": report.characters, "files": report.files, "articles": report.counts.articles,
            "entities": report.counts.distinct_entities, "relations": report.counts.distinct_relations,
            "statements": report.counts.statements, "triples": report.quads,
            "reused": report.reused, "patched": report.patched, "timings": report.timings, "skipped": [str(e) for e in report.skipped],
        }  # fmt: skip
        report_path.write_text(json.dumps(figures, ensure_ascii=False, indent=2), encoding="utf-8")


@main.command()
@click.argument("sparql")
@graph_option()
@format_option
@click.option("--bind", "bindings", multiple=True, metavar="NAME=VALUE", help="Give a query variable a value, e.g. --bind name=焦作市.")
@click.option("--endpoint", metavar="URL", help="Ask a SPARQL server instead of the local graph, e.g. http://127.0.0.1:7878/query.")
@click.option("--width", "max_width", default=0, show_default=True, type=click.IntRange(min=0), metavar="N",
              help="Cut a table's cells to N columns (a Chinese character takes two); 0 shows every cell whole.")
def query(sparql: str, graph: Path, fmt: str, bindings: tuple[str, ...], endpoint: str | None, max_width: int) -> None:
    """Run a SPARQL query over the built graph.

    SPARQL is a query, @FILE to read one from a file, or the name of a query in
    queries/ (kg query hospital_accreditations; kg query about --bind name=焦作市).
    The prefixes kg, rdf, rdfs, owl, xsd, prov, skos and dcterms are declared for you.
    """
    from kg.query import QueryError, resolve_query, run_query

    try:
        values = dict(b.split("=", 1) for b in bindings)
    except ValueError as exc:
        raise click.BadParameter("use NAME=VALUE", param_hint="--bind") from exc
    from kg.remote import RemoteError, remote_query

    try:
        text = resolve_query(sparql)
        if endpoint:
            if values:
                raise click.UsageError("--bind works on the local graph only")
            columns, rows = remote_query(text, endpoint)
        else:
            columns, rows = run_query(text, graph, bindings=values)
    except (QueryError, FileNotFoundError, RemoteError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(render(columns, rows, fmt, max_width), nl=False)


@main.command()
@click.argument("url")
@graph_option()
@click.option("--replace", is_flag=True, help="Replace the server's default graph instead of adding to it.")
@click.option("--update", "use_update", is_flag=True, help="Use SPARQL Update (URL is the update endpoint) instead of the Graph Store Protocol.")
def push(url: str, graph: Path, replace: bool, use_update: bool) -> None:
    """Send the built graph to a SPARQL server.

    URL is the server's Graph Store Protocol address (Oxigraph: http://HOST:7878/store,
    Fuseki: http://HOST:3030/DATASET/data), or with --update its update endpoint.
    """
    from kg.remote import RemoteError, push as send

    try:
        count = send(graph, url, replace=replace, update=use_update)
    except (RemoteError, FileNotFoundError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Sent {count:,} triples from {graph} to {url}.")


@main.command()
@click.argument("gold_dir", default="tests/gold/seeds", type=click.Path(exists=True, path_type=Path))
@click.option("--corpus", type=click.Path(path_type=Path), default=Path("corpus"), show_default=True,
              help="The written corpus (gold/ and texts/), trained on beside GOLD_DIR; a missing folder is skipped.")
@click.option("--out", "models", type=click.Path(path_type=Path), default=None, help="Where to write the models (default: kg/models, which kg build loads).")
@click.option("--no-folds", is_flag=True, help="Skip the held-out models `kg eval` uses (one per seed page, one for the corpus).")
def train(gold_dir: Path, corpus: Path, models: Path | None, no_folds: bool) -> None:
    """Train the recogniser, the relation model and the author model from gold annotations.

    Writes the shipped models (trained on every article) and, unless --no-folds, the
    held-out ones `kg eval` uses: one per seed page, trained without that page, and one
    without every fifth corpus document. Runs on the CPU with fixed settings.
    """
    import time

    from kg.train import MODELS, load_records, train_all

    logging.getLogger("kg").setLevel(logging.INFO)
    started = time.perf_counter()
    records = load_records(gold_dir, corpus)
    made = train_all(records, models or MODELS, folds=not no_folds)
    click.echo(f"Trained {len(made)} model pair(s) from {len(records)} articles in {time.perf_counter() - started:.0f} s: " + ", ".join(map(str, made)))


@main.command(name="eval")
@click.argument("gold_dir", default="tests/gold/seeds", type=click.Path(exists=True, path_type=Path))
@click.option("--split", type=click.Choice(["heldout", "all"]), default="heldout", show_default=True,
              help="heldout: each seed page scored by the models trained without it; all: the shipped models on everything.")
@click.option("--json", "json_path", type=click.Path(path_type=Path), help="Also write the figures as JSON.")
def evaluate(gold_dir: Path, split: str, json_path: Path | None) -> None:
    """Precision, recall and F1 against gold annotations.

    GOLD is a folder of gold records (tests/gold/seeds) or of calibration files (a
    folder with gold/ and texts/). Scores the trained pipeline, the rules alone and a
    jieba part-of-speech baseline in the same run.
    """
    from kg.evaluate import report, run_evaluation

    results = run_evaluation(gold_dir, split)
    click.echo(report(results))
    if json_path:
        json_path.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")


@main.command()
@graph_option(positional=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback by default).")
@click.option("--port", default=8000, show_default=True, help="Port to listen on.")
@click.option("--timeout", default=10.0, show_default=True, help="Seconds a query may run (then its process is killed), and a client may stay silent.")
@click.option("--max-rows", default=10_000, show_default=True, help="Rows a result may hold.")
@click.option("--workers", default=6, show_default=True, type=click.IntRange(min=1), help="Query processes: how many queries run at once.")
@click.option("--cors", metavar="ORIGIN", help="Let pages from this origin call the server, e.g. https://app.example (none by default).")
@click.option("--allow-service", multiple=True, metavar="URL", help="Allow SERVICE (federated queries) to this endpoint; repeat for more (none by default).")
def serve(graph: Path, host: str, port: int, timeout: float, max_rows: int, workers: int, cors: str | None, allow_service: tuple[str, ...]) -> None:
    """Serve the graph: SPARQL at /sparql, the explorer at /.

    A rebuild of GRAPH is served as soon as it is done, without a restart.
    """
    from kg.serve import make_server, serve_until_stopped
    from kg.workers import NoGraph

    try:
        server = make_server(graph, host, port, timeout, max_rows, workers, cors, allow_service)
    except (FileNotFoundError, NoGraph) as exc:
        raise click.ClickException(str(exc)) from exc
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
        raise click.ClickException(f"port {port} is in use: try --port {free_port_after(host, port)}") from exc
    click.echo(f"Serving {graph} at http://{host}:{port}/  (SPARQL: http://{host}:{port}/sparql; Ctrl-C stops)")
    serve_until_stopped(server)


@main.command()
@graph_option(positional=True)
@click.option("--top", default=10, show_default=True, help="How many leaders to list.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def stats(graph: Path, top: int, as_json: bool) -> None:
    """Network statistics: leaders, communities, components, shared programs."""
    from kg.analysis import format_statistics, load_graph, statistics

    try:
        figures = statistics(load_graph(graph), top)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(json.dumps(figures, ensure_ascii=False, indent=2) if as_json else format_statistics(figures))


@main.command()
@click.option("--sizes", default="1,8,64", show_default=True, help="Corpus sizes, as multiples of the seed pages.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(min=1), help="Processes for the parallel build at the largest size.")
@click.option("--work", type=click.Path(path_type=Path), default=Path("output/bench"), show_default=True, help="Folder for the corpora and builds.")
@click.option("--json", "json_path", type=click.Path(path_type=Path), help="Also write the figures as JSON.")
def bench(sizes: str, workers: int, work: Path, json_path: Path | None) -> None:
    """Benchmark builds and queries at several corpus sizes (takes minutes at 64x)."""
    from kg.bench import run, table

    results = run([int(s) for s in sizes.split(",")], work, workers=workers, progress=lambda m: click.echo(m, err=True))
    click.echo(table(results))
    if json_path:
        json_path.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")


def free_port_after(host: str, port: int) -> int:
    """The first port after ``port`` that ``host`` can listen on now (``port + 1`` if
    none of the next hundred can), for the message of a busy port."""
    for candidate in range(port + 1, min(port + 101, 65536)):
        with socket.socket() as probe:
            try:
                probe.bind((host, candidate))
            except OSError:
                continue
            return candidate
    return port + 1


def render(columns: list[str], rows: list[list[str]], fmt: str, max_width: int = 0) -> str:
    """Rows as an aligned table, CSV, or JSON (a list of objects). A table shows every
    cell whole, unless ``max_width`` (in terminal columns, a Chinese character taking
    two) cuts longer ones with "…".

    >>> print(render(["city", "evidence"], [["洛阳市", "洛阳市投资1.5亿元"]], "table", max_width=12), end="")
    city    evidence
    ------  ------------
    洛阳市  洛阳市投资…
    (1 row)
    """
    if fmt == "json":
        return json.dumps([dict(zip(columns, row)) for row in rows], ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(columns)
        writer.writerows(rows)
        return buffer.getvalue()
    from kg.cleanup import width

    widths = [max([width(c)] + [width(r[i]) for r in rows]) for i, c in enumerate(columns)]
    widths = [min(w, max_width) if max_width > 0 else w for w in widths]

    def cut(cell: str, room: int) -> str:
        if width(cell) <= room:
            return cell
        kept = ""
        for ch in cell:
            if width(kept + ch + "…") > room:
                break
            kept += ch
        return kept + "…"

    def line(cells: list[str]) -> str:
        cells = [cut(cell, w) for cell, w in zip(cells, widths)]
        return "  ".join(cell + " " * (w - width(cell)) for cell, w in zip(cells, widths)).rstrip()

    rules = ["-" * w for w in widths[:-1]] + ["-" * min(w, 60) for w in widths[-1:]]  # a long last column is not ruled across the screen
    text = [line(columns), line(rules)] + [line(r) for r in rows]
    return "\n".join(text) + f"\n({len(rows)} row{'s' if len(rows) != 1 else ''})\n"


if __name__ == "__main__":
    sys.exit(main())
