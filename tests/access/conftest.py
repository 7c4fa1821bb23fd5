"""The world of the gate's tests: one person in a public and a restricted source, a
sealed child merged from two records, and users cleared for one or both."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from casegraph.access.context import AccessContext
from casegraph.service import Workspace
from casegraph.store import ledger as ledger_rows
from casegraph.store import resolution, search_index
from casegraph.store.resolution import Judgement, Resolved, pair_key
from casegraph.store.tables import statements
from tests.conftest import add_source, granted

PASSWORD = "gate password 12345"
WHY = "testing the gate of casegraph's sessions"
KID_YEAR = date.today().year - 10


def source_mapping(source: str, rows: str, extra: str = "") -> tuple[str, str]:
    yml = (
        f"{source}:\n  queries:\n    - csv_url: {source}.csv\n      entities:\n"
        "        p:\n          schema: Person\n          key: id\n          properties:\n"
        "            name:\n              column: name\n            birthDate:\n"
        "              column: born\n            address:\n              column: address\n"
        + extra
    )
    return yml, "id,name,born,address\n" + rows


FAMILY = (
    "    - csv_url: fam.csv\n      entities:\n        a:\n          schema: Person\n"
    "          key: a\n        b:\n          schema: Person\n          key: b\n"
    "          properties:\n            name:\n              column: b_name\n"
    "        rel:\n          schema: Family\n          keys: [a, b]\n"
    "          properties:\n            person:\n              entity: a\n"
    "            relative:\n              entity: b\n"
)


def _entity(s, source: str, name: str) -> str:  # type: ignore[no-untyped-def]
    return str(
        s.conn.execute(
            select(statements.c.entity_id).where(
                statements.c.source == source, statements.c.prop == "name",
                statements.c.value == name,
            )
        ).scalars().first()
    )  # fmt: skip


def _merge_below_the_gate(s, group: str, records: list[tuple[str, str]], cid: str) -> None:  # type: ignore[no-untyped-def]
    """Make one subject of ``records`` as a resolution run would (set-up only)."""
    every = granted(*{src for _, src in records})
    resolution.write_state(
        s.conn, every, [Resolved(e, group, src, None, cid, "d") for e, src in records], []
    )
    resolution.set_canonical_ids(s.conn, every, [(e, cid) for e, _ in records])
    for i, (a, sa) in enumerate(records):
        for b, sb in records[i + 1 :]:
            pair, left, right = pair_key(a, b)
            sources = {a: sa, b: sb}
            resolution.put_user_judgement(s.conn, every, Judgement(
                pair, "user", left, right, sources[left], sources[right], group,
                "positive", None, None, None, "setup", "set-up of the test"))  # fmt: skip
    search_index.mark_dirty(s.conn, [(cid, src) for _, src in records])


@pytest.fixture
def world(workspace: Workspace, ctx: AccessContext, tmp_path: Path) -> dict[str, str]:
    """Peter Maier in the public registry (twice) and in the bank's reports, one
    subject; a child, Kim Young, merged from two registry records, with a relative
    whose record names her; analysts cleared for PUBLIC only (pub) and for both (all)."""
    yml, rows = source_mapping(
        "registry",
        "p1,Peter Maier,1970-01-01,Hauptstrasse 1\np2,Peter Maier,1970,Hauptstrasse 1\n"
        f"k1,Kim Young,{KID_YEAR}-05-05,Kinderweg 7\nk2,Kim Young,{KID_YEAR},Kinderweg 7\n"
        "q1,Quentin Roe,1980-02-02,Kinderweg 7\n",
        FAMILY,
    )
    (tmp_path / "registry.yml").write_text(yml)
    (tmp_path / "registry.csv").write_text(rows)
    (tmp_path / "fam.csv").write_text("a,b,b_name\nq1,k2,Kim Young\n")
    yml, rows = source_mapping(
        "bank", "b1,Peter Maier,1970-01-01,Hauptstrasse 1\nb2,Olga Bankova,1975-03-03,Bankgasse 9\n"
    )
    (tmp_path / "bank.yml").write_text(yml)
    (tmp_path / "bank.csv").write_text(rows)
    with workspace.session(ctx) as s:
        add_source(s, "registry", "PUBLIC")
        add_source(s, "bank", "FIU-RESTRICTED")
        s.ingest.mapping(tmp_path / "registry.yml")
        s.ingest.mapping(tmp_path / "bank.yml")
        ids = {
            "p1": _entity(s, "registry", "Peter Maier"),
            "b1": _entity(s, "bank", "Peter Maier"),
        }
        found = s.conn.execute(
            select(statements.c.entity_id, statements.c.value).where(
                statements.c.source == "registry", statements.c.prop == "name"
            )
        ).all()
        peters = sorted(e for e, v in found if v == "Peter Maier")
        kims = sorted({e for e, v in found if v == "Kim Young"})
        ids["p1"], ids["p2"] = peters[0], peters[1]
        ids["quentin"] = next(e for e, v in found if v == "Quentin Roe")
        _merge_below_the_gate(
            s, "person", [(ids["p1"], "registry"), (ids["p2"], "registry"),
                          (ids["b1"], "bank")], "cg-peter")  # fmt: skip
        _merge_below_the_gate(s, "person", [(k, "registry") for k in kims], "cg-kim")
        _merge_below_the_gate(s, "person", [(ids["quentin"], "registry")], ids["quentin"])
        ids["olga"] = _entity(s, "bank", "Olga Bankova")  # in the bank's reports only
        _merge_below_the_gate(s, "person", [(ids["olga"], "bank")], ids["olga"])
        s.index.after_change()
        for team, markings in (("public", ["PUBLIC"]), ("fiu", ["PUBLIC", "FIU-RESTRICTED"])):
            s.identities.add_team(team, team)
            for marking in markings:
                s.identities.grant(team, marking)
        for user, role, team in (("pub", "analyst", "public"), ("all", "analyst", "fiu"),
                                 ("adm", "admin", "public"), ("sup", "supervisor", "fiu"),
                                 ("sup2", "supervisor", "fiu")):  # fmt: skip
            s.identities.add_user(user, user, role, PASSWORD)
            s.identities.add_member(team, user)
    return ids


def pending(ws: Workspace, a: tuple[str, str], b: tuple[str, str]) -> None:
    """A model judgement in the review band between records ``a`` and ``b`` ((entity id,
    source) each), as a resolve run writes it (set-up)."""
    pair, left, right = pair_key(a[0], b[0])
    sources = dict((a, b))
    with ws.engine.begin() as conn:
        resolution.insert_judgements(conn, granted(*sources.values()), [Judgement(
            pair, "model", left, right, sources[left], sources[right], "person", "unsure",
            0.5, 0.0, None, "test", None)])  # fmt: skip


def who(user: str, **purpose: str) -> AccessContext:
    return AccessContext(user, **purpose)  # type: ignore[arg-type]


def entries(ws: Workspace, action: str) -> list:  # type: ignore[type-arg]
    with ws.engine.connect() as conn:
        return [e for e in ledger_rows.iter_entries(conn) if e.action == action]


