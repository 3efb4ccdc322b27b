"""The gold annotations are valid, and the validator catches what breaks the SPEC."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg import gold

GOLD = Path(__file__).resolve().parent / "gold" / "seeds"
#: Calibration gold (gold/ and texts/) kept beside the repository, never committed to it.
CALIBRATION = Path(__file__).resolve().parents[2] / "shared" / "calibration"


CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@pytest.mark.parametrize("folder", [CORPUS, CORPUS / "heldout"], ids=["corpus", "heldout"])
def test_written_corpus_passes_the_strict_check(folder):
    records = gold.load_calibration(folder)
    assert len(records) >= 60
    assert [p for r in records for p in gold.validate(r, strict=True)] == []


def test_seed_gold_is_valid_and_big_enough():
    records = gold.load_dir(GOLD)
    assert [p for r in records for p in gold.validate(r)] == []
    assert len(records) == 40
    assert sum(len(list(gold.mention_spans(r))) for r in records) > 1000


def test_calibration_gold_passes_the_same_validator():
    if not (CALIBRATION / "gold").is_dir() or not (CALIBRATION / "texts").is_dir():
        pytest.skip(f"no calibration gold at {CALIBRATION}")
    records = gold.load_calibration(CALIBRATION)
    assert records
    for record in records:
        assert gold.validate(record) == []


def record(**changes):
    base = {
        "article": "t",
        "text": "洛阳市实施春苗工程。",
        "entities": [{"label": "洛阳市", "class": "City", "mentions": ["洛阳市"]}, {"label": "春苗工程", "class": "Program", "mentions": ["春苗工程"]}],
        "relations": [{"head": "洛阳市", "property": "runs", "tail": "春苗工程", "evidence": "洛阳市实施春苗工程。"}],
        "fundings": [],
    }
    base.update(changes)
    return base


@pytest.mark.parametrize(
    "changes, problem",
    [
        ({"entities": [{"label": "洛阳市", "class": "Town", "mentions": ["洛阳市"]}]}, 'unknown class "Town"'),
        ({"relations": [{"head": "洛阳市", "property": "operates", "tail": "春苗工程", "evidence": "洛阳市实施春苗工程。"}]}, 'unknown property "operates"'),
        ({"entities": [{"label": "洛阳市", "class": "City", "mentions": ["开封市"]}, {"label": "春苗工程", "class": "Program", "mentions": ["春苗工程"]}]}, 'mention "开封市"'),
        ({"relations": [{"head": "洛阳市", "property": "runs", "tail": "秋苗工程", "evidence": "洛阳市实施春苗工程。"}]}, '"秋苗工程" is not an annotated entity'),
        ({"relations": [{"head": "春苗工程", "property": "runs", "tail": "洛阳市", "evidence": "洛阳市实施春苗工程。"}]}, "head \"春苗工程\" is a Program"),
        ({"relations": [{"head": "洛阳市", "property": "runs", "tail": "春苗工程", "evidence": "别的句子。"}]}, "is not a passage of the text"),
        ({"fundings": [{"amount_yuan": 0, "text": "春苗"}]}, "no positive amount_yuan"),
    ],
)
def test_validator_rejects_gold_that_breaks_the_spec(changes, problem):
    assert gold.validate(record()) == []
    assert any(problem in p for p in gold.validate(record(**changes)))
