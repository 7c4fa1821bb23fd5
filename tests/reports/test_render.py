"""Case file renderers: HTML layout, the graph picture, PDF, page images. No database."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import pytest

from casegraph.reports import graph_picture, render
from casegraph.reports.case_file import CaseFile, CaseSubject, Fact

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "reports"
SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
SVG = "{http://www.w3.org/2000/svg}"


def case_file() -> CaseFile:
    subjects = [
        CaseSubject(
            canonical_id="cg-p-001",
            caption="Marek Novak",
            schema="Person",
            role="suspect",
            note="Director of Baltic Trade Ltd; signed the invoices under review.\n"
            "Named in two suspicious activity reports.",
            sealed=False,
            facts=[
                Fact("birthDate", "Birth date", "1979-04-12", ["civil-registry", "bank-sar"]),
                Fact("nationality", "Nationality", "Czechia", ["civil-registry"]),
                Fact("phone", "Phone", "+420 601 555 123", ["bank-sar"]),
                Fact("address", "Address", "Nábřeží 14, 110 00 Praha 1", ["civil-registry"]),
            ],
        ),
        CaseSubject(
            canonical_id="cg-c-002",
            caption='Baltic Trade Ltd <script>alert("x")</script>',
            schema="Company",
            role="other",
            note="Company that received the payments.",
            sealed=False,
            facts=[
                Fact("registrationNumber", "Registration number", "CZ-44129087", ["company-reg"]),
                Fact("incorporationDate", "Incorporation date", "2015-09-01", ["company-reg"]),
                Fact("jurisdiction", "Jurisdiction", "Czechia", ["company-reg", "bank-sar"]),
            ],
        ),
        CaseSubject(
            canonical_id="cg-p-003",
            caption="Minor, sealed",
            schema="Person",
            role="witness",
            note="Saw the handover at the warehouse.",
            sealed=True,
            facts=[Fact("birthDate", "Birth date", "2010-02-02", ["civil-registry"])],
        ),
    ]
    nodes = [
        {"id": "cg-p-001", "caption": "Marek Novak", "schema": "Person", "role": "suspect"},
        {
            "id": "cg-c-002",
            "caption": 'Baltic Trade Ltd <script>alert("x")</script>',
            "schema": "Company",
            "role": "other",
        },
        {"id": "cg-p-003", "caption": "Minor, sealed", "schema": "Person", "role": "witness"},
        {"id": "cg-p-004", "caption": "Jana Novakova", "schema": "Person", "role": None},
        {
            "id": "cg-a-005",
            "caption": "CZ65 0800 0000 1920 0014 5399 (Česká spořitelna, current account)",
            "schema": "BankAccount",
            "role": None,
        },
    ]
    edges = [
        {
            "src": "cg-p-001",
            "dst": "cg-c-002",
            "kind": "directorship",
            "label": "Director",
            "sources": ["company-reg"],
        },
        {
            "src": "cg-p-001",
            "dst": "cg-c-002",
            "kind": "ownership",
            "label": "Owner 60%",
            "sources": ["company-reg"],
        },
        {
            "src": "cg-p-001",
            "dst": "cg-p-004",
            "kind": "family",
            "label": "Spouse",
            "sources": ["civil-registry"],
        },
        {
            "src": "cg-c-002",
            "dst": "cg-a-005",
            "kind": "same account",
            "label": "Holder",
            "sources": ["bank-sar"],
        },
        {
            "src": "cg-p-003",
            "dst": "cg-p-001",
            "kind": "associate",
            "label": "Neighbour",
            "sources": ["tip-line"],
        },
    ]
    return CaseFile(
        case={
            "id": "CG-2024-0137",
            "title": "Baltic Trade invoice fraud",
            "case_type": "fraud",
            "status": "open",
            "priority": "high",
            "legal_basis": "Criminal Procedure Code s. 158(3)\nWarrant 4 Nt 112/2024",
            "predicate": "Fraud (s. 209) and money laundering (s. 216).\n"
            "Invoices for goods never delivered, proceeds moved to a personal account.",
            "purpose": "Establish the flow of funds from Baltic Trade Ltd to its director.",
            "lead": "j.svoboda",
            "team": "Economic crime unit 2",
            "review_on": "2024-09-30",
            "created_at": datetime(2024, 3, 4, 9, 15, tzinfo=UTC),
            "created_by": "j.svoboda",
            "closed_at": None,
        },
        members=[
            {"username": "j.svoboda", "role": "lead"},
            {"username": "k.dvorak", "role": "analyst"},
        ],
        subjects=subjects,
        graph_nodes=nodes,
        graph_edges=edges,
        timeline=[
            {
                "at": "1979-04-12",
                "kind": "fact:birth",
                "summary": "Born",
                "subject": "cg-p-001",
                "sources": ["civil-registry"],
            },
            {
                "at": "2015-09-01",
                "kind": "fact:incorporation",
                "summary": "Incorporated",
                "subject": "cg-c-002",
                "sources": ["company-reg"],
            },
            {
                "at": "2024-03-04T09:15:00+00:00",
                "kind": "case.opened",
                "summary": "Case opened",
                "subject": None,
                "sources": [],
            },
            {
                "at": "2024-03-06T13:40:00+01:00",
                "kind": "evidence.added",
                "summary": "Invoice scans added",
                "subject": None,
                "sources": [],
            },
        ],
        evidence=[
            {
                "id": "ev-1",
                "filename": "invoices-2023-Q4-scanned-originals.pdf",
                "sha256": SHA,
                "size": 2_483_112,
                "media_type": "application/pdf",
                "added_at": datetime(2024, 3, 6, 12, 40, tzinfo=UTC),
                "added_by": "k.dvorak",
                "integrity": "changed",
                "custody": [
                    {
                        "at": datetime(2024, 3, 6, 12, 40, tzinfo=UTC),
                        "actor": "k.dvorak",
                        "action": "received",
                        "party": "Baltic Trade accountant",
                        "reason": "seized under warrant",
                    },
                    {
                        "at": datetime(2024, 3, 7, 8, 5, tzinfo=UTC),
                        "actor": "j.svoboda",
                        "action": "transferred",
                        "party": "forensic lab",
                        "reason": None,
                    },
                ],
            }
        ],
        disclosures=[
            {
                "seq": 41,
                "at": datetime(2024, 4, 2, 10, 0, tzinfo=UTC),
                "actor": "j.svoboda",
                "action": "report.case_file",
                "recipient": "Regional prosecutor, Prague",
            },
            {
                "seq": 57,
                "at": datetime(2024, 5, 2, 16, 30, tzinfo=UTC),
                "actor": "j.svoboda",
                "action": "report.case_file",
                "recipient": "Supervisor M. Horak",
            },
        ],
        recipient="Regional prosecutor, Prague",
        produced_by="j.svoboda",
        produced_at=datetime(2024, 5, 2, 16, 30, tzinfo=UTC),
        notes=[
            {
                "title": "Interview with the accountant",
                "updated_by": "k.dvorak",
                "updated_at": datetime(2024, 3, 8, 11, 0, tzinfo=UTC),
                "html": "<p>The accountant confirmed the invoices were <strong>prepared on the "
                "director's instruction</strong>.</p><ul><li>No delivery notes exist.</li>"
                "<li>Payments went to a personal account.</li></ul>",
            },
        ],
    )


@pytest.fixture(scope="module")
def document() -> str:
    return render.html(case_file())


@pytest.fixture(scope="module")
def pdf_bytes(document: str) -> bytes:
    return render.pdf(document)


def test_html_has_the_sections_in_order(document: str) -> None:
    titles = [
        "1 Summary",
        "2 Legal basis and suspected conduct",
        "3 Subjects",
        "4 Case graph",
        "5 Timeline",
        "6 Notes",
        "7 Evidence",
        "8 Disclosure log",
    ]
    positions = [document.index(t) for t in titles]
    assert positions == sorted(positions)
    assert "CG-2024-0137" in document
    assert "Prepared for Regional prosecutor, Prague" in document
    assert "2024-03-04 09:15" in document  # opened, UTC
    assert "2024-03-06 12:40" in document  # +01:00 shown in UTC
    assert "<strong>prepared on the director&#39;s instruction</strong>" in document or (
        "<strong>prepared on the director's instruction</strong>" in document
    )


def test_html_escapes_captions(document: str) -> None:
    assert "<script>" not in document
    assert "&lt;script&gt;" in document


def test_sealed_subject_is_redacted(document: str) -> None:
    assert "Sealed record" in document
    assert "2010-02-02" not in document
    assert "Minor, sealed" not in document  # not in the subjects, graph or timeline
    assert "Saw the handover" not in document


def test_empty_sections_say_so() -> None:
    data = case_file()
    data.evidence, data.disclosures, data.notes, data.timeline = [], [], [], []
    data.graph_nodes, data.graph_edges = [], []
    out = render.html(data)
    for text in (
        "No evidence recorded.",
        "No disclosures recorded.",
        "No notes recorded.",
        "No timeline events recorded.",
        "No relationships among the case",
    ):
        assert text in out


def test_svg_is_xml_with_one_circle_per_node() -> None:
    data = case_file()
    root = ET.fromstring(graph_picture.svg(data.graph_nodes, data.graph_edges))
    groups = [g for g in root.iter(f"{SVG}g") if g.get("class") == "node"]
    assert [g.get("data-id") for g in groups] == [n["id"] for n in data.graph_nodes]
    assert all(len(g.findall(f"{SVG}circle")) == 1 for g in groups)
    texts = [t.text or "" for t in root.iter(f"{SVG}text")]
    assert "<script>" in "".join(texts)  # escaped, so parsed back as text
    # a long caption is wrapped at spaces, never inside a word, and loses nothing
    caption = "CZ65 0800 0000 1920 0014 5399 (Česká spořitelna, current account)"
    wrapped = [x.text or "" for x in groups[-1].iter(f"{SVG}text")][1:]  # after the letter
    assert len(wrapped) > 1 and " ".join(wrapped) == caption
    # one line per pair of subjects and family of relationships, with a legend entry
    lines = [x for x in root.iter(f"{SVG}line") if x.get("data-count")]
    assert sorted(int(x.get("data-count") or 0) for x in lines) == [1, 1, 1, 2]
    assert "ownership, directorship, employment" in texts
    assert graph_picture.svg(data.graph_nodes, data.graph_edges) == graph_picture.svg(
        data.graph_nodes, data.graph_edges
    )


def test_wrap_breaks_at_spaces_and_hyphens_only() -> None:
    assert graph_picture.caption_lines("Rosenhag Immobilienverwaltung UG (haftungsbeschränkt)") == [
        "Rosenhag",
        "Immobilienverwaltung UG",
        "(haftungsbeschränkt)",
    ]
    assert graph_picture.caption_lines("Pelrath Garten- und Landschaftsbau GmbH") == [
        "Pelrath Garten- und", "Landschaftsbau GmbH"
    ]  # fmt: skip
    assert graph_picture.wrap("Meyer-Schulze-Hinterhuber GmbH", 16) == [
        "Meyer-Schulze-", "Hinterhuber GmbH"
    ]  # fmt: skip
    assert graph_picture.caption_lines("Marta Valdrenko") == ["Marta Valdrenko"]


def test_layout_of_a_crowded_graph_has_no_overlapping_boxes() -> None:
    """40 subjects with long names around two hubs, and a few apart: every box (circle
    and caption) inside the picture and clear of every other."""
    nodes = [
        {
            "id": f"n{i:02d}",
            "schema": "Company",
            "role": None,
            "caption": f"Immobilienverwaltung Nummer {i} GmbH & Co. KG",
        }
        for i in range(40)
    ]
    nodes[0]["role"], nodes[1]["role"] = "suspect", "victim"  # fmt: skip
    edges = [{"src": f"n{i % 2:02d}", "dst": f"n{i:02d}", "kind": "Payment"}
             for i in range(2, 34)] + [{"src": "n00", "dst": "n01", "kind": "Call"}]  # fmt: skip
    placed = graph_picture.layout(nodes, edges)
    assert placed.overlaps() == []
    for left, top, right, bottom in placed.boxes.values():
        assert 0 <= left < right <= placed.width and placed.top <= top < bottom <= placed.height


def test_svg_empty_and_single_node() -> None:
    root = ET.fromstring(graph_picture.svg([], []))
    assert "No relationships among the case's subjects" in "".join(root.itertext())
    assert [g for g in root.iter(f"{SVG}g") if g.get("class") == "node"] == []
    one = ET.fromstring(
        graph_picture.svg(
            [{"id": "a", "caption": "A & B", "schema": "Person", "role": "victim"}], []
        )
    )
    assert len([g for g in one.iter(f"{SVG}g") if g.get("class") == "node"]) == 1
    assert "A & B" in "".join(one.itertext())


def test_pdf(pdf_bytes: bytes) -> None:
    assert pdf_bytes.startswith(b"%PDF")
    text = render.pdf_text(pdf_bytes)
    assert "CZ-44129087" in text
    assert "company-reg" in text
    assert SHA in re.sub(r"\s+", "", text)
    assert "Page 1 of" in text
    assert "Prepared for Regional prosecutor, Prague" in text
    assert "2010-02-02" not in text


def test_pdf_fetches_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    refuse = render._NoFetch.fetch

    def spy(self: render._NoFetch, url: str, headers: object = None) -> object:
        asked.append(url)
        return refuse(self, url, headers)

    monkeypatch.setattr(render._NoFetch, "fetch", spy)
    data = case_file()
    data.notes[0]["html"] += '<img src="http://192.0.2.1/tracker.png" alt="">'
    assert render.pdf(render.html(data)).startswith(b"%PDF")
    assert asked == ["http://192.0.2.1/tracker.png"]  # asked, refused, rendering went on


def test_dates_are_utc() -> None:
    assert render.format_datetime("2024-03-06T23:40:00-02:00") == "2024-03-07 01:40"
    assert render.format_datetime(datetime(2024, 1, 2, 3, 4)) == "2024-01-02 03:04"
    assert render.format_datetime("2019-03") == "2019-03"
    assert render.format_datetime(None) == "—"
    assert render.format_date("2024-09-30") == "2024-09-30"
    assert render.format_date(datetime(2024, 9, 30, 23, 30, tzinfo=UTC)) == "2024-09-30"


def test_pages_png(pdf_bytes: bytes) -> None:
    pages = render.pages_png(pdf_bytes, scale=1.5)
    assert pages
    assert all(p.startswith(b"\x89PNG") for p in pages)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("case_file-page-*.png"):
        old.unlink()
    for number, png in enumerate(pages, start=1):
        (ARTIFACTS / f"case_file-page-{number}.png").write_bytes(png)
    (ARTIFACTS / "case_file.pdf").write_bytes(pdf_bytes)
