"""Gold annotations: their file format, loading, and a validator.

One JSON file per article, in the calibration format plus the article's cleaned
text, so every span can be checked against it::

    {"article": "000_9ae0e2e588ed5348/a01", "page": "000_9ae0e2e588ed5348.txt",
     "region": "洛阳市", "text": "洛阳：基层医疗服务能力显著提升\\n近年来，洛阳市卫生健康委…",
     "entities": [{"label": "洛阳市卫生健康委员会", "class": "GovernmentBody",
                   "mentions": ["洛阳市卫生健康委", "市卫生健康委"]}],
     "relations": [{"head": "洛阳市", "property": "funds", "tail": "…",
                    "evidence": "…"}],
     "fundings": [{"funder": "洛阳市", "amount_yuan": 3430000000, "text": "34.3亿元",
                   "purpose": "…", "evidence": "…", "year": null}]}

Mentions are surface strings; :func:`mention_spans` finds their character
offsets in ``text`` (longest first, no overlaps).

>>> record = {"article": "x", "text": "洛阳市投资2亿元。", "entities": [
...     {"label": "洛阳市", "class": "City", "mentions": ["洛阳市"]}],
...     "relations": [{"head": "洛阳市", "property": "runs", "tail": "春苗工程", "evidence": "洛阳市投资2亿元。"}],
...     "fundings": []}
>>> validate(record)
['x: relation tail "春苗工程" is not an annotated entity', 'x: runs: tail class of "春苗工程" is unknown']
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

from kg.matching import KeywordMatcher
from kg.ontology_terms import CLASSES, PROPERTIES, fits


def load_dir(folder: Path | str) -> list[dict]:
    """Every gold record under ``folder`` (recursively), sorted by article id."""
    records = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(Path(folder).rglob("*.json"))]
    return sorted(records, key=lambda r: r["article"])


def load_calibration(folder: Path | str) -> list[dict]:
    """Calibration gold (``gold/*.json`` with texts in ``texts/*.txt``): the same format,
    the text added from the matching file."""
    folder = Path(folder)
    records = []
    for path in sorted((folder / "gold").glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        record.setdefault("text", (folder / "texts" / f"{path.stem}.txt").read_text(encoding="utf-8"))
        records.append(record)
    return records


def mention_spans(record: dict) -> Iterator[tuple[int, int, str, str]]:
    """``(start, end, label, class)`` of every mention found in the record's text."""
    surfaces: dict[str, tuple[str, str]] = {}
    for entity in record["entities"]:
        for mention in entity.get("mentions", []):
            surfaces.setdefault(mention, (entity["label"], entity["class"]))
    for start, end, (label, cls) in KeywordMatcher(surfaces).find(record["text"]):
        yield start, end, label, cls


def validate(record: dict) -> list[str]:
    """Problems with one record (an empty list when it is valid)."""
    name = record.get("article", "?")
    problems: list[str] = []
    text = record.get("text", "")
    classes: dict[str, str] = {}
    for entity in record.get("entities", []):
        label, cls = entity.get("label", ""), entity.get("class", "")
        if not label:
            problems.append(f"{name}: entity without a label")
        if cls not in CLASSES:
            problems.append(f'{name}: "{label}" has unknown class "{cls}"')
        if label in classes and classes[label] != cls:
            problems.append(f'{name}: "{label}" annotated twice with different classes')
        classes[label] = cls
        for mention in entity.get("mentions", []):
            if mention not in text:
                problems.append(f'{name}: mention "{mention}" of "{label}" is not in the text')
    for relation in record.get("relations", []):
        prop = relation.get("property")
        if prop not in PROPERTIES:
            problems.append(f'{name}: unknown property "{prop}"')
            continue
        domain, range_ = PROPERTIES[prop]
        head, tail = relation.get("head"), relation.get("tail")
        if head not in classes:
            problems.append(f'{name}: relation head "{head}" is not an annotated entity')
        elif not fits(classes[head], domain):
            problems.append(f'{name}: {prop}: head "{head}" is a {classes[head]}, not {"/".join(domain)}')
        if relation.get("tail_literal"):
            if "literal" not in range_:
                problems.append(f'{name}: {prop} does not take a literal tail ("{tail}")')
        else:
            if tail not in classes:
                problems.append(f'{name}: relation tail "{tail}" is not an annotated entity')
            if not fits(classes.get(tail, ""), range_):
                cls = classes.get(tail)
                problems.append(
                    f'{name}: {prop}: tail class of "{tail}" is unknown'
                    if cls is None
                    else f'{name}: {prop}: tail "{tail}" is a {cls}, not {"/".join(range_)}'
                )
        if relation.get("evidence", "") not in text or not relation.get("evidence"):
            problems.append(f'{name}: evidence for {head} {prop} {tail} is not a passage of the text')
    for funding in record.get("fundings", []):
        if not isinstance(funding.get("amount_yuan"), (int, float)) or funding["amount_yuan"] <= 0:
            problems.append(f'{name}: funding "{funding.get("text")}" has no positive amount_yuan')
        if funding.get("text") and funding["text"] not in text:
            problems.append(f'{name}: funding text "{funding["text"]}" is not in the text')
        if funding.get("funder") and funding["funder"] not in classes:
            problems.append(f'{name}: funder "{funding["funder"]}" is not an annotated entity')
    return problems


def skeletons(paths: list[Path | str]) -> Iterator[dict]:
    """Empty gold records, one per article of the given pages, ready to annotate."""
    from kg.articles import split_page
    from kg.ingest import read_pages

    for page in read_pages(paths):
        for article in split_page(page.text, page.path.stem):
            yield {
                "article": article.id,
                "page": page.path.name,
                "kind": article.kind,
                "title": article.title,
                "region": article.region.name if article.region else None,
                "text": article.text,
                "entities": [],
                "relations": [],
                "fundings": [],
            }


def write_record(record: dict, folder: Path) -> Path:
    """Write a record as ``FOLDER/<page id>/<aNN>.json``, pretty-printed for review."""
    path = folder / f"{record['article']}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    """``python -m kg.gold check FOLDER`` validates every record (exit 1 on a problem);
    ``python -m kg.gold new PAGES... --out FOLDER`` writes skeletons for articles not
    yet annotated."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m kg.gold")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="validate gold records")
    check.add_argument("folder", type=Path)
    new = sub.add_parser("new", help="write empty records for the articles of some pages")
    new.add_argument("pages", nargs="+", type=Path)
    new.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.command == "new":
        for record in skeletons(args.pages):
            if not (args.out / f"{record['article']}.json").exists():
                print(write_record(record, args.out))
        return 0
    problems = [p for record in load_dir(args.folder) for p in validate(record)]
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problem(s) in {args.folder}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
