"""The policy matrix on both stores: role x clearance x purpose x sealing, for profile
reads, unsealing, exports, source listings and the review queue, including what errors
give away."""

from __future__ import annotations

import io
import itertools
from datetime import date
from pathlib import Path

import pytest

from casegraph.access.context import AccessContext
from casegraph.access.policy import AccessDenied, PurposeRequired
from casegraph.service import NotFound, Workspace
from casegraph.store import ledger, resolution
from casegraph.store.resolution import Resolved
from casegraph.store.tables import case_members, cases, statements
from tests.conftest import add_source, granted

PASSWORD = "matrix password 123"
WHY = "matrix test of the access policy"
ROLES = ["viewer", "analyst", "supervisor", "auditor"]


@pytest.fixture
def world(workspace: Workspace, ctx: AccessContext, tmp_path: Path) -> dict[str, str]:
    child_year = date.today().year - 10
    (tmp_path / "p.csv").write_text(
        f"id,name,born\nadult,Anna Maier,1970-01-01\nminor,Kim Young,{child_year}\n"
        "flagged,Fred Witness,1960\n"
    )
    (tmp_path / "p.yml").write_text(
        "restricted:\n  queries:\n    - csv_url: p.csv\n      entities:\n        p:\n"
        "          schema: Person\n          key: id\n          properties:\n"
        "            name:\n              column: name\n            birthDate:\n"
        "              column: born\n"
        # a relation between Anna and Kim: FtM copies both names into namesMentioned
        "    - csv_url: f.csv\n      entities:\n        a:\n          schema: Person\n"
        "          key: a\n        b:\n          schema: Person\n          key: b\n"
        "          properties:\n            name:\n              column: b_name\n"
        "        rel:\n          schema: Family\n          keys: [a, b]\n"
        "          properties:\n            person:\n              entity: a\n"
        "            relative:\n              entity: b\n"
    )
    (tmp_path / "f.csv").write_text("a,b,b_name\nadult,minor,Kim Young\n")
    from datetime import datetime

    with workspace.session(ctx) as s:
        add_source(s, "restricted", "RESTRICTED")
        s.ingest.mapping(tmp_path / "p.yml")
        s.identities.add_team("cleared", "Cleared")
        s.identities.add_team("other", "Not cleared")
        s.identities.grant("cleared", "RESTRICTED")
        s.conn.execute(cases.insert().values(id="C-9", title="Matrix", created_by="tester",
                                             created_at=datetime(2026, 1, 1)))  # fmt: skip
        for role, cleared in itertools.product(ROLES, (True, False)):
            name = f"{role}-{'c' if cleared else 'u'}"
            s.identities.add_user(name, name, role, PASSWORD)
            s.identities.add_member("cleared" if cleared else "other", name)
            s.conn.execute(case_members.insert().values(case_id="C-9", username=name,
                                                        role="member"))  # fmt: skip
        ids = {
            key: s.conn.execute(
                statements.select().with_only_columns(statements.c.entity_id)
                .where(statements.c.prop == "name", statements.c.value == value)
            ).scalar_one()
            for key, value in (("adult", "Anna Maier"), ("minor", "Kim Young"),
                               ("flagged", "Fred Witness"))
        }  # fmt: skip
        s.subjects.seal(ids["flagged"], "protected witness")
    return ids


PURPOSES = {
    "none": {},
    "justification": {"justification": WHY},
    "member": {"case_id": "C-9"},
    "non-member": {"case_id": "C-404"},
}


@pytest.mark.parametrize("role", ROLES)
def test_profile_matrix(workspace: Workspace, world: dict[str, str], role: str) -> None:
    for cleared, purpose, subject in itertools.product(
        (True, False), PURPOSES, ("adult", "minor", "flagged")
    ):
        ctx = AccessContext(f"{role}-{'c' if cleared else 'u'}", **PURPOSES[purpose])
        label = (role, cleared, purpose, subject)
        try:
            with workspace.session(ctx) as s:
                profile = s.subjects.profile(world[subject]).to_dict()
        except PurposeRequired:
            assert role != "auditor" and purpose == "none", label
            continue
        except NotFound as exc:
            assert not cleared and role != "auditor" and purpose in ("justification", "member")
            assert "restricted" not in str(exc).lower(), label  # no hint of why
            continue
        except AccessDenied:
            assert role == "auditor" or purpose == "non-member", label
            continue
        assert role != "auditor" and cleared and purpose in ("justification", "member"), label
        if subject == "adult":
            assert profile["facts"] and not profile["sealed"], label
        else:
            assert profile["facts"] == [] and profile["sealed"], label
            assert profile["caption"] in ("K. Y.", "F. W."), label


