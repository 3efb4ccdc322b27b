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
from dataclasses import dataclass
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
        text = folder / "texts" / f"{path.stem}.txt"
        record.setdefault("text", text.read_text(encoding="utf-8") if text.exists() else "")
        records.append(record)
    return records


def flat(text: str) -> str:
    """Text compared the way a layout cannot change it: widths normalised, whitespace
    gone (an OCR page breaks lines inside names; the cleaned article joins them).

    >>> flat("绵阳市第三\\n人民医院 投入３４.３ 亿元")
    '绵阳市第三人民医院投入34.3亿元'
    """
    return _flat_with_offsets(text)[0]


def mention_spans(record: dict) -> Iterator[tuple[int, int, str, str]]:
    """``(start, end, label, class)`` of every mention found in the record's text."""
    surfaces: dict[str, tuple[str, str]] = {}
    for entity in record["entities"]:
        for mention in entity.get("mentions", []):
            surfaces.setdefault(mention, (entity["label"], entity["class"]))
    for start, end, (label, cls) in KeywordMatcher(surfaces).find(record["text"]):
        yield start, end, label, cls


def validate(record: dict, strict: bool = False) -> list[str]:
    """Problems with one record (an empty list when it is valid). ``strict`` also wants
    both ends of a relation named in its evidence (an implied agent, the record's
    ``author``, excepted) and a literal tail written in it, as the corpus guideline does.
    A page made of several articles keeps each one's record in ``parts``: those are
    checked strictly, the page's merged record loosely."""
    if "parts" in record:
        problems = [p for part in record["parts"] for p in validate(part, strict)]
        return problems + validate({k: v for k, v in record.items() if k != "parts"}, strict=False)
    name = record.get("article", "?")
    problems: list[str] = []
    text = flat(record.get("text", ""))
    classes: dict[str, str] = {}
    surfaces: dict[str, list[str]] = {}
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
            surfaces.setdefault(label, []).append(flat(mention))
            if flat(mention) not in text:
                problems.append(f'{name}: mention "{mention}" of "{label}" is not in the text')
    if record.get("author") and record["author"] not in classes:
        problems.append(f'{name}: author "{record["author"]}" is not an annotated entity')
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
        evidence = flat(relation.get("evidence", ""))
        if not evidence or evidence not in text:
            problems.append(f'{name}: evidence for {head} {prop} {tail} is not a passage of the text')
            continue
        if not strict:
            continue
        # Both ends are named in the sentence; an implied agent (the author) need not be.
        ends = ([] if head == record.get("author") else [("head", head)]) + ([] if relation.get("tail_literal") else [("tail", tail)])
        for end, label in ends:
            if label in surfaces and not any(s in evidence for s in surfaces[label]):
                problems.append(f'{name}: {head} {prop} {tail}: the {end} is not named in its evidence')
        if relation.get("tail_literal") and flat(tail or "") not in evidence:
            problems.append(f'{name}: {head} {prop} "{tail}": the literal is not in its evidence')
    for funding in record.get("fundings", []):
        if not isinstance(funding.get("amount_yuan"), (int, float)) or funding["amount_yuan"] <= 0:
            problems.append(f'{name}: funding "{funding.get("text")}" has no positive amount_yuan')
        if funding.get("text") and flat(funding["text"]) not in text:
            problems.append(f'{name}: funding text "{funding["text"]}" is not in the text')
        if funding.get("funder") and funding["funder"] not in classes:
            problems.append(f'{name}: funder "{funding["funder"]}" is not an annotated entity')
    return problems


@dataclass
class GoldArticle:
    """One article of a gold record, as training needs it: the cleaned text the pipeline
    reads, and the gold mentions and relations located in it.

    ``spans`` are ``(start, end, label, class)``; the class ``Target`` marks the literal
    tail of a ``targets`` relation. Each relation carries ``sentence``, the ``(start,
    end)`` of its evidence in ``text`` (None when the evidence is in another article of
    the page)."""

    id: str
    text: str
    region: object
    spans: list[tuple[int, int, str, str]]
    relations: list[dict]
    author: str | None = None
    genre: str = ""


