"""A real headless Chromium for the browser tests and ``docs/make_screenshots.py``,
with a Chinese font, so that what it draws is what a user sees.

The system packages come from Debian, installed with apt-get when missing (this needs
root; ``pytest -m "not browser"`` runs everything else without them)::

    driver = start(profile_dir)
    driver.get(url)
    assert chinese_renders(driver)  # glyphs, not boxes
    driver.quit()
"""

from __future__ import annotations

import os
import shutil
import subprocess
import urllib.parse
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
#: Debian packages and how to tell each is there.
PACKAGES = {
    "chromium": lambda: CHROMIUM.exists(),
    "chromium-driver": lambda: CHROMEDRIVER.exists(),
    "fonts-noto-cjk": lambda: has_chinese_font(),
}


class BrowserMissing(RuntimeError):
    """Chromium, its driver or a Chinese font is missing and could not be installed."""


def has_chinese_font() -> bool:
    """Whether fontconfig knows a font that covers Chinese."""
    if not shutil.which("fc-list"):
        return False
    return bool(subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True).stdout.strip())


def ensure_installed() -> None:
    """Install the missing packages of :data:`PACKAGES` with apt-get (waiting for another
    apt-get that holds the lock), or raise :class:`BrowserMissing` saying what to run."""
    missing = [name for name, present in PACKAGES.items() if not present()]
    if not missing:
        return
    install = ["apt-get", "-o", "DPkg::Lock::Timeout=600", "install", "-y", *missing]
    try:
        result = subprocess.run(install, capture_output=True, text=True, timeout=900)
        if result.returncode != 0:  # perhaps no package lists yet
            subprocess.run(["apt-get", "-o", "DPkg::Lock::Timeout=600", "update"], capture_output=True, timeout=900)
            result = subprocess.run(install, capture_output=True, text=True, timeout=900)
        failure = f"exit {result.returncode}:\n{result.stderr[-2000:]}"
    except (OSError, subprocess.TimeoutExpired) as exc:
        failure = str(exc)
    still = [name for name, present in PACKAGES.items() if not present()]
    if still:
        raise BrowserMissing(
            f"the browser tests need {', '.join(still)}; `apt-get install -y {' '.join(missing)}` failed ({failure}). "
            'Run it as root, or leave these tests out with pytest -m "not browser".'
        )


def start(profile_dir: Path, window: str = "1440,900", env: dict[str, str] | None = None):
    """A headless Chromium under chromedriver (a selenium driver); ``env`` adds to the
    environment both run in (e.g. ``FONTCONFIG_FILE``)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", f"--window-size={window}", "--lang=zh-CN", "--hide-scrollbars"):  # fmt: skip
        options.add_argument(arg)
    options.add_argument(f"--user-data-dir={profile_dir}")
    options.binary_location = str(CHROMIUM)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(str(CHROMEDRIVER), env={**os.environ, **(env or {})})
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(30)
    return driver


#: Draws each character alone on a canvas in the page's font and fingerprints the pixels.
#: A character no font has is drawn as the same box (or nothing) as any other such one.
_GLYPHS_JS = """
const font = getComputedStyle(arguments[1] ? document.querySelector(arguments[1]) : document.body).fontFamily;
return Array.from(arguments[0]).map(ch => {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 48;
    const ctx = canvas.getContext("2d");
    ctx.font = "32px " + font;
    ctx.textBaseline = "top";
    ctx.fillText(ch, 6, 6);
    const alpha = ctx.getImageData(0, 0, 48, 48).data.filter((_, i) => i % 4 === 3);
    return alpha.join(",");
});
"""
#: A private-use character: no font draws it, so it shows the missing-glyph box.
MISSING = "\U0010fffd"


def chinese_renders(driver, text: str = "洛阳市", selector: str | None = None) -> bool:
    """Whether the page draws ``text`` (distinct Chinese characters) as glyphs in the font
    of ``selector`` (the body by default), not as boxes: each character's pixels differ
    from the others' and from those of a character no font has."""
    assert len(set(text)) == len(text), "give distinct characters"
    prints = driver.execute_script(_GLYPHS_JS, text + MISSING, selector)
    return len(set(prints)) == len(prints)


# ---- driving the pages ---------------------------------------------------------------------


def wait(driver, condition, timeout: float = 15, message: str = ""):
    """``condition(driver)`` once it is true, polled every 0.1 s."""
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(lambda d: condition(d), message)


def open_view(driver, html: Path) -> None:
    """Open a ``graph.html`` and wait until it is laid out and fitted to the window."""
    driver.get(html.resolve().as_uri())
    driver.execute_async_script("const done = arguments[arguments.length - 1]; window.kgView.ready.then(() => done(true));")


def open_page(driver, base: str, iri: str | None = None) -> None:
    """Load the explorer (on ``iri``'s neighbourhood) and wait until it has started up."""
    driver.get("about:blank")  # a real load even when only the #fragment would differ
    driver.get(base + "/" + ("#e=" + urllib.parse.quote(iri, safe="") if iri else ""))
    driver.execute_async_script("const done = arguments[arguments.length - 1]; window.kgExplorer.ready.then(() => done(true), () => done(false));")
    if iri:
        wait_for_graph(driver)


def wait_for_graph(driver, label: str | None = None) -> int:
    """Wait until the explorer has laid out the neighbourhood (of ``label``); the number of nodes drawn."""

    def drawn(d):
        stats = d.find_element("id", "graph-stats")
        if stats.get_attribute("data-ready") != "1" or (label and label not in d.find_element("id", "focus-title").text):
            return False
        return int(stats.get_attribute("data-nodes"))

    return wait(driver, drawn, message=f"the neighbourhood of {label or 'the entity'} was not drawn")


def search(driver, text: str) -> list:
    """Type ``text`` in the explorer's search box; the result buttons."""
    box = driver.find_element("id", "search")
    box.clear()
    box.send_keys(text)
    wait(driver, lambda d: d.find_element("id", "results").get_attribute("data-query") == text, message=f"no results for {text}")
    return driver.find_elements("css selector", "#results button.result")


def click_node(driver, iri: str) -> None:
    """A real mouse click on the explorer's node at its position on the canvas."""
    point = driver.execute_script(
        "const n = window.kgExplorer.network; const p = n.canvasToDOM(n.getPosition(arguments[0])); return [p.x, p.y];", iri
    )
    click_canvas(driver, "#graph canvas", point)


def click_canvas(driver, selector: str, point: list[float], hover: bool = False) -> None:
    """A real mouse click (or, with ``hover``, only a move) at ``point`` of a canvas,
    in the canvas's own pixels from its top left corner."""
    from selenium.webdriver.common.action_chains import ActionChains

    canvas = driver.find_element("css selector", selector)
    size = canvas.size
    actions = ActionChains(driver).move_to_element_with_offset(canvas, int(point[0] - size["width"] / 2), int(point[1] - size["height"] / 2))
    (actions if hover else actions.click()).perform()
