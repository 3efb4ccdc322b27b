"""The region gazetteer: China's provinces, prefecture-level cities and counties with
their GB/T 2260 codes, from the ``cpca`` package's administrative-division table.

>>> gaz = load()
>>> [(r.name, r.code, r.level) for r in gaz.lookup("洛阳")]
[('洛阳市', '410300', 'City')]
>>> gaz.parent(gaz.lookup("嵩县")[0]).name
'洛阳市'
>>> [r.name for r in gaz.lookup("巴州")]
['巴音郭楞蒙古自治州']
"""

from __future__ import annotations

import csv
import functools
import importlib.util
from dataclasses import dataclass, field
from pathlib import Path

from kg.matching import KeywordMatcher

LEXICON = Path(__file__).parent / "lexicon"

#: Region classes by administrative level.
LEVELS = ("Province", "City", "County", "Township", "Village")


@dataclass(frozen=True)
class Region:
    """An administrative area. ``code`` is the six-digit GB/T 2260 code ('' when unknown)."""

    name: str
    level: str
    code: str = ""
    parent_code: str = ""
    latitude: float | None = field(default=None, compare=False)
    longitude: float | None = field(default=None, compare=False)


def _level(code: str) -> str:
    if code[2:] == "0000":
        return "Province"
    if code[4:] == "00":
        return "City"
    return "County"


def _parent_code(code: str) -> str:
    level = _level(code)
    if level == "Province":
        return ""
    if level == "City":
        return code[:2] + "0000"
    return code[:4] + "00"


def _table_path() -> Path:
    """The cpca package's CSV, found without importing cpca (which loads pandas)."""
    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the region gazetteer needs the 'cpca' package: pip install cpca")
    return Path(list(spec.submodule_search_locations)[0]) / "resources" / "adcodes.csv"


def _nationalities() -> list[str]:
    path = _table_path().with_name("56_nations.csv")
    names = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    # Longest first, with and without 族: 巴音郭楞蒙古自治州 drops 蒙古 without 族.
    return sorted({n for name in names for n in (name, name.removesuffix("族")) if len(n) >= 2}, key=len, reverse=True)


def short_forms(region: Region, nationalities: list[str]) -> list[str]:
    """Names a region goes by besides its full name.

    >>> nat = _nationalities()
    >>> short_forms(Region("新疆维吾尔自治区", "Province", "650000"), nat)
    ['新疆', '新疆自治区']
    >>> short_forms(Region("果洛藏族自治州", "City", "632600"), nat)
    ['果洛', '果洛州']
    """
    name = region.name
    if region.level == "Province":
        for suffix in ("特别行政区", "自治区", "省", "市"):
            if name.endswith(suffix):
                base = name.removesuffix(suffix)
                if suffix == "自治区":
                    base = _strip_nationalities(base, nationalities)
                    return [base, base + "自治区"]
                return [base]
        return []
    if region.level == "City":
        for suffix in ("自治州", "地区", "盟", "市"):
            if name.endswith(suffix):
                base = name.removesuffix(suffix)
                if suffix != "自治州":
                    return [base] if len(base) >= 2 else []
                base = _strip_nationalities(base, nationalities)
                forms = [base, base + "州"]
                if len(base) >= 4 and region.code.startswith("65"):  # 巴州, 博州, 克州
                    forms.append(base[0] + "州")
                return forms
    return []


def _strip_nationalities(base: str, nationalities: list[str]) -> str:
    changed = True
    while changed:
        changed = False
        for nat in nationalities:
            if base.endswith(nat) and len(base) > len(nat) + 1:
                base = base.removesuffix(nat)
                changed = True
    return base


class Gazetteer:
    """Regions by code and by every name they go by, with a matcher over the names."""

    def __init__(self, regions: list[Region], stop_short: set[str]):
        """``stop_short``: names, short or full, that are more often common words (安康, 和县)."""
        self.by_code = {r.code: r for r in regions}
        self._by_name: dict[str, list[Region]] = {}
        nationalities = _nationalities()
        for region in regions:
            if region.name not in stop_short:
                self._by_name.setdefault(region.name, []).append(region)
        full_names = set(self._by_name)
        for region in regions:
            for form in short_forms(region, nationalities):
                if form in stop_short or form in full_names:
                    continue
                bucket = self._by_name.setdefault(form, [])
                # A short name shared by a province and a city goes to the province (海南, 吉林).
                if bucket and bucket[0].level == "Province":
                    continue
                if region.level == "Province":
                    bucket.clear()
                bucket.append(region)
        self.matcher = KeywordMatcher({name: name for name in self._by_name})

    def lookup(self, name: str) -> list[Region]:
        """Every region a name may denote (several for names like 鼓楼区)."""
        return list(self._by_name.get(name, []))

    def parent(self, region: Region) -> Region | None:
        return self.by_code.get(region.parent_code)

    def ancestors(self, region: Region) -> list[Region]:
        """Parent, grandparent, ... up to the province."""
        chain = []
        current = self.parent(region)
        while current is not None:
            chain.append(current)
            current = self.parent(current)
        return chain

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Region names in ``text`` as ``(start, end, name)``, longest first, no overlaps."""
        return self.matcher.find(text)


@functools.lru_cache(maxsize=1)
def load() -> Gazetteer:
    """The gazetteer, built once per process (about 0.1 s)."""
    regions = []
    with _table_path().open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code = row["adcode"][:6]
            name = row["name"].strip()
            if not name or name in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划") or code[:2] in ("71", "81", "82") and code[2:] != "0000":
                continue
            regions.append(
                Region(
                    name=name,
                    level=_level(code),
                    code=code,
                    parent_code=_parent_code(code),
                    latitude=float(row["latitude"]) if row.get("latitude") else None,
                    longitude=float(row["longitude"]) if row.get("longitude") else None,
                )
            )
    by_code = {r.code for r in regions}
    # Counties directly under a province (济源市, 仙桃市) hang from the province.
    regions = [
        r if not r.parent_code or r.parent_code in by_code else Region(r.name, r.level, r.code, r.code[:2] + "0000", r.latitude, r.longitude)
        for r in regions
    ]
    stop = set((LEXICON / "region_stop.txt").read_text(encoding="utf-8").split())
    return Gazetteer(regions, stop)


def swap_places(text: str, rng) -> str:
    """``text`` with every place name replaced by another place of the same level, the
    same name by the same place throughout, short forms by short forms (洛阳 → 宝鸡);
    ``rng`` is a :class:`random.Random`. ``kg bench`` makes its corpora this way.

    >>> import random
    >>> new = swap_places("洛阳市卫生健康委在嵩县，洛阳市投入", random.Random(1))
    >>> "洛阳" not in new and new.count(new[:3]) == 2
    True
    """
    gaz = load()
    by_level: dict[str, list[Region]] = {}
    for region in gaz.by_code.values():
        by_level.setdefault(region.level, []).append(region)
    mapping: dict[str, str] = {}
    out, position = [], 0
    for start, end, name in gaz.find(text):
        regions = gaz.lookup(name)
        if not regions:
            continue
        if name not in mapping:
            original = regions[0]
            other = rng.choice(by_level[original.level])
            mapping[name] = _short(other) if name != original.name and _short(other) else other.name
        out += [text[position:start], mapping[name]]
        position = end
    return "".join(out + [text[position:]])


def _short(region: Region) -> str:
    for suffix in ("市", "县", "省", "地区"):
        if region.name.endswith(suffix) and len(region.name) > len(suffix) + 1:
            return region.name[: -len(suffix)]
    return ""