def gold_articles(record: dict) -> list[GoldArticle]:
    """The articles of a record, each with its gold located: a seed record is one cleaned
    article; a corpus record is a raw page, cleaned and split as ``kg build`` does.

    >>> record = {"article": "x", "text": "标题\\n绵阳市卫生健康委启动“健康 三台”行动。", "entities": [
    ...     {"label": "绵阳市卫生健康委员会", "class": "GovernmentBody", "mentions": ["绵阳市卫生健康委"]},
    ...     {"label": "“健康三台”行动", "class": "Program", "mentions": ["“健康三台”行动"]}],
    ...     "relations": [{"head": "绵阳市卫生健康委员会", "property": "runs", "tail": "“健康三台”行动",
    ...                    "evidence": "绵阳市卫生健康委启动“健康 三台”行动。"}]}
    >>> [(a.text[s:e], c) for a in gold_articles(record) for s, e, _, c in a.spans]
    [('绵阳市卫生健康委', 'GovernmentBody'), ('“健康三台”行动', 'Program')]
    >>> [a.text[slice(*r["sentence"])] for a in gold_articles(record) for r in a.relations]
    ['绵阳市卫生健康委启动“健康三台”行动。']
    """
    from kg import gazetteer
    from kg.articles import split_page

    if "region" in record:
        found = gazetteer.load().lookup(record["region"]) if record.get("region") else []
        pieces = [(record["article"], record["text"], found[0] if found else None)]
    else:
        pieces = [(a.id, a.text, a.region) for a in split_page(record["text"], record["article"])]
    out = []
    for article_id, text, region in pieces:
        own = _part_of(record, text)
        flat_text, where = _flat_with_offsets(text)
        spans = [(where[s], where[e - 1] + 1, label, cls) for s, e, (label, cls) in _surfaces(own).find(flat_text)]
        relations = []
        for relation in own.get("relations", []):
            at = flat_text.find(flat(relation.get("evidence", ""))) if relation.get("evidence") else -1
            sentence = (where[at], where[at + len(flat(relation["evidence"])) - 1] + 1) if at >= 0 else None
            relations.append({**relation, "sentence": sentence})
            if sentence and relation.get("tail_literal"):
                inside = flat_text.find(flat(relation["tail"]), at, at + len(flat(relation["evidence"])))
                if inside >= 0 and flat(relation["tail"]):
                    span = (where[inside], where[inside + len(flat(relation["tail"])) - 1] + 1, relation["tail"], "Target")
                    if all(span[1] <= s or e <= span[0] for s, e, _, _ in spans):
                        spans.append(span)
        out.append(GoldArticle(article_id, text, region, sorted(spans), relations, own.get("author"), own.get("genre", "")))
    return out


def _part_of(record: dict, text: str) -> dict:
    """The record of the part of a page that ``text`` (one article of it) comes from: the
    part sharing most of its sentences; the record itself when it has no parts."""
    parts = record.get("parts")
    if not parts:
        return record
    flat_text = flat(text)

    def shared(part: dict) -> int:
        return sum(len(piece) for piece in map(flat, part["text"].split("\n")) if len(piece) > 6 and piece in flat_text)

    return max(parts, key=shared)


def _surfaces(record: dict) -> KeywordMatcher:
    surfaces: dict[str, tuple[str, str]] = {}
    for entity in record.get("entities", []):
        for mention in entity.get("mentions", []):
            if flat(mention):
                surfaces.setdefault(flat(mention), (entity["label"], entity["class"]))
    return KeywordMatcher(surfaces)


def _flat_with_offsets(text: str) -> tuple[str, list[int]]:
    """:func:`flat` of ``text`` and, for each of its characters, where it was in ``text``."""
    from kg.cleanup import normalize_chars

    chars, where = [], []
    for i, ch in enumerate(text):
        for out in normalize_chars(ch):
            if not out.isspace():
                chars.append(_WIDE.get(out, out))
                where.append(i)
    return "".join(chars), where


# Punctuation clean-up makes full-width between Chinese characters; compared always wide.
_WIDE = {",": "，", ";": "；", ":": "：", "(": "（", ")": "）"}


