"""Set the corpus's newspaper articles into newspaper pages as OCR delivers them.

The seed pages come from a newspaper's OCR: fixed-width columns with hard line breaks
inside words, blank lines where a column ends mid-sentence, several articles to a page,
titles printed after their body as often as before it, bylines, photo credits and page
headers. Writers write clean articles (genre ``newspaper``); this script sets them, four
to a page, in that layout, and merges their annotations into the page's record (mentions
and evidence are compared without whitespace, so line breaks inside names do not
matter; each article's own record is kept in the page's ``parts``). The articles' own
files are replaced by the pages.

    python corpus/make_pages.py      # corpus/texts/page-NN.txt and corpus/gold/page-NN.json
"""

from __future__ import annotations

import json
import random
from pathlib import Path

HERE = Path(__file__).parent
SEED = 7
PER_PAGE = 4
COLUMNS = ["卫生健康", "基层卫生", "健康扶贫", "医改动态", "综合新闻", "地方新闻", "中医药", "公共卫生"]


def wrap(paragraph: str, width: int, rng: random.Random) -> list[str]:
    """A paragraph in lines of ``width`` characters (the first indented by two), with now
    and then a blank line where a column would end."""
    text = "  " + paragraph if rng.random() < 0.5 else paragraph
    lines = [text[i : i + width] for i in range(0, len(text), width)]
    out = []
    for i, line in enumerate(lines):
        out.append(line)
        if 0 < i < len(lines) - 1 and rng.random() < 0.04:
            out.append("")
    return out


def render(text: str, rng: random.Random) -> list[str]:
    """One article as OCR lines: the title before or after the body, photo credits and
    short lines kept whole, the rest wrapped."""
    lines = [line.strip() for line in text.strip().split("\n") if line.strip()]
    title, body = lines[0], lines[1:]
    width = rng.randint(11, 15)
    out: list[str] = []
    for paragraph in body:
        if paragraph.endswith("摄") and len(paragraph) < 60:  # a caption and its credit stay whole
            out += ["", paragraph, ""]
        else:
            out += wrap(paragraph, width, rng) + ([""] if rng.random() < 0.5 else [])
    title_lines = [title] if len(title) <= 18 or rng.random() < 0.5 else [title[: len(title) // 2], title[len(title) // 2 :]]
    if rng.random() < 0.4:
        return out + [""] + title_lines + [""]
    return title_lines + [""] + out + [""]


def merge(records: list[dict], texts: list[str], name: str) -> dict:
    """The annotations of a page's articles as one record (entities merged by label), the
    articles' own records kept in ``parts`` with their clean text: a relative name such as
    该院 names another hospital in each article, which only the part knows."""
    entities: dict[str, dict] = {}
    for record in records:
        for entity in record["entities"]:
            entry = entities.setdefault(entity["label"], {**entity, "mentions": []})
            for mention in entity.get("mentions", []):
                if mention not in entry["mentions"]:
                    entry["mentions"].append(mention)
    taken: dict[str, str] = {}
    for entity in entities.values():  # a surface form names one entity per page
        entity["mentions"] = [m for m in entity["mentions"] if taken.setdefault(m, entity["label"]) == entity["label"]]
    return {
        "article": name,
        "genre": "newspaper_page",
        "author": None,
        "parts": [{**r, "text": t} for r, t in zip(records, texts)],
        "entities": list(entities.values()),
        "relations": [r for record in records for r in record["relations"]],
        "fundings": [f for record in records for f in record["fundings"]],
    }


def main() -> None:
    rng = random.Random(SEED)
    names = sorted(p.stem for p in (HERE / "gold").glob("*-newspaper-*.json"))
    for number, start in enumerate(range(0, len(names), PER_PAGE), 1):
        group = names[start : start + PER_PAGE]
        records = [json.loads((HERE / "gold" / f"{n}.json").read_text(encoding="utf-8")) for n in group]
        texts = [(HERE / "texts" / f"{n}.txt").read_text(encoding="utf-8") for n in group]
        lines = [f"{rng.randint(2, 8)}  {rng.choice(COLUMNS)}", ""] if rng.random() < 0.5 else []
        for text in texts:
            lines += render(text, rng)
        name = f"page-{number:02d}"
        record = merge(records, texts, name)
        (HERE / "texts" / f"{name}.txt").write_text("\n".join(lines).strip() + "\n", encoding="utf-8")
        (HERE / "gold" / f"{name}.json").write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        for n in group:
            (HERE / "texts" / f"{n}.txt").unlink()
            (HERE / "gold" / f"{n}.json").unlink()
        print(name, ", ".join(group))


if __name__ == "__main__":
    main()
