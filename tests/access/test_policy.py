"""Policy on both stores: clearances filter statements, purposes are required, refusals
are recorded, and nothing leaks through counts, exports or error messages."""

from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path

import pytest

from casegraph.access.context import AccessContext
from casegraph.access.identities import IdentityError, check_password, user_for_token
from casegraph.access.policy import AccessDenied, PurposeRequired
from casegraph.access.roles import justified
from casegraph.cases import rules
from casegraph.cases.rules import CaseError
from casegraph.errors import NotFound
from casegraph.model.written import visible_length
from casegraph.service import Workspace, WorkspaceError
from casegraph.store import ledger
from casegraph.store.tables import case_members, cases
from tests.conftest import add_source, person_mapping

PASSWORD = "correct horse battery"
WHY = "checking the access policy works"


@pytest.fixture
def populated(workspace: Workspace, ctx: AccessContext, tmp_path: Path) -> Workspace:
    """Two sources (PUBLIC, FIU-RESTRICTED); users in teams with different clearances."""
    (tmp_path / "a.csv").write_text("id,name\n1,Anna Maier\n")
    (tmp_path / "b.csv").write_text("id,name\n2,Boris Secret\n")
    for name, file in (("open_registry", "a.csv"), ("fiu_reports", "b.csv")):
        (tmp_path / f"{name}.yml").write_text(person_mapping(name, file, name="name"))
    with workspace.session(ctx) as s:
        add_source(s, "open_registry", "PUBLIC")
        add_source(s, "fiu_reports", "FIU-RESTRICTED")
        s.ingest.mapping(tmp_path / "open_registry.yml")
        s.ingest.mapping(tmp_path / "fiu_reports.yml")
        ids = s.identities
        for user, role in (("ana", "analyst"), ("fin", "analyst"), ("vic", "viewer"),
                           ("aud", "auditor")):  # fmt: skip
            ids.add_user(user, user.title(), role, PASSWORD)
        ids.add_team("intel", "Intelligence")
        ids.add_team("money", "Financial crime")
        ids.add_member("intel", "ana")
        ids.add_member("money", "fin")
        ids.add_member("intel", "vic")
        ids.grant("intel", "PUBLIC")
        ids.grant("money", "PUBLIC")
        ids.grant("money", "FIU-RESTRICTED")
        s.conn.execute(cases.insert().values(id="C-1", title="Op", created_at=_now(),
                                             created_by="tester"))  # fmt: skip
        s.conn.execute(case_members.insert().values(case_id="C-1", username="fin", role="member"))
    return workspace


def _now():  # type: ignore[no-untyped-def]
    from datetime import datetime

    return datetime(2026, 1, 1)


def export_names(workspace: Workspace, ctx: AccessContext, **kw: object) -> set[str]:
    out = io.StringIO()
    with workspace.session(ctx) as s:
        s.export.ftm(out, **kw)  # type: ignore[arg-type]
    return {
        n for e in map(json.loads, out.getvalue().splitlines()) for n in e["properties"]["name"]
    }


def test_clearance_filters_statements(populated: Workspace) -> None:
    assert export_names(populated, AccessContext("fin", justification=WHY)) == {
        "Anna Maier", "Boris Secret",
    }  # fmt: skip
    assert export_names(populated, AccessContext("ana", justification=WHY)) == {"Anna Maier"}


def test_uncleared_source_looks_like_a_missing_one(populated: Workspace) -> None:
    ctx = AccessContext("ana", justification=WHY)
    with pytest.raises(WorkspaceError) as hidden, populated.session(ctx) as s:
        s.export.ftm(io.StringIO(), sources=["fiu_reports"])
    with pytest.raises(WorkspaceError) as missing, populated.session(ctx) as s:
        s.export.ftm(io.StringIO(), sources=["no_such_source"])
    assert str(hidden.value).replace("fiu_reports", "X") == str(missing.value).replace(
        "no_such_source", "X"
    )


def test_reading_needs_a_purpose(populated: Workspace) -> None:
    with (
        pytest.raises(PurposeRequired, match="--justification"),
        populated.session(AccessContext("fin")) as s,
    ):
        s.export.ftm(io.StringIO())
    with (
        pytest.raises(PurposeRequired, match="20 characters"),
        populated.session(AccessContext("fin", justification="too short")) as s,
    ):
        s.export.ftm(io.StringIO())
    # a case the user is a member of is a purpose; another user's case is not
    assert "Boris Secret" in export_names(populated, AccessContext("fin", case_id="C-1"))
    with (
        pytest.raises(AccessDenied, match="not a member"),
        populated.session(AccessContext("ana", case_id="C-1")) as s,
    ):
        s.export.ftm(io.StringIO())
    with (
        pytest.raises(AccessDenied) as unknown,
        populated.session(AccessContext("ana", case_id="C-404")) as s,
    ):
        s.export.ftm(io.StringIO())
    assert "C-404" in str(unknown.value) and "exist" not in str(unknown.value)


