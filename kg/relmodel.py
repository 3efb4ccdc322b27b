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

import bisect
import functools
import json
import random
from collections import defaultdict
from dataclasses import dataclass
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


@dataclass
class Candidate:
    """A pair the model decides on: ``head`` and ``tail`` mentions, or a ``literal`` tail
    (``(start, end)`` of a target group the recogniser found); ``implied`` when the head
    is the document's author and the sentence does not name it."""

    head: Mention
    tail: Mention | None
    literal: tuple[int, int] | None = None
    implied: bool = False

    @property
    def tail_start(self) -> int:
        return self.tail.start if self.tail is not None else self.literal[0]

    @property
    def tail_end(self) -> int:
        return self.tail.end if self.tail is not None else self.literal[1]

    @property
    def tail_cls(self) -> str:
        return self.tail.cls if self.tail is not None else "Target"


#: How far apart (in characters) a named head and its tail may be.
MAX_DISTANCE = 120


def candidates(mentions: list[Mention], targets: list[tuple[int, int]], start: int, end: int, author: Mention | None = None) -> list[Candidate]:
    """Every pair in the sentence ``start:end`` that some property could link: ordered
    pairs of its mentions, the author with each of them when the sentence does not name
    the author, and each program or policy with each target group."""
    inside = [m for m in mentions if m.start >= start and m.end <= end]
    pairs = []
    for head in inside:
        for tail in inside:
            if head is tail or head.label == tail.label or abs(head.start - tail.start) > MAX_DISTANCE:
                continue
            if head.cls == "Person" or _linkable(head.cls, tail.cls):
                pairs.append(Candidate(head, tail))
        if head.cls in ("Program", "Policy"):
            pairs += [Candidate(head, None, (s, e)) for s, e in targets if start <= s and e <= end]
    if author is not None and not any(m.label == author.label for m in inside):
        pairs += [Candidate(author, tail, implied=True) for tail in inside if _linkable(author.cls, tail.cls)]
    return pairs


@functools.lru_cache(maxsize=None)
def _linkable(head: str, tail: str) -> bool:
    """Whether some property links a ``head`` of this class to a ``tail`` of that one."""
    return any(fits(head, d) and fits(tail, r) for d, r in PROPERTIES.values() if "literal" not in r)


def features(text: str, words: list[tuple[int, int, str]], pair: Candidate, start: int, end: int, rule: str | None, inside: list[Mention]) -> list[str]:
    """Sparse features of one pair: the classes, where the two stand, the analyser's words
    between them and before the tail (the verb that governs it above all), trigger
    words, what the rules said, and for an implied head whether someone else is named
    before the tail."""
    head, tc = pair.head, pair.tail_cls
    t0, t1 = pair.tail_start, pair.tail_end
    feats = [f"pair={head.cls}|{tc}", f"tc={tc}", f"rule={rule or NONE}", f"rule_pair={rule or NONE}|{head.cls}|{tc}"]
    # The words before the tail, back to the clause start: the nearest verb governs it.
    clause = _clause_start(text, t0, start)
    before = [w for w in words if clause <= w[0] and w[1] <= t0]
    verbs = [text[s:e] for s, e, tag in before if tag in _VERB_TAGS]
    if verbs:
        feats += [f"verb={verbs[-1]}|{tc}", f"verb={verbs[-1]}"]
    if before:
        feats += [f"pre={text[before[-1][0]:before[-1][1]]}|{tc}"]
    feats += [f"pre2={text[max(start, t0 - 2):t0]}", f"post={text[t1:t1 + 2]}|{tc}"]
    if pair.implied:
        agents = [m for m in inside if m.end <= t0 and fits(m.cls, ("Region", "Organization"))]
        feats += ["implied", f"implied|{tc}", f"implied_agent_before={bool(agents)}", f"implied_at={min((t0 - start) // 10, 5)}", f"implied_title={start == 0}|{tc}"]
        feats += [f"implied_verb={v}|{tc}" for v in verbs[-1:]]
        return feats
    h0, h1 = head.start, head.end
    lo, hi = (h1, t0) if h0 < t0 else (t1, h0)
    between = text[lo:hi] if hi >= lo else ""
    between_ents = [m for m in inside if lo <= m.start and m.end <= hi]
    feats += [
        f"order={'ht' if h0 < t0 else 'th'}",
        f"dist={min(len(between) // 5, 8)}",
        f"between_ents={min(len(between_ents), 3)}",
        f"between_agents={min(sum(1 for m in between_ents if fits(m.cls, ('Region', 'Organization'))), 2)}",
        f"commas={min(between.count('，'), 3)}",
        f"after_head={text[h1:h1 + 2]}",
        f"before_head={text[max(start, h0 - 2):h0]}",
        f"head_first={all(m.start >= h0 for m in inside if fits(m.cls, ('Region', 'Organization')))}",
    ]
    feats += [f"bw={text[s:e]}|{tc}" for s, e, tag in words if lo <= s and e <= hi and tag in _VERB_TAGS | {"p", "c"} and e - s <= 4]
    for word in _TRIGGER_WORDS:
        if word in between:
            feats.append(f"trig={word}|{tc}")
            between = between.replace(word, " ")
    if "与" in text[lo:hi] or "和" in text[lo:hi]:
        feats.append("with_between")
    if head.cls == "Person":
        feats.append(f"person_post={text[h0 - 4:h0] if h0 >= 4 else text[:h0]}|{tc}")
    return feats


