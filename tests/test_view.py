"""``graph.html`` of the seed graph in a real headless Chromium with a Chinese font: what a
user sees when opening it, and that the check for Chinese drawn as boxes can fail."""

from __future__ import annotations

import browser as chromium
from browser import chinese_renders, click_canvas, open_view, wait

#: A font configuration with the machine's fonts minus every one that covers Chinese,
#: Japanese or Korean: a machine without a Chinese font.
NO_CHINESE_FONTS = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <selectfont><rejectfont>
    <pattern><patelt name="lang"><string>zh-cn</string></patelt></pattern>
    <pattern><patelt name="lang"><string>zh-tw</string></patelt></pattern>
    <pattern><patelt name="lang"><string>ja</string></patelt></pattern>
    <pattern><patelt name="lang"><string>ko</string></patelt></pattern>
  </rejectfont></selectfont>
</fontconfig>
"""


def test_graph_view_fits_the_window_and_names_the_best_connected_nodes(browser, seed_build):
    from kg.view import NAMED_NODES

    open_view(browser, seed_build.out_dir / "graph.html")
    seen = browser.execute_script("""
        const v = window.kgView, box = document.querySelector("#mynetwork canvas").getBoundingClientRect();
        const points = Object.values(v.network.getPositions()).map(p => v.network.canvasToDOM(p));
        return {
            inside: points.every(p => p.x >= 0 && p.y >= 0 && p.x <= box.width && p.y <= box.height),
            canvas: [box.bottom, box.right], window: [innerHeight, innerWidth],
            scrolls: document.scrollingElement.scrollHeight > innerHeight || document.scrollingElement.scrollWidth > innerWidth,
            named: v.nodes.get().filter(n => n.label).map(n => n.degree),
            unnamed: v.nodes.get().filter(n => !n.label).map(n => n.degree),
        };""")  # fmt: skip
    assert seen["inside"] and not seen["scrolls"], seen
    assert seen["canvas"][0] <= seen["window"][0] and seen["canvas"][1] <= seen["window"][1]
    assert len(seen["named"]) == NAMED_NODES and seen["unnamed"]
    assert min(seen["named"]) >= max(seen["unnamed"])  # the names are on the best connected
    assert chinese_renders(browser)


def test_graph_view_shows_a_name_while_the_pointer_is_on_its_node(browser, seed_build):
    open_view(browser, seed_build.out_dir / "graph.html")
    # An unnamed node the pointer can reach (no other node drawn over it), and the ink below it.
    node, point = browser.execute_script("""
        const v = window.kgView;
        for (const n of v.nodes.get().filter(n => !n.label)) {
            const p = v.network.canvasToDOM(v.network.getPosition(n.id));
            if (v.network.getNodeAt(p) === n.id) return [n, [p.x, p.y]];
        }""")  # fmt: skip
    ink_below = """
        const [x, y] = arguments[0], c = document.querySelector("#mynetwork canvas"), r = devicePixelRatio;
        return Array.from(c.getContext("2d").getImageData((x - 50) * r, (y + 8) * r, 100 * r, 30 * r).data).join(",");"""
    before = browser.execute_script(ink_below, point)
    click_canvas(browser, "#mynetwork canvas", point, hover=True)
    wait(browser, lambda d: d.execute_script("return window.kgView.nodes.get(arguments[0]).label", node["id"]) == node["name"], message="no name on hover")
    assert browser.execute_script(ink_below, point) != before  # the name is drawn under the node
    click_canvas(browser, "#mynetwork canvas", [5, 5], hover=True)  # away, to an empty corner
    wait(browser, lambda d: d.execute_script("return window.kgView.nodes.get(arguments[0]).label", node["id"]) == "", message="the name stayed")


def test_a_browser_without_a_chinese_font_draws_boxes_and_the_check_says_so(browser, seed_build, tmp_path):
    conf = tmp_path / "fonts.conf"
    conf.write_text(NO_CHINESE_FONTS, encoding="utf-8")
    without = chromium.start(tmp_path / "profile", env={"FONTCONFIG_FILE": str(conf)})
    try:
        open_view(without, seed_build.out_dir / "graph.html")
        assert not chinese_renders(without)
    finally:
        without.quit()
    open_view(browser, seed_build.out_dir / "graph.html")
    assert chinese_renders(browser)
