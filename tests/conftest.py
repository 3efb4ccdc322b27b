"""Shared fixtures: one build of the seed pages for the whole session."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory):
    """The seed pages built into a fresh folder, with the build report."""
    from kg.build import build

    out = tmp_path_factory.mktemp("seed-build")
    report = build([SEEDS], out)
    return report


@pytest.fixture(scope="session")
def seed_store(seed_build):
    from kg.store import open_store

    return open_store(seed_build.out_dir)


@pytest.fixture(scope="session")
def nlp():
    from kg.nlp import make_nlp

    return make_nlp()


@pytest.fixture(scope="session")
def analyse(nlp):
    """Run the pipeline on one text as an article about ``region``."""
    from kg.nlp import article_doc

    def run(text: str, region: str | None = None):
        return nlp(article_doc(nlp, text, region))

    return run


@pytest.fixture(scope="session")
def rules_analyse():
    """Like ``analyse``, with the rules alone (``kg build --rules``)."""
    from kg.nlp import article_doc, load_config, make_nlp

    nlp = make_nlp(load_config(rules_only=True))

    def run(text: str, region: str | None = None):
        return nlp(article_doc(nlp, text, region))

    return run


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """One headless Chromium, with a Chinese font, for every browser test (installed with
    apt-get when missing). A test that uses it is marked ``browser``."""
    import browser as chromium

    try:
        chromium.ensure_installed()
    except chromium.BrowserMissing as exc:
        pytest.fail(str(exc))
    driver = chromium.start(tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield driver
    finally:
        driver.quit()


def pytest_collection_modifyitems(items):
    """Mark every test that needs the browser ``browser``, so ``pytest -m "not browser"``
    runs the rest without installing anything."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
