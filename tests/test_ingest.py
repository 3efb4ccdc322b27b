"""Reading input: encodings, bad files, and a run that carries on past them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import rdflib

from kg.build import build
from kg.ingest import InputError, decode, find_files, read_pages
from kg.namespace import KG


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
        decode(b"\x81\x30" * 4000 + b"\xff\xff" * 100, Path("odd.txt"))


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


PAGE = "2019年，驻马店市荣获全国脱贫攻坚奖。"


def test_a_file_name_that_is_not_utf8_is_read_and_shown_escaped(tmp_path):
    from click.testing import CliRunner

    from kg.cli import main

    inputs = tmp_path / "in"
    inputs.mkdir()
    Path(os.fsdecode(bytes(inputs) + b"/bad\xff.txt")).write_text(PAGE, encoding="utf-8")
    Path(os.fsdecode(bytes(inputs) + b"/empty\xfe.txt")).write_bytes(b"")
    out, figures = tmp_path / "out", tmp_path / "report.json"
    result = CliRunner().invoke(main, ["build", str(inputs), "-g", str(out), "-q", "--report", str(figures)])
    assert result.exit_code == 0, result.output
    assert "1 articles" in result.output and "empty\\xfe.txt: empty file" in result.output
    assert "empty\\xfe.txt" in json.loads(figures.read_text(encoding="utf-8"))["skipped"][0]
    graph = rdflib.Graph().parse(out / "graph.ttl")
    assert {str(o) for o in graph.objects(None, KG.sourceFile)} == {"in/bad\\xff.txt"}
    assert [str(s) for s in graph.subjects(rdflib.RDF.type, KG.Article)] == ["https://example.org/kg/article/bad%5Cxff%2Fa00"]


def test_symlinks_leaving_the_input_and_special_files_are_skipped_with_their_names_and_reasons(tmp_path):
    inputs, elsewhere = tmp_path / "in", tmp_path / "elsewhere"
    (inputs / "sub").mkdir(parents=True)
    elsewhere.mkdir()
    (inputs / "sub" / "real.txt").write_text(PAGE, encoding="utf-8")
    (elsewhere / "secret.txt").write_text("洛阳市荣获全国文明城市。秘密口令是天王盖地虎。", encoding="utf-8")
    (inputs / "alias.txt").symlink_to(inputs / "sub" / "real.txt")  # stays inside: read
    (inputs / "passwd.txt").symlink_to(elsewhere / "secret.txt")
    (inputs / "etc").symlink_to(elsewhere)
    (inputs / "loop.txt").symlink_to(inputs / "loop.txt")
    (inputs / "sub" / "up").symlink_to(inputs)
    (inputs / "gone.txt").symlink_to(tmp_path / "nothing.txt")
    os.mkfifo(inputs / "pipe.txt")
    report = build([inputs], tmp_path / "out")
    reasons = {e.path.name: e.reason for e in report.skipped}
    assert sorted(reasons) == ["etc", "gone.txt", "loop.txt", "passwd.txt", "pipe.txt", "up"]
    assert "outside the input" in reasons["passwd.txt"] and "outside the input" in reasons["etc"]
    assert "loop" in reasons["loop.txt"] and "loop" in reasons["up"]
    assert "dangling" in reasons["gone.txt"] and "not a regular file" in reasons["pipe.txt"]
    assert report.counts.articles == 2
    assert "天王盖地虎" not in (tmp_path / "out" / "graph.ttl").read_text(encoding="utf-8")


def test_text_of_control_characters_is_rejected_as_such():
    terminal_log = ("洛阳市卫生健康委召开会议" * 3 + "\x1b[0m\x0b").encode() * 50
    with pytest.raises(InputError, match="control characters") as error:
        decode(terminal_log, Path("tty.txt"))
    assert "not valid UTF-8" not in str(error.value)


def test_two_inputs_with_one_page_id_get_iris_from_their_paths_under_the_input(tmp_path):
    from kg.store import open_store, select

    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a.md").write_text(PAGE, encoding="utf-8")
    (inputs / "a.txt").write_text("许昌市卫生健康委开展急危重症三级救治网建设。", encoding="utf-8")
    report = build([inputs.resolve()], tmp_path / "out")
    assert report.counts.articles == 2
    iris = sorted(row["a"].value for row in select(open_store(tmp_path / "out"), "SELECT ?a WHERE { ?a a kg:Article }"))
    assert iris == ["https://example.org/kg/article/a%2Fa00", "https://example.org/kg/article/a.txt%2Fa00"]


def _bad_input_corpus(inputs: Path, outside: Path) -> tuple[list[str], dict[str, str]]:
    """Every kind of input a build meets, good and bad, written into ``inputs``: the
    source names of the good pages, and the reason each bad one is skipped for."""
    other = "许昌市卫生健康委开展急危重症三级救治网建设。"
    good: dict[str, bytes] = {
        "plain.txt": PAGE.encode(),
        "utf8-bom.txt": b"\xef\xbb\xbf" + PAGE.encode(),
        "utf16-le.txt": PAGE.encode("utf-16"),
        "utf16-be.txt": b"\xfe\xff" + PAGE.encode("utf-16-be"),
        "gbk.txt": PAGE.encode("gbk"),
        "crlf.txt": f"{other}\r\n{PAGE}\r\n".encode(),
        "markdown.md": f"# 喜报\n\n{PAGE}\n".encode(),
        "control-characters.txt": f"{PAGE[:5]}\x0b\x1b[1m{PAGE[5:]}\x07{other * 12}".encode(),  # under 1%
        "nul-late.txt": PAGE.encode() + b"\n" * 70_000 + b"\x00" + other.encode(),
        "one-long-line.txt": (PAGE + other * 59).encode(),
        "sub/deeper/nested.txt": PAGE.encode(),
        "folder.txt/inside.txt": PAGE.encode(),
        "same.md": PAGE.encode(),
        "same.txt": other.encode(),
        "unreadable.txt": PAGE.encode(),
        "名单 2020.txt": PAGE.encode(),
        '<script>"{}\\.txt': PAGE.encode(),
        "new\nline.txt": PAGE.encode(),
        "bidi\u202etxt.txt": PAGE.encode(),
    }
    bad: dict[str, tuple[bytes, str]] = {
        "empty.txt": (b"", "empty file"),
        "blank.txt": (b"\n  \n\t", "empty file"),
        "bom-only.txt": (b"\xef\xbb\xbf", "empty file"),
        "image.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data"),
        "random.txt": (bytes(range(128, 256)) * 50 + b"\x00", "binary data"),
        "nul-early.txt": (PAGE.encode() + b"\x00" + PAGE.encode(), "binary data"),
        "undecodable.txt": (b"\x81\x30" * 4000 + b"\xff\xff" * 100, "not valid UTF-8"),
        "terminal.txt": (("洛阳市卫生健康委召开会议" * 3 + "\x1b[0m\x0b").encode() * 50, "control characters"),
        "vanishing.txt": (PAGE.encode(), "cannot read"),
    }
    for name, data in {**good, **{name: data for name, (data, _) in bad.items()}}.items():
        (inputs / name).parent.mkdir(parents=True, exist_ok=True)
        (inputs / name).write_bytes(data)
    reasons = {name: reason for name, (_, reason) in bad.items()}
    good_names = list(good)
    Path(os.fsdecode(bytes(inputs) + b"/latin\xe9.txt")).write_bytes(PAGE.encode())
    good_names.append("latin\\xe9.txt")
    with (inputs / "huge.txt").open("wb") as huge:
        huge.truncate(21_000_000)  # sparse: over the limit without writing 21 MB
    reasons["huge.txt"] = "MB limit"
    (outside / "secret.txt").write_text(f"{other}天王盖地虎", encoding="utf-8")
    links = {"passwd.txt": outside / "secret.txt", "etc": outside, "loop.txt": inputs / "loop.txt", "up": inputs, "gone.txt": outside / "nothing.txt"}
    for name, target in links.items():
        (inputs / name).symlink_to(target)
    reasons |= {"passwd.txt": "outside the input", "etc": "outside the input", "loop.txt": "loop", "up": "loop", "gone.txt": "dangling"}
    os.mkfifo(inputs / "pipe.txt")
    reasons["pipe.txt"] = "not a regular file"
    (inputs / "unreadable.txt").chmod(0)
    if not os.access(inputs / "unreadable.txt", os.R_OK):  # run as root, it is read
        good_names.remove("unreadable.txt")
        reasons["unreadable.txt"] = "cannot read"
    return good_names, reasons


def test_a_corpus_of_every_bad_input_builds_every_good_page_and_outputs_that_parse(tmp_path, monkeypatch):
    import xml.etree.ElementTree as ET

    import pyoxigraph as ox

    from kg import build as build_module
    from kg.build import summary
    from kg.ingest import display_name
    from kg.store import open_store, select

    inputs, outside, out = tmp_path / "in", tmp_path / "outside", tmp_path / "out"
    inputs.mkdir(), outside.mkdir()
    good, reasons = _bad_input_corpus(inputs, outside)
    assert len(good) + len(reasons) >= 25

    def listing_then_vanishing(*args, **kwargs):
        files = find_files(*args, **kwargs)
        (inputs / "vanishing.txt").unlink()  # gone between the listing and the reading
        return files

    monkeypatch.setattr(build_module, "find_files", listing_then_vanishing)
    report = build([inputs], out)
    skipped = {display_name(e.path.relative_to(inputs)): e for e in report.skipped}
    assert sorted(skipped) == sorted(reasons)
    for name, reason in reasons.items():
        assert reason in skipped[name].reason and display_name(name) in str(skipped[name])
    summary(report).encode("utf-8")  # every name printable
    store = open_store(out)
    sources = {row["f"].value for row in select(store, "SELECT DISTINCT ?f WHERE { ?a kg:sourceFile ?f }")}
    assert sources == {f"in/{display_name(name)}" for name in good}
    assert report.counts.articles >= len(good)
    turtle = rdflib.Graph().parse(out / "graph.ttl")
    rdflib.Dataset().parse(out / "graph.trig", format="trig")
    controls = [str(o) for o in turtle.objects() if isinstance(o, rdflib.Literal) and any(ord(ch) < 32 and ch not in "\n\t" or 0x7F <= ord(ch) <= 0x9F for ch in str(o))]
    assert controls == []
    ET.fromstring(store.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }").serialize(format=ox.QueryResultsFormat.XML))
    ET.fromstring(store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }").serialize(format=ox.RdfFormat.RDF_XML))
