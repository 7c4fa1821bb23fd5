"""Mentions, on both stores: on a small hand-made corpus the subject-name matcher finds
every planted mention (precision and recall printed), identifiers link to the subjects
holding them (an e-mail's parties among them, loaded as subjects of its source), a name
links only to subjects the reader may see, and analysts' decisions (accept, reject,
re-link) hold after the documents are read again, with the profile's list of documents
following them. Decisions are recorded, and need the ``resolve`` permission."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from casegraph.access.context import AccessContext
from casegraph.access.policy import AccessDenied
from casegraph.errors import InvalidInput, NotFound
from casegraph.service import Session, Workspace
from casegraph.store import ledger
from tests.conftest import add_source
from tests.documents.test_corpus import by_path, load

WHY = "checking whom the seized letters name"
SUBJECTS = {
    "registry": [
        ("anna", "Person", {"name": "Anna Müller", "email": "anna.mueller@example.org"}),
        ("jan", "Person", {"name": "Jan Novák", "phone": "+420 601 234 567"}),
        ("baltic", "Company", {"name": "Baltic Shipping Holdings", "alias": "BSH Baltic"}),
        ("account", "BankAccount", {"iban": "DE89370400440532013000"}),
        ("hansen1", "Person", {"name": "Peter Hansen", "birthDate": "1961"}),
        ("hansen2", "Person", {"name": "Peter Hansen", "birthDate": "1979"}),
    ],
    "secret": [("olga", "Person", {"name": "Olga Petrova"})],
}
LETTERS = {
    "letter1.txt": "Dear Anna Müller,\nthe transfer to Baltic Shipping Holdings went out on "
    "Monday. Anna asked whether Müller's brother knew.\n\nSigned for the board: MÜLLER, Anna\n",
    "letter2.txt": "Jan Novak called from +420 601 234 567 about the account "
    "DE89 3704 0044 0532 0130 00. Jan, or Novak, or Novakova: nobody else.\n",
    "memo.txt": "Peter Hansen met Olga Petrova at the harbour. Baltic Holdings is another "
    "firm; so are Shipping Holdings and Peter Hansenberg.\n",
    "mail.eml": "From: Anna Mueller <anna.mueller@example.org>\nTo: BSH Baltic "
    "<office@bsh.example>\nSubject: The Riga shipment\nMessage-ID: <m1@example.org>\n\n"
    "Dear Peter Hansen, the papers are ready.\n",
}
# every name mention a reader cleared for both sources should see: (file, text)
PLANTED = {
    ("letter1.txt", "Anna Müller"), ("letter1.txt", "Baltic Shipping Holdings"),
    ("letter1.txt", "MÜLLER, Anna"), ("letter2.txt", "Jan Novak"),
    ("memo.txt", "Peter Hansen"), ("memo.txt", "Olga Petrova"),
    ("mail.eml", "BSH Baltic"), ("mail.eml", "Peter Hansen"),
}  # fmt: skip


def _entities(folder: Path, source: str) -> Path:
    path = folder / f"{source}.ftm.json"
    path.write_text("".join(
        json.dumps({"id": i, "schema": schema, "properties": {k: [v] for k, v in props.items()}})
        + "\n" for i, schema, props in SUBJECTS[source]))  # fmt: skip
    return path


def _setup(workspace: Workspace, ctx: AccessContext, tmp_path: Path) -> dict[str, str]:
    letters = tmp_path / "letters"
    letters.mkdir()
    for name, body in LETTERS.items():
        (letters / name).write_text(body)
    with workspace.session(ctx) as s:
        add_source(s, "registry")
        add_source(s, "secret", "RESTRICTED")
        for source in SUBJECTS:
            s.ingest.ftm(_entities(tmp_path, source), source)
        s.commit()
        load(s, letters, "mail")
        ids = {path.split("/", 1)[1]: d["id"] for path, d in by_path(s).items()}
        s.identities.add_team("desk", "Desk")  # cleared for PUBLIC only
        s.identities.grant("desk", "PUBLIC")
        for name, role in (("ana", "analyst"), ("vic", "viewer")):
            s.identities.add_user(name, name, role, "mentions password 1")
            s.identities.add_member("desk", name)
    return ids


def _subject(s: Session, record: str, source: str = "registry") -> str:
    found = s.conn.exec_driver_sql(
        f"SELECT DISTINCT canonical_id FROM statements WHERE entity_id = '{record}' "
        f"AND source = '{source}'").scalar_one()  # fmt: skip
    return str(found)


def _names(s: Session, ids: dict[str, str]) -> set[tuple[str, str]]:
    return {(name, m["text"]) for name, doc_id in ids.items()
            for m in s.documents.read(doc_id)["mentions"] if m["rule"] == "name"}  # fmt: skip


def _mention(doc: dict[str, Any], text: str) -> dict[str, Any]:
    return next(m for m in doc["mentions"] if m["text"] == text)


def test_the_name_matcher_finds_every_planted_mention_and_identifiers_link_to_subjects(
    workspace: Workspace, ctx: AccessContext, tmp_path: Path
) -> None:
    ids = _setup(workspace, ctx, tmp_path)
    with workspace.session(ctx) as s:
        found = _names(s, ids)
        hits = found & PLANTED
        precision, recall = len(hits) / max(len(found), 1), len(hits) / len(PLANTED)
        print(f"name mentions: precision {precision:.2f}, recall {recall:.2f} "
              f"({len(hits)} of {len(PLANTED)} planted, {len(found)} found)")  # fmt: skip
        assert recall == 1.0 and precision == 1.0, sorted(found ^ PLANTED)
        letter1 = s.documents.read(ids["letter1.txt"])
        anna, baltic = _subject(s, "anna"), _subject(s, "baltic")
        assert [x["id"] for x in _mention(letter1, "Anna Müller")["subjects"]] == [anna]
        assert _mention(letter1, "Anna Müller")["place"] == "1:5-16"
        assert [x["caption"] for x in _mention(letter1, "MÜLLER, Anna")["subjects"]] == [
            "Anna Müller"]  # fmt: skip
        letter2 = s.documents.read(ids["letter2.txt"])
        kinds = {m["text"]: (m["rule"], [x["id"] for x in m["subjects"]])
                 for m in letter2["mentions"]}  # fmt: skip
        assert kinds["+420 601 234 567"] == ("phone", [_subject(s, "jan")])
        assert kinds["DE89 3704 0044 0532 0130 00"] == ("iban", [_subject(s, "account")])
        mail = s.documents.read(ids["mail.eml"])
        assert {m["text"] for m in mail["mentions"] if m["rule"] == "email"} == {
            "anna.mueller@example.org", "office@bsh.example"}  # fmt: skip
        # the message's parties became subjects of its source, linked by their addresses
        office = _mention(mail, "office@bsh.example")["subjects"]
        assert [(x["caption"], x["schema"]) for x in office] == [("BSH Baltic", "LegalEntity")]
        sender = _mention(mail, "anna.mueller@example.org")["subjects"]
        assert sorted((x["caption"], x["schema"]) for x in sender) == [
            ("Anna Mueller", "Person"), ("Anna Müller", "Person")]  # fmt: skip
        assert [d["name"] for d in s.mentions.mentioning(office[0]["id"])] == ["mail.eml"]
        hansen = _mention(mail, "Peter Hansen")["subjects"]
        assert len(hansen) == 2  # two namesakes: both, until someone decides
        assert sorted(x["caption"] for x in _mention(mail, "BSH Baltic")["subjects"]) == [
            "BSH Baltic", "Baltic Shipping Holdings"]  # the alias, and the party's own name
        listed = {d["name"]: d for d in s.mentions.mentioning(anna)}
        assert set(listed) == {"letter1.txt", "mail.eml"}  # by name, and by address
        assert listed["letter1.txt"]["mentions"] == 2
        assert "Anna Müller" in listed["letter1.txt"]["snippet"]
        assert [d["name"] for d in s.mentions.mentioning(baltic)] == ["letter1.txt", "mail.eml"]
    # a reader not cleared for the secret source sees no mention of its subject
    with workspace.session(AccessContext("ana", justification=WHY)) as s:
        memo = s.documents.read(ids["memo.txt"])
        assert [m["text"] for m in memo["mentions"]] == ["Peter Hansen"]
        assert all(x["id"] != "olga" for m in memo["mentions"] for x in m["subjects"])
        with pytest.raises(NotFound):
            s.mentions.decide(ids["memo.txt"], "1:17-29", "accept")  # Olga Petrova's place


def test_decisions_on_mentions_hold_after_the_documents_are_read_again(
    workspace: Workspace, ctx: AccessContext, tmp_path: Path
) -> None:
    ids = _setup(workspace, ctx, tmp_path)
    with workspace.session(ctx) as s:
        anna, first, second = (_subject(s, r) for r in ("anna", "hansen1", "hansen2"))
    with workspace.session(AccessContext("ana", justification=WHY)) as s:
        letter1 = s.documents.read(ids["letter1.txt"])
        signed = _mention(letter1, "MÜLLER, Anna")["place"]
        done = s.mentions.decide(ids["letter1.txt"], signed, "reject")
        assert done["decision"] == "rejected" and done["subjects"] == []
        s.mentions.decide(ids["letter1.txt"], _mention(letter1, "Anna Müller")["place"], "accept")
        memo_place = _mention(s.documents.read(ids["memo.txt"]), "Peter Hansen")["place"]
        linked = s.mentions.decide(ids["memo.txt"], memo_place, "link", first)
        assert [x["id"] for x in linked["subjects"]] == [first]
        with pytest.raises(InvalidInput, match="re-linked to a subject"):
            s.mentions.decide(ids["memo.txt"], memo_place, "link")
        with pytest.raises(InvalidInput, match="not a mention's place"):
            s.mentions.decide(ids["memo.txt"], "page one", "reject")
        with pytest.raises(NotFound):
            s.mentions.decide(ids["memo.txt"], memo_place, "link", "no-such-subject")
    vic = AccessContext("vic", justification=WHY)  # a viewer reads, and does not decide
    with pytest.raises(AccessDenied), workspace.session(vic) as s:
        s.mentions.decide(ids["letter1.txt"], signed, "accept")
    for again in range(2):  # read once more, then every mention found again from scratch
        with workspace.session(ctx) as s:
            if again:
                assert s.mentions.rescan() == len(LETTERS)
                summary = s.documents.work()
            else:
                _, summary = s.documents.retry(failed_only=False)
                assert summary.read == len(LETTERS)
            assert summary.scanned == len(LETTERS)
            letter1 = s.documents.read(ids["letter1.txt"])
            assert _mention(letter1, "MÜLLER, Anna")["decision"] == "rejected"
            assert _mention(letter1, "MÜLLER, Anna")["subjects"] == []
            assert _mention(letter1, "Anna Müller")["decision"] == "accepted"
            assert _mention(s.documents.read(ids["memo.txt"]), "Peter Hansen")["subjects"][0][
                "id"] == first  # fmt: skip
            assert [d["mentions"] for d in s.mentions.mentioning(anna)
                    if d["name"] == "letter1.txt"] == [1]  # fmt: skip
            memo_for = {c: [d["name"] for d in s.mentions.mentioning(c)] for c in (first, second)}
            assert "memo.txt" in memo_for[first] and "memo.txt" not in memo_for[second]
            assert "mail.eml" in memo_for[second]  # undecided there: both namesakes
    with workspace.engine.connect() as conn:
        entries = list(ledger.iter_entries(conn))
    decided = [(e.actor, e.outcome, e.refs.get("decision"), e.refs.get("mention"))
               for e in entries if e.action == "mention.decide"]  # fmt: skip
    assert decided == [("ana", "ok", "reject", signed), ("ana", "ok", "accept", "1:5-16"),
                       ("ana", "ok", "link", memo_place), ("ana", "ok", "link", memo_place)]
    assert [(e.actor, e.action) for e in entries if e.outcome != "ok"] == [
        ("vic", "access.denied")]  # fmt: skip


def test_a_decision_touches_only_the_subjects_its_maker_may_see(
    workspace: Workspace, ctx: AccessContext, tmp_path: Path
) -> None:
    ids = _setup(workspace, ctx, tmp_path)
    hidden = tmp_path / "hidden.ftm.json"  # a third Peter Hansen, in the restricted source
    hidden.write_text(json.dumps({"id": "hansen3", "schema": "Person",
                                  "properties": {"name": ["Peter Hansen"]}}) + "\n")  # fmt: skip
    with workspace.session(ctx) as s:
        s.ingest.ftm(hidden, "secret")
        first, second = _subject(s, "hansen1"), _subject(s, "hansen2")
        third = _subject(s, "hansen3", "secret")
    with workspace.session(AccessContext("ana", justification=WHY)) as s:  # PUBLIC only
        place = _mention(s.documents.read(ids["memo.txt"]), "Peter Hansen")["place"]
        done = s.mentions.decide(ids["memo.txt"], place, "reject")
        assert done["decision"] == "rejected" and done["subjects"] == []
    with workspace.session(ctx) as s:  # cleared for both: the third was not decided on
        seen = _mention(s.documents.read(ids["memo.txt"]), "Peter Hansen")
        assert [x["id"] for x in seen["subjects"]] == [third] and seen["decision"] is None
        assert "memo.txt" in [d["name"] for d in s.mentions.mentioning(third)]
        assert all("memo.txt" not in [d["name"] for d in s.mentions.mentioning(c)]
                   for c in (first, second))  # fmt: skip
        rows = s.conn.exec_driver_sql(
            "SELECT canonical_id, decision FROM mention_decisions").all()  # fmt: skip
    assert sorted(map(tuple, rows)) == sorted([(first, "rejected"), (second, "rejected")])


def test_a_number_without_its_country_code_is_read_in_the_country_given(
    workspace: Workspace, ctx: AccessContext, tmp_path: Path
) -> None:
    for name in ("here", "there"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "note.txt").write_text(
            f"Call the {name} desk on 030 98765432, not on 2019-04-12.\n")  # fmt: skip
    with workspace.session(ctx) as s:
        add_source(s, "notes")
        with pytest.raises(InvalidInput, match="not a country code"):
            s.documents.ingest([tmp_path / "here"], "notes", None, country="Atlantis")
        s.documents.ingest([tmp_path / "here"], "notes", None, country="de")
        s.documents.ingest([tmp_path / "there"], "notes", None)
        found = {path: [(m["text"], m["value"]) for m in s.documents.read(d["id"])["mentions"]]
                 for path, d in by_path(s).items()}  # fmt: skip
    assert found == {"here/note.txt": [("030 98765432", "+493098765432")], "there/note.txt": []}
