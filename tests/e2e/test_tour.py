"""A walk over the main pages as the demo's people see them, on the served demo (SQLite
and PostgreSQL): every page loads without a page error, a console error or a refused
style or script (the Content-Security-Policy stays strict), and its screenshot is taken.
The README's tour shows these screenshots: with ``CASEGRAPH_TOUR_IMAGES=1`` the SQLite
run writes them to docs/images/ (``CASEGRAPH_TOUR_IMAGES=1 pytest tests/e2e/test_tour.py``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tests.e2e.browsing import ROOT, SHOTS, Tab, purpose_case
from tests.e2e.conftest import Server, demo_ids
from tests.e2e.test_profile_page import busiest_person

DOCS_IMAGES = ROOT / "docs" / "images"
IN_README = {"search", "profile", "graph", "case", "review-item", "oversight"}


def _snap(tab: Tab, name: str, ready: str, store: str) -> None:
    tab.page.wait_for_selector(ready)
    tab.page.wait_for_timeout(300)  # layouts and htmx swaps settle
    SHOTS.mkdir(parents=True, exist_ok=True)
    targets = [SHOTS / f"{store}-tour-{name}.png"]
    if name in IN_README and store == "sqlite" and os.environ.get("CASEGRAPH_TOUR_IMAGES") == "1":
        DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
        targets.append(DOCS_IMAGES / f"{name}.png")
    for target in targets:
        tab.page.screenshot(path=str(target), full_page=False)
    assert tab.errors == [], (name, tab.errors)
    assert tab.console == [], (name, tab.console)


def test_the_main_pages_load_cleanly(browser: Any, served: Server) -> None:
    ids = demo_ids(served.base)
    person, _ = busiest_person(served.base)
    anna = Tab(browser, served.base, served.store, width=1280)
    anna.sign_in("anna")
    purpose_case(anna)
    pages: list[tuple[str, str, str]] = [
        ("home", "/", "main h1"),
        ("search", "/search?q=Valdrenko", "section[aria-live] > p"),
        ("profile", f"/subjects/{person}", "#activity"),
        ("graph", f"/graph?start={person}", "#graph canvas"),
        ("case", f"/cases/{ids.case}", "h1 .case-id"),
        ("case-subjects", f"/cases/{ids.case}/subjects", "main h1"),
        ("case-timeline", f"/cases/{ids.case}/timeline", "main h1"),
        ("case-report", f"/cases/{ids.case}/report", "main h1"),
        ("review", "/review", "main h1"),
        ("review-item", f"/review/{ids.item}", "main h1"),
    ]
    for name, path, ready in pages:
        anna.go(path)
        _snap(anna, name, ready, served.store)
    olga = Tab(browser, served.base, served.store, width=1280)
    olga.sign_in("olga")
    olga.go("/oversight")
    _snap(olga, "oversight", "main h1", served.store)
    adam = Tab(browser, served.base, served.store, width=1280)
    adam.sign_in("adam")
    adam.go("/admin")
    _snap(adam, "admin", "main h1", served.store)


def test_docs_images_exist_for_the_readme() -> None:
    """Every image the README's tour shows is in docs/images/."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = [line.split("(", 1)[1].split(")", 1)[0] for line in readme.splitlines()
             if line.startswith("![") and "docs/images/" in line]  # fmt: skip
    assert shown, "the README shows no tour"
    missing = [p for p in shown if not (ROOT / p).is_file()]
    assert missing == [], missing
    assert all(Path(p).suffix == ".png" for p in shown)


def test_an_error_page_keeps_the_signed_in_header(browser: Any, served: Server) -> None:
    """A subject that does not exist: a 404 page with the navigation and the purpose, so
    the reader is not stranded; signed out, the same page has no header."""
    anna = Tab(browser, served.base, served.store)
    anna.sign_in("anna")
    purpose_case(anna)
    missing = anna.go("/subjects/nobody-at-all")
    assert missing.status == 404
    text = anna.page.content()
    assert 'aria-label="Main"' in text and "Purpose:" in text
    anna.context.clear_cookies()
    gone = anna.go("/no-such-page")
    assert gone.status == 404 and 'aria-label="Main"' not in anna.page.content()
