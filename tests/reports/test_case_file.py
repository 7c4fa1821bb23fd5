"""The case file of the demo case, on both stores: printed to PDF and page images, its
graph laid out with no two subjects' boxes overlapping, and its relationship totals
equal to the sums of the single events read through the session."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

from rich.console import Console

from casegraph.access.context import AccessContext
from casegraph.config import Settings
from casegraph.demo import build_demo
from casegraph.demo_case import CASE_TITLE
from casegraph.graph.counterparts import exact
from casegraph.model.amounts import SECONDS
from casegraph.reports import render
from casegraph.service import Workspace
from tests.conftest import DEMO

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SVG = "{http://www.w3.org/2000/svg}"


def test_the_demo_case_file_summarises_its_graph(store: Settings) -> None:
    build_demo(store, DEMO, Console(file=io.StringIO(), width=200))
    workspace = Workspace.open(store)
    try:
        with workspace.session(AccessContext(actor="anna", local=True)) as s:
            case_id = next(c["id"] for c in s.cases.mine() if c["title"] == CASE_TITLE)
        under_case = AccessContext(actor="anna", case_id=case_id, local=True)
        with workspace.session(under_case) as s:
            data = s.cases.case_file(case_id, "Public prosecutor")
        kind = workspace.engine.dialect.name
        sums = _sums_through_the_session(workspace, under_case, data.relationships)
    finally:
        workspace.close()

    document = render.html(data)
    pdf = render.pdf(document)
    pages = render.pages_png(pdf, scale=1.3)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob(f"case-file-{kind}-page-*.png"):
        old.unlink()
    for number, png in enumerate(pages, start=1):
        (ARTIFACTS / f"case-file-{kind}-page-{number}.png").write_bytes(png)
    assert pages and all(p.startswith(b"\x89PNG") for p in pages)

    # the graph: at most 40 subjects, the case's own among them, no two boxes overlap,
    # every box inside the picture, and the picture shows the boxes the layout computed
    layout = render.graph_layout(data)
    linked = {subject.canonical_id for subject in data.subjects}
    assert linked <= set(layout.nodes) and len(layout.nodes) <= 40
    assert layout.overlaps() == []
    for left, top, right, bottom in layout.boxes.values():
        assert 0 <= left < right <= layout.width and layout.top <= top < bottom <= layout.height
    picture = re.search(r"<svg .*?</svg>", document, re.S)
    assert picture is not None
    drawn = {
        g.get("data-id"): tuple(float(v) for v in (g.get("data-box") or "").split())
        for g in ET.fromstring(picture.group(0)).iter(f"{SVG}g")
        if g.get("class") == "node"
    }
    assert drawn == {n: tuple(round(v, 1) for v in b) for n, b in layout.boxes.items()}

    # relationships summed up by counterpart: as many rows as pairs, kinds and ways, and
    # every total equal to the sum of the events behind it
    activity = [r for r in data.relationships if r["activity"]]
    assert activity and any(r["kind"] == "Payment" for r in activity)
    assert any(r["kind"] == "Call" for r in activity)
    assert len(data.relationships) < len(data.graph_edges) / 2
    for row in activity:
        count, totals = sums[(row["src"], row["dst"], row["kind"], row["way"])]
        assert row["count"] == count
        assert {t["unit"]: Decimal(str(t["amount"])) for t in row["totals"]} == totals
    assert sum(r["count"] for r in activity) == data.events_total

    # the single events in the appendix, grouped under their totals: a complete group
    # adds up to its total
    complete = 0
    for group in render.appendix(data.relationships, data.events):
        rel = group["rel"]
        if len(group["events"]) == rel["count"]:
            complete += 1
            _, totals = sums[(rel["src"], rel["dst"], rel["kind"], rel["way"])]
            assert {t["unit"] for t in rel["totals"]} == set(totals)
    assert complete
    assert len(data.events) == min(data.events_total, 150)

    text = render.pdf_text(pdf)
    flat = " ".join(text.split())
    for row in activity:
        for total in row["totals"]:
            assert total["text"] in flat  # "1,191.72 EUR", "52 min 22 s"
    assert "Appendix A" in text and "Calls by counterpart" in text
    assert "break-all" not in document and "break-word" not in document


def _sums_through_the_session(
    workspace: Workspace, ctx: AccessContext, rows: list[dict[str, object]]
) -> dict[tuple[object, ...], tuple[int, dict[str | None, Decimal]]]:
    """For each activity row, the count and the totals per unit of its single events,
    read a page at a time through the session's graph service and added up here."""
    out: dict[tuple[object, ...], tuple[int, dict[str | None, Decimal]]] = {}
    with workspace.session(ctx) as s:
        for row in rows:
            if not row["activity"]:
                continue
            src, dst, kind, way = str(row["src"]), str(row["dst"]), str(row["kind"]), row["way"]
            events: list[dict[str, object]] = []
            while True:
                page = s.graph.events(src, dst, (kind,), limit=500, offset=len(events))
                events += page["events"]
                if len(events) >= page["total"]:
                    break
            if way == "out":
                events = [e for e in events if e["src"] == src and e["directed"]]
            else:
                events = [e for e in events if not e["directed"]]
            totals: dict[str | None, float] = {}
            for event in events:
                if event["amount"] is not None:
                    unit = event.get("unit") or None
                    totals[unit] = totals.get(unit, 0.0) + float(event["amount"])  # type: ignore[arg-type]
            out[(src, dst, kind, way)] = (
                len(events),
                {u: Decimal(str(float(exact(v, u or "")))) for u, v in totals.items()},
            )
    assert SECONDS == "s"
    return out
