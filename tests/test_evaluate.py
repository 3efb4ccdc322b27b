"""The scorer on hand-made cases whose right answer is known."""

from __future__ import annotations

import pytest

from kg.evaluate import jieba_baseline, labels_match, score

GOLD = [
    {
        "article": "a",
        "entities": [
            {"label": "洛阳市", "class": "City"},
            {"label": "洛阳市卫生健康委员会", "class": "GovernmentBody"},
            {"label": "春苗工程", "class": "Program"},
            {"label": "“369”人才工程", "class": "Program"},
        ],
        "relations": [
            {"head": "洛阳市", "property": "runs", "tail": "春苗工程"},
            {"head": "洛阳市卫生健康委员会", "property": "runs", "tail": "“369”人才工程"},
        ],
        "fundings": [{"amount_yuan": 3430000000}, {"amount_yuan": 20000000}],
    }
]


def micro(result, kind, mode="exact"):
    return result[kind]["micro"][mode]


def test_perfect_prediction_scores_one_everywhere():
    s = score(GOLD, GOLD)
    for kind in ("entities", "relations"):
        assert (micro(s, kind)["p"], micro(s, kind)["r"], micro(s, kind)["f1"]) == (1.0, 1.0, 1.0)
    assert s["fundings"]["exact"]["f1"] == 1.0


def test_empty_prediction_scores_zero_recall_and_no_false_positives():
    s = score(GOLD, [{"article": "a", "entities": [], "relations": [], "fundings": []}])
    assert micro(s, "entities") == {"p": 0.0, "r": 0.0, "f1": 0.0, "tp": 0, "fp": 0, "fn": 4}
    assert micro(s, "relations")["fn"] == 2 and s["fundings"]["exact"]["fn"] == 2


def test_missing_article_counts_as_empty_prediction():
    s = score(GOLD, [])
    assert micro(s, "entities")["fn"] == 4


def test_partial_overlap_is_scored_exactly_and_leniently():
    predicted = [
        {
            "article": "a",
            "entities": [
                {"label": "洛阳市", "class": "County"},  # right name, related class: lenient only
                {"label": "369人才工程", "class": "Program"},  # quotes dropped: lenient only
                {"label": "春苗工程", "class": "Policy"},  # wrong top class: wrong in both
                {"label": "嵩县", "class": "County"},  # spurious
            ],
            "relations": [{"head": "洛阳市", "property": "runs", "tail": "春苗工程"}, {"head": "洛阳市", "property": "funds", "tail": "春苗工程"}],
            "fundings": [{"amount_yuan": 3430000000}, {"amount_yuan": 20100000}],
        }
    ]
    s = score(GOLD, predicted)
    assert micro(s, "entities", "exact")["tp"] == 0
    assert micro(s, "entities", "lenient") == {"p": 0.5, "r": 0.5, "f1": 0.5, "tp": 2, "fp": 2, "fn": 2}
    assert micro(s, "relations", "exact") == {"p": 0.5, "r": 0.5, "f1": 0.5, "tp": 1, "fp": 1, "fn": 1}
    assert s["fundings"]["exact"]["tp"] == 1 and s["fundings"]["lenient"]["tp"] == 2  # within 1%
    assert sorted(s["errors"]["class_confusions"]) == [("City -> County", 1), ("Program -> Policy", 1)]


@pytest.mark.parametrize(
    "a, b, lenient, expected",
    [
        ("黑龙江省大兴安岭地区呼玛县白桦乡3村卫生室", "呼玛县白桦乡3村卫生室", True, True),
        ("《医养中心发展规划》", "医养中心发展规划", True, True),
        ("医养中心建设", "医养中心", True, True),
        ("洛阳市", "洛阳市卫生健康委员会", True, False),  # too short a part
        ("《医养中心发展规划》", "医养中心发展规划", False, False),
    ],
)
def test_lenient_label_matching(a, b, lenient, expected):
    assert labels_match(a, b, lenient) is expected


def test_jieba_baseline_tags_places_organisations_and_people():
    [found] = jieba_baseline([{"article": "a", "text": "河南省卫生健康委主任阚全程在洛阳市调研。"}])
    classes = {e["class"] for e in found["entities"]}
    assert "Region" in classes and found["relations"] == [] and found["fundings"] == []