def test_roles(populated: Workspace, tmp_path: Path) -> None:
    with (
        pytest.raises(AccessDenied, match="export"),
        populated.session(AccessContext("vic", justification=WHY)) as s,
    ):
        s.export.ftm(io.StringIO())
    with (
        pytest.raises(AccessDenied, match="aud \\(auditor\\) may not"),
        populated.session(AccessContext("aud", justification=WHY)) as s,
    ):
        s.export.ftm(io.StringIO())
    with (
        pytest.raises(AccessDenied, match="audit log"),
        populated.session(AccessContext("fin", justification=WHY)) as s,
    ):
        s.ledger.verify()
    with (
        pytest.raises(AccessDenied, match="add users"),
        populated.session(AccessContext("fin")) as s,
    ):
        s.identities.add_user("eve", "Eve", "admin", PASSWORD)
    with populated.session(AccessContext("aud")) as s:
        assert s.ledger.verify().ok
    # an unknown actor is refused outside the local command line
    with (
        pytest.raises(AccessDenied, match="unknown user"),
        populated.session(AccessContext("ghost", justification=WHY)) as s,
    ):
        s.export.ftm(io.StringIO())


def test_refusals_are_recorded(populated: Workspace) -> None:
    with pytest.raises(PurposeRequired), populated.session(AccessContext("fin")) as s:
        s.export.ftm(io.StringIO())
    with populated.engine.connect() as conn:
        last = list(ledger.iter_entries(conn))[-1]
    assert last.action == "access.denied" and last.outcome == "denied"
    assert last.actor == "fin" and "purpose" in last.refs["reason"]


def test_passwords_and_tokens(populated: Workspace, ctx: AccessContext) -> None:
    with populated.session(ctx) as s:
        assert check_password(s.conn, "fin", PASSWORD) is not None
        assert check_password(s.conn, "fin", "wrong password!") is None
        assert check_password(s.conn, "nobody", PASSWORD) is None
        token, _expires = s.identities.create_token("fin", 30)
        stored = s.conn.exec_driver_sql("SELECT token_hash FROM api_tokens").scalars().all()
        assert token not in stored  # hashed at rest
        user = user_for_token(s.conn, token)
        assert user is not None and user.username == "fin"
        assert user_for_token(s.conn, token + "x") is None
        s.identities.disable_user("fin")
        assert user_for_token(s.conn, token) is None
        assert check_password(s.conn, "fin", PASSWORD) is None


def test_ingest_needs_clearance_and_says_nothing_more(populated: Workspace, tmp_path: Path) -> None:
    # "ana" may ingest, but is not cleared for FIU-RESTRICTED: the source looks missing,
    # so guessing facts into it (and reading "0 new") is impossible
    (tmp_path / "guess.csv").write_text("id,name\n2,Boris Secret\n")
    (tmp_path / "guess.yml").write_text(person_mapping("fiu_reports", "guess.csv", name="name"))
    ctx = AccessContext("ana")
    with pytest.raises(WorkspaceError) as hidden, populated.session(ctx) as s:
        s.ingest.mapping(tmp_path / "guess.yml")
    with pytest.raises(WorkspaceError) as missing, populated.session(ctx) as s:
        s.ingest.mapping(tmp_path / "guess.yml", source="nothing_here")
    assert str(hidden.value).replace("fiu_reports", "X") == str(missing.value).replace(
        "nothing_here", "X"
    )
    with populated.session(ctx) as s:
        assert {r["source"] for r in s.ingest.runs()} == {"open_registry"}


def test_tokens_belong_to_their_user(populated: Workspace) -> None:
    with populated.session(AccessContext("fin")) as s:
        s.identities.create_token("fin", 1)
    with (
        pytest.raises(AccessDenied, match="user it belongs to"),
        populated.session(AccessContext("fin")) as s,
    ):
        s.identities.create_token("ana", 1)


