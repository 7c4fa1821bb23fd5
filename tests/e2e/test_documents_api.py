"""The document routes of the HTTP API on the demo as ``casegraph serve`` serves it (a
process of its own), on SQLite and PostgreSQL: search, one document with its mentions,
a decision on a mention, the documents that mention a subject, the mixed search, an id
of nothing, and a read without a purpose refused; the same mentions from the CLI."""

from __future__ import annotations

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
        assert [d["id"] for d in listed] == [hit["id"]]
        decided = http.post(f"/api/v1/documents/{hit['id']}/mentions/{named['place']}",
                            json={"decision": "reject"},
                            headers={**headers, "X-CSRF-Token": csrf})  # fmt: skip
        assert decided.status_code == 200, decided.text
        assert decided.json()["decision"] == "rejected" and decided.json()["subjects"] == []
        assert http.get(f"/api/v1/subjects/{subject}/documents", headers=headers).json() == []
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
