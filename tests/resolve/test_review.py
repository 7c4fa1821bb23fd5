"""The review queue on both stores: items of records that may join a subject, one
decision settling every pair of an item, decisions kept across full runs and retraining,
no item across a cannot-link, the queue of one case, and what a reader not cleared for
a source sees of an item."""

from __future__ import annotations

from pathlib import Path

import pytest

from casegraph.access.context import AccessContext
from casegraph.access.policy import AccessDenied
from casegraph.errors import NotFound, WorkspaceError
from casegraph.resolve import judge
from casegraph.service import Session, Workspace
from casegraph.store import ledger
from casegraph.store import resolution as rstore
from tests.api.test_api import add_users
from tests.conftest import everything
from tests.resolve import items, people
from tests.resolve.test_resolve import load

WHY = "reviewing possible matches for the tests"


@pytest.fixture
def resolved(workspace: Workspace, ctx: AccessContext, tmp_path: Path) -> Workspace:
    people.write(tmp_path, people=60)
    with workspace.session(ctx) as s:
        load(s, tmp_path, "registry", "bank")
        s.resolve.run()
        add_users(s, {"ana": "analyst", "eve": "analyst", "vic": "viewer"},
                  cleared=("ana", "eve", "vic"))  # fmt: skip
    return workspace


def ids_of(s: Session, subject: str) -> list[str]:
    return [r.entity_id for r in items.subjects(s)[subject]]


def queued(s: Session, **filters: str) -> dict[str, dict]:
    return {i["id"]: i for i in s.review.queue(limit=10_000, **filters)["items"]}


def test_an_accept_settles_every_pair_of_the_item(resolved: Workspace, ctx) -> None:
    with resolved.session(ctx) as s:
        a, b = items.pick(s)  # a subject of two records (registry and bank), one of one
        item = items.between(s, a, b)
        found = queued(s)[item]
        assert found["pairs"] == 2 and found["records_moved"] == 1
        assert {found["left"]["subject"], found["right"]["subject"]} == {a, b}
        assert s.review.pending()["items"] == len(queued(s))
        shown = s.review.show(item)
        sides = {shown[k]["subject"]: shown[k] for k in ("left", "right")}
        assert len(sides[a]["record_list"]) == 2 and len(sides[b]["record_list"]) == 1
        assert {r["source"] for r in sides[a]["record_list"]} == {"registry", "bank"}
        assert len(shown["pending_pairs"]) == 2
        steps = shown["strongest"]["explanation"]["steps"]
        assert steps and all(st["words"] and st["label"] for st in steps)
        assert not any("Array intersection" in st["words"] for st in steps)
        assert any(st["level"] for st in steps)  # the model's own terms stay
        kinds = {f["kind"] for f in sides[a]["facts"]}
        assert {"names", "born", "addresses", "phones"} <= kinds
        done = s.review.decide(item, "positive", "the same passport in both files")
        assert done["pairs"] == 2
        records = ids_of(s, done["subject"])
        assert set(ids_of(s, a) if a == done["subject"] else []) <= set(records)
        every = everything(s)
        subjects = {rstore.canonical_of_entity(s.conn, every, e) for e in records}
        assert subjects == {done["subject"]} and len(records) == 3
        assert rstore.item_pairs(s.conn, s.review.bands, every, a, b) == []
        assert item not in queued(s)
        judged = [j for j in rstore.iter_group_judgements(s.conn, every, "person")
                  if j[2] == "user"]  # fmt: skip
        assert len(judged) == 2 and {j[3] for j in judged} == {"positive"}
        with pytest.raises(NotFound):
            s.review.show(item)
        with pytest.raises(NotFound):
            s.review.decide(item, "negative", "changed my mind about it")
        entries = list(ledger.iter_entries(s.conn))
    actions = {e.action for e in entries}
    assert {"review.list", "review.show", "review.decide", "review.decided"} <= actions
    decided = next(e for e in entries if e.action == "review.decided")
    assert sorted(decided.refs["subjects"]) == sorted([a, b]) and decided.refs["pairs"] == 2


