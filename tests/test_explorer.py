"""The explorer page (``kg serve`` at ``/``) in a real headless Chromium, against a real
``kg serve`` process over the seed graph: search, the neighbourhood view, the evidence
panel, the SPARQL box, and names from articles that must stay text."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from browser import chinese_renders, click_canvas, click_node, open_page, open_view, search, wait, wait_for_graph
from servers import free_port, kg_command, running

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
ENTITY = "https://example.org/kg/id/"
LUOYANG = ENTITY + "洛阳市"
EVIL_TEXT = """洛阳市<script>window.__pwned=1</script>健康扶贫工作
2019年，“<script>__pwned=1</script>工程”由洛阳市卫生健康委实施。
洛阳市卫生健康委出台《<img src=x onerror="window.__pwned=2">办法》。
洛阳市卫生健康委组织实施家庭医生签约服务，洛阳市第一人民医院参与。
"""


# ---- fixtures: graphs and servers (the browser is in conftest.py) --------------------------


def serve(out: Path):
    """``kg serve out`` on a free loopback port, as a context manager yielding its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    return base, running(kg_command() + ["serve", "--graph", str(out), "--host", "127.0.0.1", "--port", str(port)], base + "/api/schema")


@pytest.fixture(scope="module")
def seed_server(tmp_path_factory):
    from kg.build import build

    out = tmp_path_factory.mktemp("explorer-seeds")
    build([ROOT / "seeds"], out, rules_only=True)
    base, server = serve(out)
    with server:
        yield base


@pytest.fixture(scope="module")
def evil_server(tmp_path_factory):
    from kg.build import build

    pages = tmp_path_factory.mktemp("explorer-evil-in")
    (pages / "evil.txt").write_text(EVIL_TEXT, encoding="utf-8")
    out = tmp_path_factory.mktemp("explorer-evil-out")
    build([pages], out, rules_only=True)
    base, server = serve(out)
    with server:
        yield base


# ---- helpers -------------------------------------------------------------------------------------


def severe_errors(driver) -> list[dict]:
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def click_edge(driver, edge_id: str) -> None:
    """A real mouse click on the edge: on a point of the line between its ends where the
    network reports that edge and no node."""
    point = driver.execute_script(
        """const n = window.kgExplorer.network, e = window.kgExplorer.edges.get(arguments[0]);
        const a = n.canvasToDOM(n.getPosition(e.from)), b = n.canvasToDOM(n.getPosition(e.to));
        for (const t of [0.5, 0.4, 0.6, 0.3, 0.7, 0.35, 0.65]) {
            const p = {x: a.x + t * (b.x - a.x), y: a.y + t * (b.y - a.y)};
            if (n.getEdgeAt(p) === arguments[0] && n.getNodeAt(p) === undefined) return [p.x, p.y];
        }
        return null;""",
        edge_id,
    )
    assert point, f"no clickable point on edge {edge_id}"
    click_canvas(driver, "#graph canvas", point)


def no_alert(driver) -> bool:
    from selenium.common.exceptions import NoAlertPresentException

    try:
        driver.switch_to.alert.text
    except NoAlertPresentException:
        return True
    return False


# ---- tests ------------------------------------------------------------------------------------------


def test_page_loads_without_console_errors(browser, seed_server):
    browser.get_log("browser")  # drop anything from before
    open_page(browser, seed_server)
    wait(browser, lambda d: d.find_elements("css selector", "#suggestions button"), message="no suggested entities")
    assert browser.title.startswith("卫生健康知识图谱")
    assert len(browser.find_elements("css selector", "#class-filters input[type=checkbox]")) == 19
    assert len(browser.find_elements("css selector", "#property-filters input[type=checkbox]")) == 13
    assert "地级行政区" in browser.find_element("id", "class-filters").text  # the ontology's Chinese names
    # Offline: everything the page fetched came from the server itself.
    fetched = browser.execute_script("return performance.getEntriesByType('resource').map(r => r.name)")
    assert fetched and all(url.startswith(seed_server + "/") for url in fetched), fetched
    time.sleep(0.3)
    assert severe_errors(browser) == []


