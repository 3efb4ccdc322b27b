"""Make the README's pictures, ``docs/graph.png`` and ``docs/explorer.png``, from the seed pages.

    .venv/bin/python docs/make_screenshots.py                # writes docs/graph.png and docs/explorer.png
    .venv/bin/python docs/make_screenshots.py --out shots/   # somewhere else

It builds ``seeds/`` into a temporary folder as ``kg build`` does, opens the build's
``graph.html`` and the explorer of ``kg serve`` in headless Chromium (installed with a
Chinese font by apt-get when missing, see ``tests/browser.py``) and refuses to save a
picture whose Chinese is drawn as boxes.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import browser  # noqa: E402  (tests/browser.py: Chromium, and driving the pages)
from servers import free_port, kg_command, running  # noqa: E402

#: The entity the explorer's picture shows.
LUOYANG = "https://example.org/kg/id/洛阳市"


class BoxesNotGlyphs(RuntimeError):
    """The browser drew Chinese as boxes: a picture of that would mislead."""


def _save(driver, png: Path) -> Path:
    if not browser.chinese_renders(driver):
        raise BoxesNotGlyphs(f"Chinese is drawn as boxes, not saving {png}: install a Chinese font (fonts-noto-cjk)")
    png.parent.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(png))
    return png


def shoot_graph(driver, html: Path, png: Path) -> Path:
    """``graph.html`` as it opens: laid out, fitted to the window, the best connected named."""
    browser.open_view(driver, html)
    return _save(driver, png)


def shoot_explorer(driver, base: str, png: Path) -> Path:
    """The explorer at ``base`` on 洛阳市: its neighbourhood, its evidence in the panel,
    and the search for 洛阳 that found it."""
    browser.open_page(driver, base, LUOYANG)
    browser.click_node(driver, LUOYANG)
    browser.wait(driver, lambda d: d.find_elements("css selector", "#panel .evidence"), message="no evidence in the panel")
    browser.search(driver, "洛阳")
    driver.execute_script("window.kgExplorer.network.unselectAll()")
    browser.click_canvas(driver, "#graph canvas", [5, 5], hover=True)  # the pointer off the node, so no tooltip covers it
    return _save(driver, png)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="folder for graph.png and explorer.png (default: docs/)")
    out = parser.parse_args(argv).out
    from kg.build import build

    browser.ensure_installed()
    with tempfile.TemporaryDirectory() as work:
        graph = Path(work) / "graph"
        build([ROOT / "seeds"], graph, progress=False)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        with running(kg_command() + ["serve", "--graph", str(graph), "--port", str(port)], base + "/api/schema"):
            driver = browser.start(Path(work) / "profile")
            try:
                for png in (shoot_graph(driver, graph / "graph.html", out / "graph.png"), shoot_explorer(driver, base, out / "explorer.png")):
                    print(f"wrote {png}")
            finally:
                driver.quit()


if __name__ == "__main__":
    main()
