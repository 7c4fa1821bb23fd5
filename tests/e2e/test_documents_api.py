"""The document routes of the HTTP API on the demo as ``casegraph serve`` serves it (a
process of its own), on SQLite and PostgreSQL: search, one document with its mentions,
a decision on a mention, the documents that mention a subject, the mixed search, an id
of nothing, and a read without a purpose refused; the same mentions from the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.conftest import Server, signed_in

WHY = "checking what the seized documents say"


def test_the_served_api_searches_and_reads_documents(served: Server, tmp_path: Path) -> None:
    (tmp_path / "memo.html").write_text(
        "<html><head><title>Board memo</title></head><body><p>Transfer to "
        "Bankhaus Lampe approved for Konstantin Valdrenko.</p></body></html>"
    )
    served.cli("source", "add", "memos", "--title", "Board memos", "--team",
               "financial-crime", "--marking", "PUBLIC", "--legal-basis",
               "seizure order of the demo case", "--retention-days", "365")  # fmt: skip
    served.cli("ingest-docs", str(tmp_path / "memo.html"), "--source", "memos", "--no-ocr")
    with signed_in(served.base, "anna") as (http, csrf):
        headers = {"X-Casegraph-Justification": WHY}
        found = http.get("/api/v1/documents/search", params={"q": '"Bankhaus Lampe"'},
                         headers=headers)  # fmt: skip
        assert found.status_code == 200, found.text
        hit = found.json()[0]
        assert (hit["name"], hit["schema"], hit["title"]) == ("memo.html", "HyperText",
                                                               "Board memo")  # fmt: skip
        doc = http.get(f"/api/v1/documents/{hit['id']}", headers=headers).json()
        assert "Bankhaus Lampe approved" in doc["pages"][0]["text"]
        named = next(m for m in doc["mentions"] if m["text"] == "Konstantin Valdrenko")
        subject = named["subjects"][0]["id"]
        assert named["rule"] == "name" and named["subjects"][0]["caption"] == "Konstantin Valdrenko"
        listed = http.get(f"/api/v1/subjects/{subject}/documents", headers=headers).json()
        assert hit["id"] in [d["id"] for d in listed]  # beside the demo's seized e-mails
        decided = http.post(f"/api/v1/documents/{hit['id']}/mentions/{named['place']}",
                            json={"decision": "reject"},
                            headers={**headers, "X-CSRF-Token": csrf})  # fmt: skip
        assert decided.status_code == 200, decided.text
        assert decided.json()["decision"] == "rejected" and decided.json()["subjects"] == []
        after = http.get(f"/api/v1/subjects/{subject}/documents", headers=headers).json()
        assert hit["id"] not in [d["id"] for d in after] and len(after) == len(listed) - 1
        wrong = http.post(f"/api/v1/documents/{hit['id']}/mentions/{named['place']}",
                          json={"decision": "maybe"}, headers={**headers, "X-CSRF-Token": csrf})
        assert wrong.status_code == 400 and "accept, reject, link" in wrong.text
        assert http.get("/api/v1/documents/nothing", headers=headers).status_code == 404
        mixed = http.get("/api/v1/search", params={"q": "Lampe"}, headers=headers).json()
        assert [d["id"] for d in mixed["documents"]] == [hit["id"]]
        no_purpose = http.get(f"/api/v1/documents/{hit['id']}")
        assert no_purpose.status_code in (400, 403), no_purpose.text
    # the same from the command line, as the operator
    shown = served.cli("docs", "show", hit["id"], "--justification", WHY)
    assert named["place"] in shown and "Konstantin" in shown and "rejected by" in shown
    again = served.cli("docs", "mention", hit["id"], named["place"], "accept",
                       "--justification", WHY)  # fmt: skip
    assert "accepted by" in again
    assert "memo.html" in served.cli("docs", "mentioning", subject, "--justification", WHY)


def test_the_served_api_narrows_documents_shows_pages_and_records_downloads(
    served: Server, shared_data: Path, tmp_path: Path
) -> None:
    pdf = tmp_path / "statement.pdf"
    pdf.write_bytes((shared_data / "docs/pdf/pdflatex-4-pages.pdf").read_bytes())
    served.cli("source", "add", "statements", "--title", "Bank statements", "--team",
               "financial-crime", "--marking", "PUBLIC", "--legal-basis",
               "production order of the demo case", "--retention-days", "365")  # fmt: skip
    served.cli("ingest-docs", str(pdf), "--source", "statements", "--no-ocr")
    with signed_in(served.base, "anna") as (http, _):
        headers = {"X-Casegraph-Justification": WHY}
        # (source: the browser test may have left the same PDF in the demo case)
        mixed = http.get("/api/v1/search", params={
            "q": "information schema:Pages source:statements"}, headers=headers).json()
        assert mixed["total"] == 0 and mixed["document_total"] == 1
        assert mixed["document_facets"]["source"] == [
            {"value": "statements", "label": "statements", "count": 1}]  # fmt: skip
        assert mixed["document_facets"]["language"][0]["label"] == "English"
        hit = mixed["documents"][0]
        assert (hit["name"], hit["schema"], hit["path"], hit["paged"]) == (
            "statement.pdf", "Pages", "statement.pdf", True)  # fmt: skip
        assert hit["page"] >= 1 and "information" in hit["snippet"].lower()
        none = http.get("/api/v1/search", params={"q": "information language:fra"},
                        headers=headers).json()  # fmt: skip
        assert none["documents"] == [] and none["document_total"] == 0
        picture = http.get(f"/api/v1/documents/{hit['id']}/pages/2/image", headers=headers)
        assert picture.status_code == 200, picture.text
        assert picture.headers["content-type"] == "image/png"
        assert picture.content[:8] == b"\x89PNG\r\n\x1a\n"
        beyond = http.get(f"/api/v1/documents/{hit['id']}/pages/9/image", headers=headers)
        assert beyond.status_code == 400 and "no page 9" in beyond.text
        sent = http.get(f"/api/v1/documents/{hit['id']}/download",
                        params={"recipient": "the prosecutor's office"}, headers=headers)
        assert sent.status_code == 200 and sent.content == pdf.read_bytes()
        assert "statement.pdf" in sent.headers["content-disposition"]
        unnamed = http.get(f"/api/v1/documents/{hit['id']}/download", headers=headers)
        assert unnamed.status_code == 422
    # the same from the command line: the file out, a page as a picture, on the record
    out = tmp_path / "out.pdf"
    told = served.cli("docs", "get", hit["id"], "--recipient", "the court", "--out", str(out),
                      "--justification", WHY)  # fmt: skip
    assert out.read_bytes() == pdf.read_bytes() and "sha256" in told
    served.cli("docs", "image", hit["id"], "1", "--out", str(tmp_path / "p1.png"),
               "--justification", WHY)  # fmt: skip
    assert (tmp_path / "p1.png").read_bytes()[:4] == b"\x89PNG"
    report = tmp_path / "report.jsonl"
    served.cli("audit", "report", "--kind", "consultations", "--format", "json", "--out",
               str(report))  # fmt: skip
    sent_to = [json.loads(line) for line in report.read_text().splitlines()]
    assert [e["refs"]["recipient"] for e in sent_to if e["action"] == "document.download"][
        -2:] == ["the prosecutor's office", "the court"]  # the browser test's may come first