def test_export_is_recorded_even_when_the_output_fails(populated: Workspace) -> None:
    class Broken(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError("reader went away")

    with (
        pytest.raises(BrokenPipeError),
        populated.session(AccessContext("fin", justification=WHY)) as s,
    ):
        s.export.ftm(Broken(), recipient="a pipe")
    with populated.engine.connect() as conn:
        exports = [e for e in ledger.iter_entries(conn) if e.action == "export"]
    assert exports and exports[-1].refs["recipient"] == "a pipe"


INVISIBLE = [
    "\u200b" * 20,  # zero-width spaces
    "\u200b \u200c\u200d\ufeff\u2060" * 5,  # spaces and zero-width joiners, marks
    "\u3164" * 20,  # the Hangul filler: a letter that draws nothing
    "\u00a0\u2003\u3000\t" * 6,  # spaces of other widths
    "a" + "\u0301" * 24,  # one letter under a stack of accents
    "\u202e\u2066abc\u2069" * 6,  # direction marks around three letters each: 18
]


def test_a_justification_counts_the_characters_that_show(
    populated: Workspace, ctx: AccessContext
) -> None:
    assert visible_length("a\u200bb\u00a0c\u0301\n") == 3
    for text in INVISIBLE:
        assert not justified(text), repr(text)
        with (
            pytest.raises(PurposeRequired, match="20 characters that show"),
            populated.session(AccessContext("fin", justification=text)) as s,
        ):
            s.export.ftm(io.StringIO())
    written = "Prüfung\u200b der Überweisung 17"  # the zero-width space is not counted
    assert visible_length(written) == 23 and justified(written)
    assert "Anna Maier" in export_names(populated, AccessContext("fin", justification=written))
    with pytest.raises(CaseError, match="at least 10 characters"):
        rules.written("a reason", "\u200b" * 12 + "abc")
    # unsealing asks the same of its justification, even under a case
    with populated.session(ctx) as s:
        s.identities.add_user("sup", "Sup", "supervisor", PASSWORD)
        s.identities.add_member("money", "sup")
        s.conn.execute(case_members.insert().values(case_id="C-1", username="sup", role="member"))
        anna = s.conn.exec_driver_sql(
            "SELECT entity_id FROM statements WHERE value = 'Anna Maier'"
        ).scalar_one()
        s.subjects.seal(anna, "protected witness")
    for text in INVISIBLE[:2]:
        with (
            pytest.raises(PurposeRequired, match="unsealing needs"),
            populated.session(AccessContext("sup", case_id="C-1", justification=text)) as s,
        ):
            s.subjects.profile(anna, unseal=True)
    with populated.session(AccessContext("sup", case_id="C-1", justification=written)) as s:
        assert s.subjects.profile(anna, unseal=True).unsealed
    with pytest.raises(WorkspaceError, match="say why"), populated.session(ctx) as s:
        s.subjects.seal(anna, "\u200b" * 10)


def test_a_password_needs_characters_that_show(populated: Workspace, ctx: AccessContext) -> None:
    for password in (" " * 12, " " * 40, "\u200b" * 12, "\u3000" * 12, "ab" + " " * 20 + "cd"):
        with (
            pytest.raises(IdentityError, match="12 characters other than spaces"),
            populated.session(ctx) as s,
        ):
            s.identities.add_user("blank", "Blank", "viewer", password)
    with populated.session(ctx) as s:  # spaces between words are fine
        s.identities.add_user("phrase", "Phrase", "viewer", "  ab cd ef gh ij kl  ")


def test_one_token_is_revoked_by_its_owner_or_an_administrator(
    populated: Workspace, ctx: AccessContext
) -> None:
    with populated.session(AccessContext("fin")) as s:
        kept, _ = s.identities.create_token("fin", 30)
        leaked, _ = s.identities.create_token("fin", 30)
    with populated.session(AccessContext("ana")) as s:
        anas, _ = s.identities.create_token("ana", 30)
    leaked_id, anas_id = leaked.split("_")[1], anas.split("_")[1]
    with populated.session(AccessContext("fin")) as s:
        assert {t.username for t in s.identities.list_tokens()} == {"fin"}  # their own only
    with pytest.raises(AccessDenied), populated.session(AccessContext("fin")) as s:
        s.identities.list_tokens("ana")
    # another user's token looks like one that does not exist, and the try is recorded
    with pytest.raises(NotFound) as others, populated.session(AccessContext("fin")) as s:
        s.identities.revoke_token(anas_id)
    with pytest.raises(NotFound) as missing, populated.session(AccessContext("fin")) as s:
        s.identities.revoke_token("0badc0de")
    assert str(others.value).replace(anas_id, "X") == str(missing.value).replace("0badc0de", "X")
    with populated.session(AccessContext("fin")) as s:  # the whole token will do
        assert s.identities.revoke_token(leaked).state(datetime.now()) == "revoked"
        assert user_for_token(s.conn, leaked) is None
        assert user_for_token(s.conn, kept) is not None  # the others still work
    with populated.session(ctx) as s:  # an administrator (here the local operator)
        assert len(s.identities.list_tokens()) == 3
        assert s.identities.revoke_token(anas_id).revoked
        s.identities.revoke_token(anas_id)  # again: nothing changes, still recorded
        assert user_for_token(s.conn, anas) is None
    with populated.engine.connect() as conn:
        entries = list(ledger.iter_entries(conn))
    revokes = [(e.actor, e.refs) for e in entries if e.action == "token.revoke"]
    assert revokes == [
        ("fin", {"token": leaked_id, "user": "fin", "changed": True}),
        ("tester", {"token": anas_id, "user": "ana", "changed": True}),
        ("tester", {"token": anas_id, "user": "ana", "changed": False}),
    ]
    refused = [e.refs for e in entries if e.action == "access.denied" and "token" in e.refs]
    assert [r["token"] for r in refused] == [anas_id, "0badc0de"]
