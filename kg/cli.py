"""The ``kg`` command: a thin shell over the package's functions.

    kg build [PATHS...] [-o output]          articles in, graph out (seeds/ by default)
    kg query "SPARQL" [-o output] [--format table|csv|json]
"""

from __future__ import annotations

import csv
import io
import json
import logging
import sys
from pathlib import Path

import click

OUTPUT_OPTION = click.option(
    "-o", "--out", "out_dir", type=click.Path(path_type=Path), default=Path("output"), show_default=True,
    help="Folder the graph is built into (and read from).",
)  # fmt: skip


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
@OUTPUT_OPTION
@click.option("--config", "config_path", type=click.Path(exists=True, path_type=Path), help="Pipeline config (default: the built-in kg/default.cfg).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def build(paths: tuple[Path, ...], out_dir: Path, config_path: Path | None, quiet: bool) -> None:
    """Build the graph from article files or folders (default: seeds/)."""
    from kg.build import build as run, summary
    from kg.ingest import InputError

    try:
        report = run(paths or (Path("seeds"),), out_dir, config_path, progress=not quiet)
    except InputError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(summary(report))


@main.command()
@click.argument("sparql")
@OUTPUT_OPTION
@format_option
def query(sparql: str, out_dir: Path, fmt: str) -> None:
    """Run a SPARQL query over the built graph.

    SPARQL is a query, or @FILE to read one from a file. The prefixes kg, rdf, rdfs,
    owl, xsd, prov, skos and dcterms are declared for you.
    """
    from kg.query import QueryError, run_query

    if sparql.startswith("@"):
        sparql = Path(sparql[1:]).read_text(encoding="utf-8")
    try:
        columns, rows = run_query(sparql, out_dir)
    except (QueryError, FileNotFoundError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(render(columns, rows, fmt), nl=False)


def render(columns: list[str], rows: list[list[str]], fmt: str) -> str:
    """Rows as an aligned table, CSV, or JSON (a list of objects)."""
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
    widths = [min(w, 60) for w in widths]

    def line(cells: list[str]) -> str:
        out = []
        for cell, w in zip(cells, widths):
            cell = cell if width(cell) <= w else cell[: w // 2 - 1] + "…"
            out.append(cell + " " * (w - width(cell)))
        return "  ".join(out).rstrip()

    text = [line(columns), line(["-" * w for w in widths])] + [line(r) for r in rows]
    return "\n".join(text) + f"\n({len(rows)} row{'s' if len(rows) != 1 else ''})\n"


if __name__ == "__main__":
    sys.exit(main())
