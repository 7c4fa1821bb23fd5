"""A signed-in browser tab for the browser tests (Debian's chromium, driven by
Playwright): sign-in, purpose, screenshots named after the store, waiting without
``wait_for_function`` (which the pages' Content-Security-Policy refuses), and every
page error and console error (a refused inline style included) collected."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from casegraph.demo_case import USERS

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-artifacts" / "e2e"


class Tab:
    """One signed-in browser context, with screenshots named after the store."""

    def __init__(self, browser: Any, base: str, store: str, width: int = 1280) -> None:
        self.context = browser.new_context(
            viewport={"width": width, "height": 900}, accept_downloads=True
        )
        self.page = self.context.new_page()
        self.base, self.store = base, store
        self.errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.console: list[str] = []  # console errors: failed loads, refused styles ...
        self.page.on("console", lambda m: self.console.append(m.text) if m.type == "error"
                     else None)  # fmt: skip

    def go(self, path: str) -> Any:
        return self.page.goto(self.base + path)

    def shot(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{self.store}-{name}.png"), full_page=True)

    def sign_in(self, user: str) -> None:
        self.go("/login")
        self.page.fill("#username", user)
        self.page.fill("#password", USERS[user][2])
        self.page.click("button[type=submit]")
        self.page.wait_for_selector("header .who")

    def justify(self, why: str) -> None:
        self.go("/purpose")
        self.page.fill("#justification", why)
        self.page.click("form[action='/purpose'] button[type=submit]")
        self.page.wait_for_selector("a.purpose.set")

    def until(self, expression: str, timeout: float = 20.0) -> None:
        """Wait for a JavaScript expression to be true. (Playwright's wait_for_function
        evaluates strings in a way the pages' Content-Security-Policy refuses.)"""
        deadline = time.monotonic() + timeout
        while not self.page.evaluate(expression):
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {expression}")
            time.sleep(0.1)

    def text(self) -> str:
        return str(self.page.inner_text("main"))




def purpose_case(tab: Tab) -> None:
    """Choose the (first) case of the signed-in user as the purpose."""
    tab.go("/purpose")
    tab.page.check("input[name=case]")
    tab.page.click("form[action='/purpose'] button[type=submit]")
    tab.page.wait_for_selector("a.purpose.set")
