"""The graph explorer in a real browser on the demo, on SQLite and PostgreSQL: subjects
added by name through the type-ahead, expanded without moving what is already drawn,
lines that total their payments, a path whose steps read in the direction the edges
are stored, and no console error or Content-Security-Policy violation on the way.
A screenshot goes to test-artifacts/graph-explorer-<store>.png."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import httpx

from casegraph.demo_case import CASE_TITLE
from casegraph.model.amounts import money
from tests.e2e.browsing import ROOT, Tab
from tests.e2e.conftest import Server, signed_in

SHOTS = ROOT / "test-artifacts"
CY = "window.casegraphGraph"
POSITIONS = f"Object.fromEntries({CY}.nodes().map(n => [n.id(), n.position()]))"
# every Content-Security-Policy violation, from before the page's own scripts run
WATCH_CSP = (
    "window.cspViolations = [];"
    "document.addEventListener('securitypolicyviolation', e => window.cspViolations.push("
    "e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber));"
)


class Watched(Tab):
    """A tab that records console errors, failed requests and policy violations."""

    def __init__(self, instance: Any, base: str, store: str) -> None:
        super().__init__(instance, base, store, width=1440)
        self.failures: list[str] = []
        self.context.add_init_script(WATCH_CSP)
        self.page.on("console", self._said)
        self.page.on("response", self._answered)

    def _said(self, message: Any) -> None:  # failed loads are counted by their address
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.failures.append(message.text)

    def _answered(self, response: Any) -> None:
        if response.status >= 400:
            self.failures.append(f"{response.status} {response.url}")

    def violations(self) -> list[str]:
        return list(self.page.evaluate("window.cspViolations || []"))

    def choose(self, field: str, typed: str, pick: str = "") -> str:
        """Type a name into a type-ahead, choose the first suggestion whose text holds
        ``pick``; the id it wrote in the hidden field."""
        name_field = f"#{field}-name"
        self.page.fill(name_field, "")
        self.page.type(name_field, typed, delay=20)
        options = f"{name_field} ~ .suggest-list li[role=option]"
        self.page.wait_for_selector(options)
        texts = self.page.locator(options).all_inner_texts()
        index = next(i for i, t in enumerate(texts) if pick in t)
        self.page.locator(options).nth(index).click()
        hidden = "add-id" if field == "add" else field  # path-a, path-b
        chosen = str(self.page.evaluate(f"document.getElementById({hidden!r}).value"))
        assert chosen, f"no id written for {typed!r}"
        return chosen

    def positions(self) -> dict[str, dict[str, float]]:
        return dict(self.page.evaluate(POSITIONS))

    def wait_status(self, pattern: str) -> None:
        self.until(f"/{pattern}/.test(document.getElementById('graph-status').textContent)")


def unmoved(before: dict[str, dict[str, float]], after: dict[str, dict[str, float]]) -> None:
    moved = {
        node: (was, after[node])
        for node, was in before.items()
        if abs(was["x"] - after[node]["x"]) > 0.01 or abs(was["y"] - after[node]["y"]) > 0.01
    }
    assert not moved, f"subjects already drawn moved: {moved}"


def test_an_investigator_explores_by_name(browser: Any, served: Server) -> None:
    anna = Watched(browser, served.base, served.store)
    anna.sign_in("anna")
    anna.go("/purpose")
    anna.page.check("input[name=case]")
    anna.page.click("form[action='/purpose'] button[type=submit]")
    header = anna.page.inner_text("header")
    case_id = re.search(r"Purpose: case (C-\d{4}-\d{4})", header).group(1)  # type: ignore[union-attr]
    anna.go("/graph")
    anna.wait_status("Add a subject by name")

    # a subject by name, then its neighbours
    first = anna.choose("add", "Valdrenko", pick=f"in {case_id}")
    anna.page.click("#add-expand")
    anna.wait_status(r"^\d+ subjects.* new")
    assert anna.page.evaluate(f"{CY}.getElementById({first!r}).data('role')") == "suspect"
    assert anna.page.evaluate(f"{CY}.nodes().length") > 1
    before = anna.positions()

    # select a neighbour with a click, expand it: nothing drawn before moves
    box = anna.page.locator("#graph").bounding_box()
    candidates = anna.page.evaluate(
        f"{CY}.nodes().filter(n => n.id() !== {first!r} && !n.data('sealed'))"
        ".sort((a, b) => a.degree() - b.degree()).map(n => n.id()).slice(0, 8)"
    )
    for other in candidates:
        anna.page.click("#do-fit")
        anna.page.wait_for_timeout(400)
        pos = anna.page.evaluate(f"{CY}.getElementById({other!r}).renderedPosition()")
        anna.page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])
        anna.until(
            f"(document.querySelector('#graph-info .mono') || {{}}).textContent === {other!r}"
        )
        anna.page.evaluate("document.getElementById('graph-status').textContent = 'clicked'")
        anna.page.click("#do-expand")
        anna.wait_status(r"^\d+ subjects")
        if anna.page.evaluate(f"{CY}.nodes().length") > len(before):
            break
    after = anna.positions()
    assert len(after) > len(before), "no neighbour brought new subjects"
    unmoved(before, after)

    # another subject by name, added and expanded: still nothing moves
    second = anna.choose("add", "Nordlicht Bau", pick="Company")
    anna.page.click("#add-expand")
    anna.wait_status(r"^\d+ subjects.* new")
    unmoved(after, anna.positions())
    assert anna.page.evaluate(f"{CY}.getElementById({second!r}).nonempty()")

    # hide, pin and undo
    anna.page.evaluate(f"{CY}.$(':selected').unselect(); {CY}.getElementById({second!r}).select()")
    anna.page.click("#do-hide")
    assert anna.page.evaluate(f"{CY}.getElementById({second!r}).hasClass('hidden')")
    anna.page.click("#do-undo")
    assert not anna.page.evaluate(f"{CY}.getElementById({second!r}).hasClass('hidden')")
    anna.page.evaluate(f"{CY}.getElementById({first!r}).select()")
    anna.page.click("#do-pin")
    assert anna.page.evaluate(f"{CY}.getElementById({first!r}).locked()")
    anna.page.click("#do-undo")
    assert not anna.page.evaluate(f"{CY}.getElementById({first!r}).locked()")

    # a line of many payments shows their total, not the first amount
    with signed_in(served.base, "anna") as (http, _):
        payments = _payments(http, case_id, first)
    lines = anna.page.evaluate(
        f"{CY}.edges().filter(e => e.data('kind') === 'Payment' && e.data('count') > 1)"
        ".map(e => ({ids: e.data('ids'), totals: e.data('totals'), caption: e.data('caption')}))"
    )
    checked = 0
    for line in lines:
        stored = [payments[i] for i in line["ids"] if i in payments]
        if len(stored) != len(line["ids"]):
            continue  # a line around another subject: its payments were not read here
        by_unit: dict[str | None, Decimal] = {}
        for edge in stored:
            unit = edge.get("unit")
            by_unit[unit] = by_unit.get(unit, Decimal(0)) + Decimal(repr(edge["amount"]))
        units = sorted(by_unit, key=lambda u: u or "")
        assert [t["text"] for t in line["totals"]] == [money(by_unit[u], u) for u in units]
        assert all(t["text"] in line["caption"] for t in line["totals"])
        checked += 1
    assert checked, f"no line of several payments of {first} to check: {lines}"
    assert anna.page.evaluate(  # labels that can be read
        f"{CY}.edges().every(e => parseFloat(e.style('font-size')) >= 11)"
    )

    # a path between two subjects chosen by name, each step as stored
    a = anna.choose("path-a", "Konstantin Valdrenko", pick=f"in {case_id}")
    b = anna.choose("path-b", "Nordlicht Bau-Service", pick="Company")
    anna.page.click("#find-path")
    anna.wait_status("^Path of")
    shown = anna.page.evaluate(
        "Array.from(document.querySelectorAll('#path-panel ol.path-steps > li')).map(li => ({"
        "from: li.dataset.from, to: li.dataset.to, links: Array.from(li.querySelectorAll('ul li'))"
        ".map(x => [x.dataset.kind, x.dataset.src, x.dataset.dst])}))"
    )
    with signed_in(served.base, "anna") as (http, _):
        answer = http.get("/api/v1/graph/path", params={"a": a, "b": b, "case": case_id})
    assert answer.status_code == 200, answer.text
    path = answer.json()["paths"][0]
    assert [(s["from"], s["to"]) for s in shown] == [(s["from"], s["to"]) for s in path["steps"]]
    for step, drawn in zip(path["steps"], shown, strict=True):
        expected = {
            (e["kind"], e["src"], e["dst"]) if e["directed"]
            else (e["kind"], *sorted((e["src"], e["dst"])))
            for e in step["edges"]
        }  # fmt: skip
        assert {tuple(link) for link in drawn["links"]} == expected
    assert anna.page.evaluate(f"{CY}.$('.path').length") >= 2 * path["hops"] + 1

    SHOTS.mkdir(parents=True, exist_ok=True)
    anna.page.screenshot(path=str(SHOTS / f"graph-explorer-{served.store}.png"))
    assert anna.errors == [] and anna.failures == [], (anna.errors, anna.failures)
    assert anna.violations() == []


def test_the_case_graph_has_a_legend_and_no_policy_violation(
    browser: Any,
    served: Server,
) -> None:
    """Opened from a case: the case's subjects with their roles in the legend."""
    anna = Watched(browser, served.base, served.store)
    anna.sign_in("anna")
    anna.page.click("#h-cases ~ table a[href^='/cases/']")
    anna.page.wait_for_selector("h1 .case-id")
    assert CASE_TITLE in anna.text()
    case_id = anna.page.url.rsplit("/", 1)[1]
    anna.go("/purpose")
    anna.page.check("input[name=case]")
    anna.page.click("form[action='/purpose'] button[type=submit]")
    anna.go(f"/graph?case={case_id}")
    anna.until(f"window.casegraphGraph && {CY}.nodes().length > 1")
    legend = anna.page.inner_text("#graph-legend")
    assert "Role in the case".upper() in legend.upper() and "suspect" in legend
    kinds = anna.page.evaluate(f"Array.from(new Set({CY}.edges().map(e => e.data('kind'))))")
    boxes = anna.page.evaluate(
        "Array.from(document.querySelectorAll('input[name=kind]')).map(b => b.value)"
    )
    assert set(kinds) <= set(boxes)
    SHOTS.mkdir(parents=True, exist_ok=True)
    anna.page.screenshot(path=str(SHOTS / f"graph-explorer-case-{served.store}.png"))
    assert anna.errors == [] and anna.failures == [], (anna.errors, anna.failures)
    assert anna.violations() == []


def _payments(http: httpx.Client, case_id: str, subject: str) -> dict[int, dict[str, Any]]:
    """The stored payments around ``subject`` (the graph API), by edge id."""
    answer = http.get(
        f"/api/v1/graph/expand/{subject}",
        params={"hops": 1, "limit": 60, "case": case_id, "kind": "Payment"},
    )
    assert answer.status_code == 200, answer.text
    return {int(e["id"]): e for e in answer.json()["edges"]}