_VERB_TAGS = frozenset({"v", "vn", "vd"})
_CLAUSE = frozenset("。；;！？\n")


def _clause_start(text: str, position: int, start: int) -> int:
    i = position
    while i > start and text[i - 1] not in _CLAUSE:
        i -= 1
    return i


def in_sentence(words: list[tuple[int, int, str]], start: int, end: int) -> list[tuple[int, int, str]]:
    """The words of ``words`` (sorted) that lie in ``start:end``."""
    lo = bisect.bisect_left(words, (start,))
    hi = bisect.bisect_left(words, (end,))
    return words[lo:hi]


def words_of(analysis, start: int = 0, end: int | None = None) -> list[tuple[int, int, str]]:
    """The analyser's words as ``(start, end, tag)``."""
    if analysis is None:
        return []
    end = len(analysis.tags) if end is None else end
    out = []
    i = start
    while i < end:
        j = i + 1
        while j < end and not analysis.starts[j]:
            j += 1
        out.append((i, j, analysis.tags[i]))
        i = j
    return out


def relations(model: RelationModel, text: str, words: list[tuple[int, int, str]], mentions: list[Mention], targets: list[tuple[int, int]], start: int, end: int,
              rule_relations: list[Relation], threshold: float, author: Mention | None = None) -> list[Relation]:
    """The model's relations in one sentence."""
    inside = [m for m in mentions if m.start >= start and m.end <= end]
    said = {(id(r.head), id(r.tail)): r.prop for r in rule_relations if r.tail is not None}
    found = []
    money = bool(amounts(text[start:end]))
    words = in_sentence(words, start, end)
    for pair in candidates(mentions, targets, start, end, author):
        label, margin = model.predict(features(text, words, pair, start, end, said.get((id(pair.head), id(pair.tail))), inside))
        if label == NONE or margin < threshold or label not in PROPERTIES or label == "funds" and not money:
            continue  # no sentence funds anything without saying how much
        domain, range_ = PROPERTIES[label]
        if pair.tail is None:
            if label == "targets":
                found.append(Relation(pair.head, label, None, literal=text[pair.literal[0] : pair.literal[1]], confidence=min(0.95, 0.5 + margin / 20), trigger="model", literal_start=pair.literal[0]))
            continue
        if (fits(pair.head.cls, domain) or pair.head.cls == "Person" and label == "received") and fits(pair.tail.cls, range_):
            found.append(Relation(pair.head, label, pair.tail, confidence=min(0.95, 0.5 + margin / 20), trigger="implied" if pair.implied else "model"))
    return found
