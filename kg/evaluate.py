"""Score extraction against gold: entities, relations and funding amounts, per article.

The unit is the article, as in the calibration gold: an entity is a
``(label, class)`` pair found anywhere in the article, a relation a
``(head, property, tail)`` triple, a funding an amount in yuan.

Two ways to match labels:

``exact``
    labels equal character for character, classes equal.
``lenient``
    labels equal after removing quotes and book-title marks (“”《》) and a leading
    province or city (黑龙江省大兴安岭地区呼玛县… = 呼玛县…), or one label contains the other and
    is at least two thirds its length; classes under the same top class (a ``County``
    for a ``City`` matches, a ``Program`` for a ``Policy`` does not).

>>> gold = [{"article": "a", "entities": [{"label": "洛阳市", "class": "City"}, {"label": "春苗工程", "class": "Program"}],
...          "relations": [{"head": "洛阳市", "property": "runs", "tail": "春苗工程"}], "fundings": [{"amount_yuan": 20000000}]}]
>>> pred = [{"article": "a", "entities": [{"label": "洛阳市", "class": "City"}], "relations": [], "fundings": [{"amount_yuan": 20000000}]}]
>>> s = score(gold, pred)
>>> s["entities"]["micro"]["exact"], s["relations"]["micro"]["exact"]["f1"], s["fundings"]["exact"]["f1"]
({'p': 1.0, 'r': 0.5, 'f1': 0.667, 'tp': 1, 'fp': 0, 'fn': 1}, 0.0, 1.0)
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Iterable

from kg.ontology_terms import CLASSES

_MARKS = re.compile(r"[“”\"《》‘’]")


def top_class(cls: str) -> str:
    while CLASSES.get(cls):
        cls = CLASSES[cls]
    return cls


def normalise(label: str) -> str:
    from kg.resolve import strip_region_chain

    return strip_region_chain(_MARKS.sub("", label or ""))


def labels_match(a: str, b: str, lenient: bool) -> bool:
    if a == b:
        return True
    if not lenient:
        return False
    na, nb = normalise(a), normalise(b)
    if na == nb:
        return True
    short, long_ = sorted((na, nb), key=len)
    return bool(short) and short in long_ and len(short) >= 2 * len(long_) / 3


def classes_match(a: str, b: str, lenient: bool) -> bool:
    return a == b or lenient and top_class(a) == top_class(b)


def _prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 3), "r": round(r, 3), "f1": round(f, 3), "tp": tp, "fp": fp, "fn": fn}


def _match(gold: list, pred: list, same) -> tuple[list, list, list]:
    """Greedy one-to-one matching; returns (matched pairs, unmatched gold, unmatched pred)."""
    left = list(gold)
    pairs, extra = [], []
    for p in pred:
        hit = next((g for g in left if same(g, p)), None)
        if hit is None:
            extra.append(p)
        else:
            left.remove(hit)
            pairs.append((hit, p))
    return pairs, left, extra


def _tally(counts: dict, mode: str, pairs: list, fn: list, fp: list, key: int) -> None:
    """Add matches, misses and spurious items to ``counts``, per the item's ``key`` field
    (the class of an entity, the property of a relation)."""
    for gold, _ in pairs:
        counts[gold[key]][mode + "_tp"] += 1
    for gold in fn:
        counts[gold[key]][mode + "_fn"] += 1
    for predicted in fp:
        counts[predicted[key]][mode + "_fp"] += 1


def score(gold: Iterable[dict], predicted: Iterable[dict]) -> dict:
    """Precision, recall and F1 of ``predicted`` records against ``gold`` records (both in
    the gold format; articles paired by ``article``), exact and lenient."""
    by_id = {r["article"]: r for r in predicted}
    result: dict = {"entities": {}, "relations": {}, "fundings": {}, "errors": {}}
    counts = {kind: defaultdict(Counter) for kind in ("entities", "relations")}
    funding_counts: dict = defaultdict(Counter)
    confusions: Counter = Counter()
    misses: Counter = Counter()
    spurious: Counter = Counter()
    for g in gold:
        p = by_id.get(g["article"], {"entities": [], "relations": [], "fundings": []})
        g_ents = {(e["label"], e["class"]) for e in g["entities"]}
        p_ents = {(e["label"], e["class"]) for e in p["entities"]}
        g_rels = {(r["head"], r["property"], r["tail"]) for r in g["relations"]}
        p_rels = {(r["head"], r["property"], r["tail"]) for r in p["relations"]}
        for mode in ("exact", "lenient"):
            lenient = mode == "lenient"
            pairs, fn, fp = _match(sorted(g_ents), sorted(p_ents), lambda a, b: labels_match(a[0], b[0], lenient) and classes_match(a[1], b[1], lenient))
            _tally(counts["entities"], mode, pairs, fn, fp, key=1)
            if mode == "exact":
                # Same label, other class: a confusion; the rest: misses and spurious.
                for gl in fn:
                    other = next((pr for pr in fp if pr[0] == gl[0]), None)
                    if other:
                        confusions[f"{gl[1]} -> {other[1]}"] += 1
                    else:
                        misses[gl[1]] += 1
                for pr in fp:
                    if not any(gl[0] == pr[0] for gl in fn):
                        spurious[pr[1]] += 1
            pairs, fn, fp = _match(
                sorted(g_rels), sorted(p_rels),
                lambda a, b: a[1] == b[1] and labels_match(a[0], b[0], lenient) and labels_match(a[2], b[2], lenient),
            )  # fmt: skip
            _tally(counts["relations"], mode, pairs, fn, fp, key=1)
            g_money = sorted(float(f["amount_yuan"]) for f in g.get("fundings", []) if f.get("amount_yuan"))
            p_money = sorted(float(f["amount_yuan"]) for f in p.get("fundings", []) if f.get("amount_yuan"))
            tol = 0.01 if lenient else 1e-9
            pairs, fn, fp = _match(g_money, p_money, lambda a, b: abs(a - b) <= tol * max(a, b))
            funding_counts[mode]["tp"] += len(pairs)
            funding_counts[mode]["fn"] += len(fn)
            funding_counts[mode]["fp"] += len(fp)
    for kind in ("entities", "relations"):
        per = {}
        totals: Counter = Counter()
        for key, c in sorted(counts[kind].items()):
            per[key] = {mode: _prf(c[mode + "_tp"], c[mode + "_fp"], c[mode + "_fn"]) for mode in ("exact", "lenient")}
            totals.update(c)
        result[kind] = {"per": per, "micro": {mode: _prf(totals[mode + "_tp"], totals[mode + "_fp"], totals[mode + "_fn"]) for mode in ("exact", "lenient")}}
    result["fundings"] = {mode: _prf(c["tp"], c["fp"], c["fn"]) for mode, c in funding_counts.items()}
    result["errors"] = {
        "class_confusions": confusions.most_common(8),
        "missed_by_class": misses.most_common(8),
        "spurious_by_class": spurious.most_common(8),
    }
    return result


def predict(nlp, records: list[dict]) -> list[dict]:
    """Run a pipeline over gold records; returns predictions in the gold format.

    A seed record holds one cleaned article. A calibration record holds a raw page: it
    goes through clean-up and article splitting as in ``kg build``, and what its
    articles yield is pooled."""
    from kg import gazetteer
    from kg.articles import Article, split_page
    from kg.extract import extract, to_record

    articles, owners = [], []
    for i, record in enumerate(records):
        if "region" in record:
            found = gazetteer.load().lookup(record["region"]) if record.get("region") else []
            articles.append(Article(record.get("page", ""), 0, "", "", [record["text"]], found[0] if found else None))
            owners.append(i)
        else:
            for article in split_page(record["text"], record["article"]):
                articles.append(article)
                owners.append(i)
    pooled = [{"article": r["article"], "entities": [], "relations": [], "fundings": []} for r in records]
    for owner, extraction in zip(owners, extract(nlp, articles)):
        found = to_record(extraction)
        for key in ("entities", "relations", "fundings"):
            pooled[owner][key] += found[key]
    return pooled


def jieba_baseline(records: list[dict]) -> list[dict]:
    """The honest baseline: jieba's part-of-speech tags as an entity recogniser (ns a
    place, nt an organisation, nr a person); no relations, no money."""
    import jieba
    import jieba.posseg

    jieba.setLogLevel(60)
    classes = {"ns": "Region", "nt": "Organization", "nr": "Person"}
    result = []
    for record in records:
        entities = {(w, classes[f]) for w, f in jieba.posseg.cut(record["text"]) if f in classes and len(w) > 1}
        result.append({"article": record["article"], "entities": [{"label": w, "class": c} for w, c in sorted(entities)], "relations": [], "fundings": []})
    return result


def load_gold(folder) -> tuple[list[dict], bool]:
    """Gold records from a seed gold folder or a calibration folder (gold/ + texts/)."""
    from pathlib import Path

    from kg import gold

    folder = Path(folder)
    if (folder / "gold").is_dir():
        return gold.load_calibration(folder), True
    if list(folder.glob("*.txt")) and list(folder.glob("*.json")):  # calibration files side by side
        import json

        records = []
        for path in sorted(folder.glob("*.json")):
            record = json.loads(path.read_text(encoding="utf-8"))
            record["text"] = path.with_suffix(".txt").read_text(encoding="utf-8")
            records.append(record)
        return records, True
    return gold.load_dir(folder), False


def run_evaluation(folder, split: str = "heldout") -> dict:
    """Score the trained pipeline, the rules alone and the jieba baseline on the gold in
    ``folder``. Gold nothing was trained on (calibration, dev-real, a user's own) is
    scored with the shipped models. With ``split="heldout"``, gold that ``kg train``
    learns from is scored with models that never saw it: each seed page with its page's
    fold, and the written corpus on the documents its fold left out; ``split="all"``
    scores the shipped models on everything (a check of training, not of quality)."""
    from pathlib import Path

    from kg.nlp import load_config, make_nlp
    from kg.train import CORPUS, MODELS, corpus_holdout, page_of

    records, calibration = load_gold(folder)
    corpus = Path(folder).resolve() == CORPUS.resolve()
    if corpus and split == "heldout":
        held = set(corpus_holdout(records))
        records = [r for r in records if r["article"] in held]
    described = "corpus documents held out of training" if corpus and split == "heldout" else "never trained on" if calibration else split
    results: dict = {"gold": str(folder), "articles": len(records), "split": described}
    if split == "all" or calibration and not corpus:
        trained = predict(make_nlp(), records)
    else:
        trained = []
        for page in sorted({"corpus" if corpus else page_of(r) for r in records}):
            fold = MODELS / "folds" / page
            if not fold.exists():
                raise FileNotFoundError(f"no held-out models for {page} in {fold.parent}: run `kg train` (with folds)")
            nlp = make_nlp(recogniser=fold / "recogniser.crfsuite", relation_model=fold / "relations.json")
            trained += predict(nlp, [r for r in records if corpus or page_of(r) == page])
    results["trained"] = score(records, trained)
    results["rules"] = score(records, predict(make_nlp(load_config(rules_only=True)), records))
    results["jieba"] = score(records, jieba_baseline(records))
    return results


def report(results: dict) -> str:
    """The figures as a plain-text report."""

    def row(name: str, s: dict, mode: str) -> str:
        e, r, f = s["entities"]["micro"][mode], s["relations"]["micro"][mode], s["fundings"].get(mode, {"p": 0, "r": 0, "f1": 0})
        return f"{name:<9}{mode:<9}{e['p']:>6.3f}{e['r']:>6.3f}{e['f1']:>6.3f}   {r['p']:>6.3f}{r['r']:>6.3f}{r['f1']:>6.3f}   {f['p']:>6.3f}{f['r']:>6.3f}{f['f1']:>6.3f}"

    lines = [
        f"Gold: {results['gold']} ({results['articles']} articles), split: {results['split']}",
        "",
        f"{'':<18}{'entities':^18}   {'relations':^18}   {'funding amounts':^18}",
        f"{'':<18}{'P':>6}{'R':>6}{'F1':>6}   {'P':>6}{'R':>6}{'F1':>6}   {'P':>6}{'R':>6}{'F1':>6}",
    ]
    for name in ("trained", "rules", "jieba"):
        for mode in ("exact", "lenient"):
            lines.append(row(name, results[name], mode))
    trained = results["trained"]
    lines += ["", "Trained pipeline, per class (lenient F1 / support):"]
    lines.append("  " + ", ".join(f"{k} {v['lenient']['f1']:.2f}/{v['lenient']['tp'] + v['lenient']['fn']}" for k, v in trained["entities"]["per"].items()))
    lines += ["Per property (lenient F1 / support):"]
    lines.append("  " + ", ".join(f"{k} {v['lenient']['f1']:.2f}/{v['lenient']['tp'] + v['lenient']['fn']}" for k, v in trained["relations"]["per"].items()))
    errors = trained["errors"]
    lines += [
        "Commonest errors:",
        "  class confusions: " + (", ".join(f"{k} ({n})" for k, n in errors["class_confusions"]) or "none"),
        "  missed, by class: " + ", ".join(f"{k} ({n})" for k, n in errors["missed_by_class"]),
        "  spurious, by class: " + ", ".join(f"{k} ({n})" for k, n in errors["spurious_by_class"]),
    ]
    return "\n".join(lines)
