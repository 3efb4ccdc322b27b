"""A trained relation classifier over entity pairs in a sentence.

For every ordered pair of mentions in a sentence whose classes fit some property's
domain and range, it predicts the property or ``NONE`` from features of the pair: the
classes, the words between them and around the tail, trigger words, distance, and what
the trigger rules said about the pair (so it learns from the gold where the rules are
right, and adds what they miss). The model is an averaged perceptron: small, fast,
deterministic, and stored as JSON.

>>> model = RelationModel()
>>> feats = ["pair=City|Program", "before_tail=实施"]
>>> model.train([(feats, "runs")] * 3 + [(["pair=City|Program", "before_tail=的"], "NONE")] * 3, epochs=3)
>>> model.predict(feats)[0]
'runs'
"""

from __future__ import annotations

import functools
import json
import random
from collections import defaultdict
from pathlib import Path

from kg.money import amounts
from kg.ontology_terms import PROPERTIES, fits
from kg.relations import TRIGGERS, Relation
from kg.rules import Mention

NONE = "NONE"
_TRIGGER_WORDS = sorted(TRIGGERS, key=len, reverse=True)


class RelationModel:
    """An averaged multi-class perceptron over sparse string features."""

    def __init__(self, weights: dict[str, dict[str, float]] | None = None):
        self.weights: dict[str, dict[str, float]] = weights or {}

    def scores(self, features: list[str]) -> dict[str, float]:
        totals: dict[str, float] = defaultdict(float)
        for f in features:
            for label, w in self.weights.get(f, {}).items():
                totals[label] += w
        return totals

    def predict(self, features: list[str]) -> tuple[str, float]:
        """The best label and its margin over the runner-up."""
        totals = self.scores(features)
        if not totals:
            return NONE, 0.0
        ranked = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
        best = ranked[0]
        runner = ranked[1][1] if len(ranked) > 1 else min(0.0, best[1])
        return (best[0], best[1] - runner) if best[1] > 0 or best[0] != NONE else (NONE, 0.0)

    def train(self, data: list[tuple[list[str], str]], epochs: int = 10, seed: int = 0) -> None:
        weights: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        totals: dict[tuple[str, str], float] = defaultdict(float)
        stamps: dict[tuple[str, str], int] = defaultdict(int)
        step = 0
        rng = random.Random(seed)
        data = list(data)
        labels = sorted({label for _, label in data})
        for _ in range(epochs):
            rng.shuffle(data)
            for features, gold in data:
                step += 1
                scores = {label: sum(weights[f].get(label, 0.0) for f in features) for label in labels}
                guess = max(sorted(scores), key=lambda label: scores[label])
                if guess == gold:
                    continue
                for f in features:
                    for label, delta in ((gold, 1.0), (guess, -1.0)):
                        key = (f, label)
                        totals[key] += (step - stamps[key]) * weights[f].get(label, 0.0)
                        stamps[key] = step
                        weights[f][label] = weights[f].get(label, 0.0) + delta
        averaged: dict[str, dict[str, float]] = {}
        for f, by_label in weights.items():
            for label, w in by_label.items():
                key = (f, label)
                total = totals[key] + (step - stamps[key]) * w
                value = round(total / max(step, 1), 4)
                if value:
                    averaged.setdefault(f, {})[label] = value
        self.weights = averaged

    def to_disk(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.weights, ensure_ascii=False, sort_keys=True), encoding="utf-8")

    @classmethod
    def from_disk(cls, path: Path) -> "RelationModel":
        return cls(json.loads(Path(path).read_text(encoding="utf-8")))


def candidates(text: str, mentions: list[Mention], start: int, end: int) -> list[tuple[Mention, Mention]]:
    """Ordered pairs of mentions in the sentence that some property could link."""
    inside = [m for m in mentions if m.start >= start and m.end <= end]
    pairs = []
    for head in inside:
        for tail in inside:
            if head is tail or head.label == tail.label or abs(head.start - tail.start) > 80:
                continue
            if head.cls == "Person" or _linkable(head.cls, tail.cls):
                pairs.append((head, tail))
    return pairs


@functools.lru_cache(maxsize=None)
def _linkable(head: str, tail: str) -> bool:
    """Whether some property links a ``head`` of this class to a ``tail`` of that one."""
    return any(fits(head, d) and fits(tail, r) for d, r in PROPERTIES.values() if "literal" not in r)


def features(text: str, head: Mention, tail: Mention, start: int, end: int, rule: str | None, inside: list[Mention]) -> list[str]:
    """Sparse features of one pair."""
    lo, hi = (head.end, tail.start) if head.start < tail.start else (tail.end, head.start)
    between = text[lo:hi] if hi >= lo else ""
    before_tail = text[max(start, tail.start - 4) : tail.start]
    feats = [
        f"pair={head.cls}|{tail.cls}",
        f"order={'ht' if head.start < tail.start else 'th'}",
        f"dist={min(len(between) // 5, 8)}",
        f"rule={rule or NONE}",
        f"rule_pair={rule or NONE}|{head.cls}|{tail.cls}",
        f"between_ents={min(sum(1 for m in inside if lo <= m.start and m.end <= hi), 3)}",
        f"commas={min(between.count('，'), 3)}",
        f"head_first={all(m.start >= head.start for m in inside if m.cls in ('City', 'County', 'Province', 'GovernmentBody', 'Hospital'))}",
        f"before_tail2={before_tail[-2:]}",
        f"before_tail1={before_tail[-1:]}",
        f"after_tail={text[tail.end : tail.end + 2]}",
        f"before_head={text[max(start, head.start - 2) : head.start]}",
    ]
    for word in _TRIGGER_WORDS:
        if word in between:
            feats.append(f"trig={word}|{tail.cls}")
            between = between.replace(word, " ")
    if "与" in text[lo:hi] or "和" in text[lo:hi]:
        feats.append("with_between")
    return feats


def relations(model: RelationModel, text: str, mentions: list[Mention], start: int, end: int, rule_relations: list[Relation], threshold: float) -> list[Relation]:
    """The model's relations in one sentence."""
    inside = [m for m in mentions if m.start >= start and m.end <= end]
    said = {(id(r.head), id(r.tail)): r.prop for r in rule_relations if r.tail is not None}
    found = []
    money = bool(amounts(text[start:end]))
    for head, tail in candidates(text, mentions, start, end):
        label, margin = model.predict(features(text, head, tail, start, end, said.get((id(head), id(tail))), inside))
        if label == "funds" and not money:
            continue  # no sentence funds anything without saying how much
        if label != NONE and margin >= threshold and label in PROPERTIES:
            domain, range_ = PROPERTIES[label]
            if (fits(head.cls, domain) or head.cls == "Person" and label == "received") and fits(tail.cls, range_):
                found.append(Relation(head, label, tail, confidence=min(0.95, 0.5 + margin / 20), trigger="model"))
    return found