def test_searching_luoyang_finds_the_city_and_draws_its_neighbourhood(browser, seed_server):
    open_page(browser, seed_server)
    results = search(browser, "洛阳")
    texts = [r.text for r in results]
    assert any("洛阳市" in t and "地级行政区" in t for t in texts), texts
    next(r for r in results if r.find_element("css selector", ".r-label").text == "洛阳市").click()
    count = wait_for_graph(browser, "洛阳市")
    assert count >= 5
    drawn = browser.execute_script(
        "const k = window.kgExplorer; return [k.nodes.length, Object.keys(k.network.getPositions()).length, k.edges.length,"
        " k.nodes.get(k.state.focus).label];"
    )
    assert drawn[0] == drawn[1] == count and drawn[2] >= 4 and drawn[3] == "洛阳市"
    canvas = browser.find_element("css selector", "#graph canvas")
    assert canvas.size["width"] > 300 and canvas.size["height"] > 300
    assert "#e=" in browser.current_url  # the address names the entity shown

    # The filters act on what is drawn: hide counties, then bring them back.
    counties = browser.find_element("css selector", "#class-filters input[data-class=County]")
    counties.click()
    fewer = int(browser.find_element("id", "graph-stats").get_attribute("data-nodes"))
    assert fewer < count and browser.execute_script("return window.kgExplorer.nodes.get().every(n => !n.label.endsWith('县'))")
    counties.click()
    assert int(browser.find_element("id", "graph-stats").get_attribute("data-nodes")) == count
    browser.find_element("css selector", "#property-filters input[data-property=partOf]").click()
    assert browser.execute_script("return window.kgExplorer.edges.get().every(e => e.label !== '隶属')")
    browser.find_element("css selector", "#property-filters input[data-property=partOf]").click()
    assert severe_errors(browser) == []


def test_clicking_a_node_shows_its_evidence_sentences(browser, seed_server):
    open_page(browser, seed_server, LUOYANG)
    panel = browser.find_element("id", "panel")

    # An edge first: 洛阳市 —资助→ 乡镇卫生院提升工程, with the sentence that says so.
    funds = browser.execute_script(
        "const s = window.kgExplorer.state; return Object.keys(s.edgeById).find(id => s.edgeById[id].property === 'funds'"
        " && s.edgeById[id].to.endsWith('乡镇卫生院提升工程'));"
    )
    click_edge(browser, funds)
    wait(browser, lambda d: "funds" in panel.find_element("css selector", ".chip").text, message="clicking the edge showed no edge panel")
    edge_sentences = [s.text for s in panel.find_elements("css selector", ".evidence .sentence")]
    assert edge_sentences and "乡镇卫生院提升工程" in edge_sentences[0] and "亿元" in edge_sentences[0]

    target = ENTITY + "家庭医生签约服务"
    click_node(browser, target)
    wait_for_graph(browser, "家庭医生签约服务")  # a click on a neighbour loads its neighbourhood
    wait(browser, lambda d: "家庭医生签约服务" in panel.find_element("css selector", "h2").text, message="the panel did not show the clicked node")
    sentences = panel.find_elements("css selector", ".evidence .sentence")
    assert sentences and all(s.text.strip() for s in sentences)
    assert any("家庭医生签约服务" in s.text for s in sentences)
    assert panel.find_elements("css selector", ".evidence mark")  # the mention is marked
    source = panel.find_element("css selector", ".evidence .source")
    assert "《" in source.text and ".txt" in source.find_element("css selector", ".file").text

    # Clicking the node shown at the centre keeps it and shows its panel again.
    click_node(browser, target)
    assert "家庭医生签约服务" in panel.find_element("css selector", "h2").text

    # An edge's evidence (from the relation list), then the article's full text.
    relation = next(b for b in panel.find_elements("css selector", ".relations button.more") if b.text.startswith("证据"))
    relation.click()
    wait(browser, lambda d: "关系" in panel.find_element("css selector", ".chip").text, message="no edge panel")
    sentence = panel.find_element("css selector", ".evidence .sentence").text
    panel.find_element("css selector", ".evidence .source button").click()
    modal = browser.find_element("id", "article-modal")
    wait(browser, lambda d: modal.is_displayed() and d.find_element("id", "article-text").text.strip(), message="the article did not open")
    assert sentence[:20] in browser.find_element("id", "article-text").text
    assert ".txt" in browser.find_element("id", "article-meta").text
    browser.find_element("id", "article-close").click()
    assert not modal.is_displayed()

    browser.find_element("id", "back").click()  # back to where we came from
    wait_for_graph(browser, "洛阳市")
    assert browser.find_element("id", "back").get_attribute("disabled")
    assert severe_errors(browser) == []


