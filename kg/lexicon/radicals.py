"""Radical code points to the ideographs they stand for.

The text layers of Chinese PDFs often carry the Kangxi radicals (U+2F00-U+2FD5) and
the CJK radicals supplement (U+2E80-U+2EF3) where the ideographs belong: ``⼈``
(U+2F08) for ``人``, ``⺠`` (U+2EA0) for ``民``. They look the same but match nothing.
NFKC maps every Kangxi radical, and only two of the supplement; the others come from
``radicals.tsv``, made from the Unicode Character Database's
``EquivalentUnifiedIdeograph.txt`` by this module run as a script::

    python -m kg.lexicon.radicals EquivalentUnifiedIdeograph.txt > kg/lexicon/radicals.tsv

>>> "".join(table().get(ord(ch), ch) for ch in "焦作市⼈⺠医院⾸批")
'焦作市人民医院首批'
"""

from __future__ import annotations

import functools
import sys
import unicodedata
from pathlib import Path

KANGXI = range(0x2F00, 0x2FD6)
SUPPLEMENT = range(0x2E80, 0x2EF4)
TSV = Path(__file__).parent / "radicals.tsv"


@functools.lru_cache(maxsize=1)
def table() -> dict[int, str]:
    """``str.translate`` table: every radical with an equivalent ideograph, to it."""
    mapping = {code: unicodedata.normalize("NFKC", chr(code)) for code in KANGXI}
    for line in TSV.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            radical, ideograph = line.split("\t")[:2]
            mapping[ord(radical)] = ideograph
    return {code: text for code, text in mapping.items() if text != chr(code)}


def supplement_rows(equivalents: str) -> list[tuple[str, str, str]]:
    """``(radical, ideograph, name)`` for each supplement radical that
    ``EquivalentUnifiedIdeograph.txt`` maps and NFKC does not.

    >>> supplement_rows("2E9F ; 6BCD # MOTHER\\n2EA0 ; 6C11 # CIVILIAN\\n2EA4..2EA5 ; 722B # PAW\\n2F08 ; 4EBA # PERSON")
    [('⺠', '民', 'CJK RADICAL CIVILIAN'), ('⺤', '爫', 'CJK RADICAL PAW ONE'), ('⺥', '爫', 'CJK RADICAL PAW TWO')]
    """
    rows = []
    for line in equivalents.splitlines():
        fields = line.split("#")[0].split(";")
        if len(fields) != 2:
            continue
        first, _, last = fields[0].strip().partition("..")
        ideograph = chr(int(fields[1], 16))
        for code in range(int(first, 16), int(last or first, 16) + 1):
            if code in SUPPLEMENT and unicodedata.normalize("NFKC", chr(code)) == chr(code):
                rows.append((chr(code), ideograph, unicodedata.name(chr(code), "")))
    return rows


def main(path: str) -> None:
    """Print ``radicals.tsv`` made from the given ``EquivalentUnifiedIdeograph.txt``."""
    text = Path(path).read_text(encoding="utf-8")
    version = text.splitlines()[0].lstrip("# ").strip()
    print(f"# CJK radicals supplement -> equivalent unified ideograph, from the Unicode Character\n# Database ({version}, Unicode, Inc., unicode.org/terms_of_use); made by kg/lexicon/radicals.py.")
    for radical, ideograph, name in supplement_rows(text):
        print(f"{radical}\t{ideograph}\t{name}")


if __name__ == "__main__":
    main(sys.argv[1])