def skeletons(paths: list[Path | str]) -> Iterator[dict]:
    """Empty gold records, one per article of the given pages, ready to annotate."""
    from kg.articles import page_articles
    from kg.ingest import read_pages

    for page in read_pages(paths):
        for article in page_articles(page.text, page.path.stem, page.document):
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


def stats(records: list[dict]) -> dict:
    """What a set of records holds: documents, characters, entities by class, relations by
    property, fundings, genres, and which provinces and prefecture-level cities (by the
    gazetteer) they name."""
    from collections import Counter

    from kg import gazetteer

    gaz = gazetteer.load()
    classes: Counter = Counter()
    properties: Counter = Counter()
    genres: Counter = Counter()
    places: dict[str, set] = {"Province": set(), "City": set(), "County": set()}
    for record in records:
        genres[record.get("genre") or "seed article"] += 1
        for entity in record.get("entities", []):
            classes[entity["class"]] += 1
            for region in gaz.lookup(entity["label"]):
                if region.level in places and region.name == entity["label"]:
                    places[region.level].add(region.name)
        properties.update(r["property"] for r in record.get("relations", []))
    return {
        "documents": len(records),
        "characters": sum(len(r.get("text", "")) for r in records),
        "genres": dict(genres.most_common()),
        "entities": dict(classes.most_common()),
        "relations": dict(properties.most_common()),
        "fundings": sum(len(r.get("fundings", [])) for r in records),
        "provinces": len(places["Province"]),
        "prefecture_level_cities": len(places["City"]),
        "counties": len(places["County"]),
    }


def agreement(first: list[dict], second: list[dict]) -> dict:
    """How far two annotators of the same documents agree: the second scored against the
    first as ``kg eval`` scores a pipeline (entity and relation F1, exact and lenient)."""
    from kg.evaluate import score

    by_id = {r["article"]: r for r in first}
    pairs = [(by_id[r["article"]], r) for r in second if r["article"] in by_id]
    result = score([a for a, _ in pairs], [b for _, b in pairs])
    return {
        "documents": len(pairs),
        **{f"{kind}_{mode}": result[kind]["micro"][mode] for kind in ("entities", "relations") for mode in ("exact", "lenient")},
        "fundings": result["fundings"]["lenient"],
    }


def main(argv: list[str] | None = None) -> int:
    """``python -m kg.gold check FOLDER`` validates every record (exit 1 on a problem);
    ``stats FOLDER`` counts what the records hold; ``agree FOLDER SECOND`` scores a second
    annotator against the first; ``new PAGES... --out FOLDER`` writes skeletons for
    articles not yet annotated."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m kg.gold")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="validate gold records")
    check.add_argument("folder", type=Path, help="a gold folder, or a corpus folder with gold/ and texts/")
    check.add_argument("--strict", action="store_true", help="also want both ends of a relation named in its evidence")
    check.add_argument("--only", nargs="*", default=None, help="check only these documents (names without .json)")
    counts = sub.add_parser("stats", help="count documents, entities by class, relations by property, places")
    counts.add_argument("folder", type=Path)
    agree = sub.add_parser("agree", help="agreement of a second annotator (a folder of records) with the first")
    agree.add_argument("folder", type=Path, help="the corpus folder (gold/ and texts/)")
    agree.add_argument("second", type=Path, help="the second annotator's records, one JSON file per document")
    new = sub.add_parser("new", help="write empty records for the articles of some pages")
    new.add_argument("pages", nargs="+", type=Path)
    new.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.command in ("stats", "agree"):
        records = load_calibration(args.folder) if (args.folder / "gold").is_dir() else load_dir(args.folder)
        if args.command == "stats":
            result = stats(records)
        else:
            second = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(args.second.glob("*.json"))]
            result = agreement(records, second)
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    if args.command == "new":
        for record in skeletons(args.pages):
            if not (args.out / f"{record['article']}.json").exists():
                print(write_record(record, args.out))
        return 0
    records = load_calibration(args.folder) if (args.folder / "gold").is_dir() else load_dir(args.folder)
    if args.only is not None:
        records = [r for r in records if r["article"] in set(args.only)]
    problems = [p for record in records for p in validate(record, strict=args.strict)]
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problem(s) in {args.folder}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