def test_sparql_box_shows_hospitals_as_a_table(browser, seed_server):
    open_page(browser, seed_server)
    browser.find_element("id", "tab-sparql").click()
    box = browser.find_element("id", "sparql-query")
    assert "SELECT" in box.get_attribute("value")  # a default query is there
    box.clear()
    box.send_keys("SELECT ?l WHERE { ?s a kg:Hospital ; rdfs:label ?l } ORDER BY ?l LIMIT 5")
    browser.find_element("id", "sparql-run").click()
    rows = wait(browser, lambda d: d.find_elements("css selector", "#sparql-table tbody tr"), message="no result rows")
    assert len(rows) == 5
    assert [th.text for th in browser.find_elements("css selector", "#sparql-table thead th")] == ["#", "?l"]
    labels = [r.find_elements("css selector", "td")[1].text for r in rows]
    assert all(labels) and any("医院" in label for label in labels), labels
    assert "共 5 行" in browser.find_element("id", "sparql-status").text

    # A syntax error is reported in the page, not thrown.
    box.clear()
    box.send_keys("SELECT ?x WHERE { ?x rdfs:label }")
    browser.find_element("id", "sparql-run").click()
    error = wait(browser, lambda d: d.find_elements("css selector", "#sparql-result .error"), message="no error shown")
    assert "syntax error" in error[0].text
    browser.get_log("browser")  # the 400 is logged by the browser as a failed load; expected here


def test_a_malicious_name_is_shown_as_text_and_never_runs(browser, evil_server):
    browser.get_log("browser")
    open_page(browser, evil_server)
    results = search(browser, "script")
    program = [r for r in results if r.find_element("css selector", ".r-label").text == "<script>__pwned=1</script>工程"]
    assert program, [r.text for r in results]
    program[0].click()
    wait_for_graph(browser, "<script>")
    panel = browser.find_element("id", "panel")
    assert "<script>__pwned=1</script>工程" in panel.find_element("css selector", "h2").text
    # The article whose title holds a script, opened in the reader.
    panel.find_element("css selector", ".evidence .source button").click()
    wait(browser, lambda d: "<script>" in d.find_element("id", "article-title").text, message="the article did not open")
    assert "<script>window.__pwned=1</script>" in browser.find_element("id", "article-text").text
    browser.find_element("id", "article-close").click()

    results = search(browser, "onerror")
    policy = [r for r in results if '<img src=x onerror="window.__pwned=2">' in r.text]
    assert policy, [r.text for r in results]
    policy[0].click()
    wait_for_graph(browser, "onerror")
    click_node(browser, ENTITY + "洛阳市卫生健康委员会")
    wait_for_graph(browser, "洛阳市卫生健康委员会")

    assert no_alert(browser)
    assert browser.execute_script("return typeof window.__pwned") == "undefined"
    assert browser.execute_script("return document.querySelectorAll('body script').length") == 1  # only the page's own
    assert browser.execute_script("return document.querySelectorAll('img').length") == 0
    assert severe_errors(browser) == []


def test_the_explorer_draws_chinese_as_glyphs_not_boxes(browser, seed_server):
    open_page(browser, seed_server, LUOYANG)
    assert chinese_renders(browser)  # the page's font, which the graph's labels use too
    assert browser.execute_script("return window.kgExplorer.network.body.nodes[arguments[0]].options.font.face", LUOYANG) == (
        browser.execute_script("return getComputedStyle(document.body).fontFamily")
    )


def test_graph_html_names_and_colours_classes_as_the_explorer_does(browser, seed_server, seed_build):
    open_page(browser, seed_server)
    read = """return Object.fromEntries(Array.from(document.querySelectorAll(arguments[0])).map(e => [e.dataset["class"],
              [e.closest(arguments[1]).textContent.replace(/\\d+$/, "").trim(), getComputedStyle(e.closest(arguments[1]).querySelector(arguments[2])).backgroundColor]]));"""
    explorer = browser.execute_script(read, "#class-filters input", "label", ".dot")
    open_view(browser, seed_build.out_dir / "graph.html")
    legend = browser.execute_script(read, "#legend span", "span", "i")
    assert len(legend) > 10 and legend["City"][0] == "地级行政区"
    assert all(legend[cls] == explorer[cls] for cls in legend), (legend, explorer)


def test_screenshots_script_pictures_the_graph_and_the_explorer(browser, seed_server, seed_build, tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_screenshots", ROOT / "docs" / "make_screenshots.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    ARTIFACTS.mkdir(exist_ok=True)
    for path in (script.shoot_graph(browser, seed_build.out_dir / "graph.html", ARTIFACTS / "graph.png"), script.shoot_explorer(browser, seed_server, ARTIFACTS / "explorer.png")):
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 20_000
    assert "洛阳市" in browser.find_element("id", "panel").text  # the explorer's picture shows 洛阳市's evidence