@pytest.mark.parametrize("role", ROLES)
def test_unseal_matrix(workspace: Workspace, world: dict[str, str], role: str) -> None:
    for purpose in ("justification", "member"):
        ctx = AccessContext(f"{role}-c", **PURPOSES[purpose])
        try:
            with workspace.session(ctx) as s:
                profile = s.subjects.profile(world["minor"], unseal=True)
        except AccessDenied:
            # only supervisors may unseal, and only with a written justification
            assert role != "supervisor" or purpose == "member", (role, purpose)
            continue
        assert role == "supervisor" and purpose == "justification"
        assert profile.unsealed and profile.values("name") == ["Kim Young"]


@pytest.mark.parametrize("role", ROLES)
def test_exports_and_listings_show_no_uncleared_data(
    workspace: Workspace, world: dict[str, str], role: str
) -> None:
    for cleared in (True, False):
        ctx = AccessContext(f"{role}-{'c' if cleared else 'u'}", justification=WHY)
        with workspace.session(ctx) as s:
            listed = [src.name for src, _count in s.sources.list_visible()]
        assert listed == (["restricted"] if cleared else [])
        out = io.StringIO()
        try:
            with workspace.session(ctx) as s:
                count = s.export.ftm(out)
        except AccessDenied:
            assert role in ("viewer", "auditor")
            continue
        if cleared:
            sealed = [line for line in out.getvalue().splitlines() if '"properties": {}' in line]
            assert len(sealed) == 2
        assert count == (4 if cleared else 0)
        assert ("Anna Maier" in out.getvalue()) == cleared
        # sealed subjects leave only the fact that they exist, in exports too
        assert "Kim Young" not in out.getvalue() and "Fred Witness" not in out.getvalue()
        if cleared:
            family = next(line for line in out.getvalue().splitlines() if "Family" in line)
            assert "namesMentioned" not in family and world["minor"] in family


@pytest.mark.parametrize("role", ROLES)
def test_relations_and_events_matrix(
    workspace: Workspace, world: dict[str, str], role: str
) -> None:
    """A profile's relations and single events: the same door as the profile (purpose,
    clearance, role), each read on record, and a sealed relative named by nothing."""
    for cleared, purpose in itertools.product((True, False), PURPOSES):
        actor = f"{role}-{'c' if cleared else 'u'}"
        ctx = AccessContext(actor, **PURPOSES[purpose])
        label = (role, cleared, purpose)
        try:
            with workspace.session(ctx) as s:
                found = s.graph.relations(world["adult"])
                events = s.graph.events(world["adult"])
        except PurposeRequired:
            assert role != "auditor" and purpose == "none", label
            continue
        except NotFound as exc:
            assert not cleared and role != "auditor" and purpose in ("justification", "member")
            assert "restricted" not in str(exc).lower(), label
            continue
        except AccessDenied:
            assert role == "auditor" or purpose == "non-member", label
            continue
        assert role != "auditor" and cleared and purpose in ("justification", "member"), label
        (family,) = found["structure"]
        assert family["kind"] == "Family" and family["other"]["sealed"], label
        assert family["other"]["caption"] == "sealed record" and family["label"] is None
        assert "Kim" not in str(found) and events["total"] == 0, label
        with workspace.engine.connect() as conn:
            mine = {e.action for e in ledger.iter_entries(conn) if e.actor == actor}
        assert {"graph.relations", "graph.events"} <= mine, label


