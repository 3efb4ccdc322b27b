"""Reading input: encodings, bad files, and a run that carries on past them."""

from __future__ import annotations

import pytest

from kg.build import build
from kg.ingest import InputError, decode, read_pages


def test_reads_utf8_and_gbk_files_alike(tmp_path):
    (tmp_path / "utf8.txt").write_text("洛阳市卫生健康委", encoding="utf-8")
    (tmp_path / "gbk.txt").write_bytes("濮阳市第三人民医院".encode("gbk"))
    (tmp_path / "bom.txt").write_bytes("\ufeff嵩县人民医院".encode("utf-8"))
    pages = {p.path.name: (p.text, p.encoding) for p in read_pages([tmp_path])}
    assert pages == {
        "bom.txt": ("嵩县人民医院", "utf-8"),
        "gbk.txt": ("濮阳市第三人民医院", "gb18030"),
        "utf8.txt": ("洛阳市卫生健康委", "utf-8"),
    }


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"\n  \n", "empty file"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data"),
        ("random.txt", bytes(range(128, 256)) * 50 + b"\x00", "binary data"),
    ],
)
def test_bad_file_is_reported_with_its_name(tmp_path, name, content, reason):
    (tmp_path / name).write_bytes(content)
    errors = []
    assert list(read_pages([tmp_path], on_error=errors.append)) == []
    assert len(errors) == 1 and name in str(errors[0]) and reason in str(errors[0])


def test_undecodable_text_is_an_error_not_garbage():
    with pytest.raises(InputError, match="not valid UTF-8 or GB18030"):
        decode(b"\x81\x30" * 4000 + b"\xff\xff" * 100, __import__("pathlib").Path("odd.txt"))


def test_missing_path_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="no such file or folder"):
        list(read_pages([tmp_path / "nope"]))


def test_build_skips_bad_files_and_keeps_the_rest(tmp_path):
    """An empty, a binary, a GBK and a 50 MB file beside a real page: the bad ones are
    skipped with their names, the GBK page is read, the output is complete."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "empty.txt").write_bytes(b"")
    (inputs / "binary.txt").write_bytes(b"\x00\x01\x02PK\x03\x04" * 100)
    (inputs / "huge.txt").write_bytes(("焦作市卫生健康委推进医养中心建设。\n" * 10).encode() * 170_000)
    (inputs / "gbk.txt").write_bytes("2019年，驻马店市荣获全国脱贫攻坚奖。\n".encode("gbk"))
    report = build([inputs], tmp_path / "out")
    skipped = sorted(e.path.name for e in report.skipped)
    assert skipped == ["binary.txt", "empty.txt", "huge.txt"]
    assert "MB limit" in next(str(e) for e in report.skipped if e.path.name == "huge.txt")
    assert report.counts.articles == 1
    assert report.counts.relations["received"] == 1
    for name in ("graph.ttl", "graph.trig", "graph.html", "config.cfg"):
        assert (tmp_path / "out" / name).stat().st_size > 0