def test_a_decision_needs_a_known_decision_and_a_reason(resolved: Workspace, ctx) -> None:
    with resolved.session(ctx) as s:
        item = items.between(s, *items.pick(s))
        with pytest.raises(WorkspaceError, match="decision must be"):
            s.review.decide(item, "maybe", "not a decision we know")
        with pytest.raises(WorkspaceError, match="say why"):
            s.review.decide(item, "negative", "  ")
        done = s.review.decide(item, "unsure", "cannot tell from these files")
        assert done["pairs"] == 2 and item not in queued(s)


def test_decisions_stay_after_a_full_run_and_retraining(
    resolved: Workspace, ctx, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the model merges nothing by itself: the true duplicates wait for a person
    monkeypatch.setitem(judge.THRESHOLDS, "person", judge.Thresholds(upper=0.9999999, lower=0.3))
    with resolved.session(ctx) as s:
        s.resolve.run(full=True)
        waiting = s.review.queue(limit=10_000)["items"]
        assert len(waiting) >= 2, waiting
        rejected, accepted = waiting[0], waiting[1]
        apart = (rejected["left"]["subject"], rejected["right"]["subject"])
        together = (accepted["left"]["subject"], accepted["right"]["subject"])
        records = {cid: ids_of(s, cid) for cid in (*apart, *together)}
        s.review.decide(rejected["id"], "negative", "two people: different passports")
        s.review.decide(accepted["id"], "positive", "one person: the same passport")
    for full, retrain in ((True, False), (False, True)):
        with resolved.session(ctx) as s:
            s.resolve.run(full=full, retrain=retrain)
            every = everything(s)

            def subject(entity: str) -> str | None:
                return rstore.canonical_of_entity(s.conn, every, entity)  # noqa: B023

            left = {subject(e) for e in records[apart[0]]}
            right = {subject(e) for e in records[apart[1]]}
            assert not left & right, (full, retrain)
            joined = {subject(e) for cid in together for e in records[cid]}
            assert len(joined) == 1, (full, retrain)
            for cid in left | right:  # nothing across the rejected two waits again
                for other in s.review.duplicates(every, [cid]).get(cid, []):
                    assert other not in {rstore.item_key(x, y) for x in left for y in right}


def test_no_item_across_a_cannot_link(resolved: Workspace, ctx) -> None:
    with resolved.session(ctx) as s:
        a, b = items.pick(s)
        first, second = ids_of(s, a)
        (only,) = ids_of(s, b)
        items.score(s, first, only)  # one pending pair: an item
        item = rstore.item_key(a, b)
        assert item in queued(s)
        assert s.review.duplicates(everything(s), [a, b]) == {a: [item], b: [item]}
        # the other record of a was named in one source record with b's: not one person
        items.score(s, second, only, origin="record", judgement="negative")
        assert item not in queued(s) and s.review.duplicates(everything(s), [a]) == {}
        with pytest.raises(NotFound):
            s.review.show(item)
        s.conn.execute(rstore.judgements.delete().where(rstore.judgements.c.origin == "record",
                                                        rstore.judgements.c.right_id.in_(
                                                            [second, only])))  # fmt: skip
        assert item in queued(s)
        items.score(s, second, only, origin="user", judgement="negative")  # a person's
        assert item not in queued(s) and s.review.pending()["items"] == len(queued(s))


def test_the_queue_of_one_case(resolved: Workspace, ctx) -> None:
    with resolved.session(ctx) as s:
        a, b = items.pick(s)
        c, d = items.pick(s, (1, 1), skip=3)
        assert not {a, b} & {c, d}
        one, other = items.between(s, a, b), items.between(s, c, d)
    with resolved.session(AccessContext("ana", justification=WHY)) as s:
        case = str(s.cases.open("Review", "fraud", "a court order of the review test",
                                "suspected fraud in the review test")["id"])  # fmt: skip
    with resolved.session(AccessContext("ana", case_id=case)) as s:
        s.cases.link_subject(case, b, "suspect", "the subject the review test follows")
        assert set(queued(s, case=case)) == {one}
        assert one in queued(s) and other in queued(s)  # the whole queue, still
        assert set(queued(s, subject=c)) == {other}
        assert queued(s, case=case, subject=c) == {}
    with resolved.session(AccessContext("ana", justification=WHY)) as s:
        assert set(queued(s, case=case)) == {one}  # membership is the purpose
        entry = [e for e in ledger.iter_entries(s.conn) if e.action == "review.list"][-1]
        assert entry.refs["case"] == case and entry.case_id is None
    with resolved.session(AccessContext("eve", justification=WHY)) as s, \
            pytest.raises(NotFound):  # fmt: skip
        s.review.queue(case=case)  # not a member: no such case
    with resolved.session(AccessContext("eve", justification=WHY)) as s, \
            pytest.raises(NotFound):  # fmt: skip
        s.review.queue(case="C-1999-0404")


def test_a_reader_sees_only_records_of_sources_they_are_cleared_for(
    resolved: Workspace, ctx
) -> None:
    with resolved.session(ctx) as s:
        a, b = items.pick(s)  # a: a registry and a bank record
        bank = next(r for r in items.subjects(s)[a] if r.source == "bank").entity_id
        registry = next(r for r in items.subjects(s)[a] if r.source == "registry").entity_id
        item = items.between(s, a, b)
        c, d = items.pick(s, (1, 1), skip=5)
        hidden = rstore.item_key(c, d)
        (only_c,) = ids_of(s, c)
        items.score(s, bank, only_c)  # an item whose only pair has a bank record
        hidden = rstore.item_key(a, c)
        s.conn.exec_driver_sql("UPDATE sources SET marking = 'SECRET' WHERE name = 'bank'")
    with resolved.session(AccessContext("ana", justification=WHY)) as s:  # PUBLIC only
        mine = queued(s)
        assert item in mine and hidden not in mine
        assert mine[item]["pairs"] == 1 and mine[item]["records_moved"] == 1
        side = next(v for v in (mine[item]["left"], mine[item]["right"]) if v["subject"] == a)
        assert side["records"] == 1 and side["sources"] == ["registry"]
        shown = s.review.show(item)
        text = str(shown)
        assert bank not in text and "'bank'" not in text and registry in text
        assert s.review.pending()["items"] == len(mine)
        with pytest.raises(NotFound):
            s.review.show(hidden)
        with pytest.raises(NotFound):
            s.review.decide(hidden, "positive", "looks like one person")
        done = s.review.decide(item, "negative", "different people, different passports")
        assert done["pairs"] == 1  # the bank record is neither judged nor counted
    with resolved.session(ctx) as s:
        user = [j for j in rstore.person_judgements_between(s.conn, everything(s), [bank],
                                                            ids_of(s, b))]  # fmt: skip
        assert user == []


def test_reviewing_needs_the_permission_and_a_purpose(resolved: Workspace, ctx) -> None:
    with resolved.session(ctx) as s:
        item = items.between(s, *items.pick(s))
    with resolved.session(AccessContext("vic", justification=WHY)) as s, \
            pytest.raises(AccessDenied):  # fmt: skip
        s.review.queue()
    with resolved.session(AccessContext("vic", justification=WHY)) as s, \
            pytest.raises(AccessDenied):  # fmt: skip
        s.review.decide(item, "positive", "looks the same to me")
    with resolved.session(AccessContext("ana")) as s:
        assert s.review.pending()["items"] >= 1  # a count needs no purpose
        with pytest.raises(Exception, match="purpose"):
            s.review.queue()