def _a_possible_match(workspace: Workspace, ctx: AccessContext, adult: str,
                      tmp_path: Path) -> tuple[str, str, str]:  # fmt: skip
    """Anna Maier in a public source and in the restricted one, one subject; Anna Mayer
    in the public source, a subject of her own; the model unsure whether they are one
    person (a pair from each of Anna Maier's records): (item, the public records)."""
    (tmp_path / "o.csv").write_text("id,name,born\no1,Anna Maier,1970-01-01\n"
                                    "o2,Anna Mayer,1970-01-01\n")  # fmt: skip
    (tmp_path / "o.yml").write_text(
        "open:\n  queries:\n    - csv_url: o.csv\n      entities:\n        p:\n"
        "          schema: Person\n          key: id\n          properties:\n"
        "            name:\n              column: name\n            birthDate:\n"
        "              column: born\n"
    )
    with workspace.session(ctx) as s:
        add_source(s, "open", "PUBLIC")
        s.ingest.mapping(tmp_path / "o.yml")
        for team in ("cleared", "other"):
            s.identities.grant(team, "PUBLIC")
        o1, o2 = (s.conn.execute(
            statements.select().with_only_columns(statements.c.entity_id)
            .where(statements.c.source == "open", statements.c.prop == "name",
                   statements.c.value == name)).scalar_one()
            for name in ("Anna Maier", "Anna Mayer"))  # fmt: skip
    every = granted("open", "restricted")
    with workspace.engine.begin() as conn:
        resolution.write_state(conn, every, [
            Resolved(o1, "person", "open", None, "cg-anna", "d"),
            Resolved(adult, "person", "restricted", None, "cg-anna", "d"),
            Resolved(o2, "person", "open", None, o2, "d")], [])  # fmt: skip
        resolution.set_canonical_ids(conn, every, [(o1, "cg-anna"), (adult, "cg-anna")])
        sources = {o1: "open", o2: "open", adult: "restricted"}
        for a in (o1, adult):
            pair, left, right = resolution.pair_key(a, o2)
            resolution.insert_judgements(conn, every, [resolution.Judgement(
                pair, "model", left, right, sources[left], sources[right], "person",
                "unsure", 0.6, 0.5, None, "test", None)])  # fmt: skip
    return resolution.item_key("cg-anna", o2), o1, o2


@pytest.mark.parametrize("role", ROLES)
def test_review_items_matrix(
    workspace: Workspace, ctx: AccessContext, world: dict[str, str], tmp_path: Path, role: str
) -> None:
    """A possible match in the review queue: the same door as a profile plus the resolve
    permission; a reader not cleared for a source sees neither its records nor its pairs
    in the item, and each read is on record."""
    item, o1, _ = _a_possible_match(workspace, ctx, world["adult"], tmp_path)
    for cleared, purpose in itertools.product((True, False), PURPOSES):
        actor = f"{role}-{'c' if cleared else 'u'}"
        label = (role, cleared, purpose)
        try:
            with workspace.session(AccessContext(actor, **PURPOSES[purpose])) as s:
                queue = s.review.queue()
                shown = s.review.show(item)
        except PurposeRequired:
            assert role in ("analyst", "supervisor") and purpose == "none", label
            continue
        except AccessDenied:
            assert role in ("viewer", "auditor") or purpose == "non-member", label
            continue
        assert role in ("analyst", "supervisor"), label
        assert purpose in ("justification", "member"), label
        (found,) = queue["items"]
        assert found["id"] == item and found["pairs"] == (2 if cleared else 1), label
        anna = next(shown[k] for k in ("left", "right") if shown[k]["subject"] == "cg-anna")
        records = {r["id"]: r["source"] for r in anna["record_list"]}
        assert records == ({o1: "open", world["adult"]: "restricted"} if cleared
                           else {o1: "open"}), label  # fmt: skip
        assert anna["records"] == len(records) and len(shown["pending_pairs"]) == len(records)
        if not cleared:
            assert "restricted" not in str(shown) and world["adult"] not in str(shown), label
        with workspace.engine.connect() as conn:
            mine = {e.action for e in ledger.iter_entries(conn) if e.actor == actor}
        assert {"review.list", "review.show"} <= mine, label
