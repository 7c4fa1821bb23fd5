"""The write half of the policy matrix, on both stores: merges, splits, review decisions,
case links, notes, evidence and custody for each role x clearance x case membership.
Nothing the caller cannot see is moved, counted or named; a case the caller is not a
member of is not there."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest

from casegraph.access.context import AccessContext
from casegraph.access.policy import AccessDenied
from casegraph.errors import CasegraphError, NotFound, WorkspaceError
from casegraph.service import Session, Workspace
from casegraph.store import resolution
from tests.access.conftest import PASSWORD, WHY, pending, who
from tests.conftest import granted

ROLES = ("viewer", "analyst", "supervisor", "auditor")
MEMBERSHIP = {"none": None, "read-only": "read-only", "member": "member"}
RESOLVERS = ("analyst", "supervisor")


def name(role: str, cleared: bool, membership: str) -> str:
    return f"{role}-{'c' if cleared else 'u'}-{membership}"


@pytest.fixture
def users(
    workspace: Workspace, world: dict[str, str], ctx: AccessContext
) -> list[tuple[str, str]]:
    """A user of each role x clearance x membership; the case memberships they get."""
    members = []
    with workspace.session(ctx) as s:
        for role, cleared, membership in itertools.product(ROLES, (True, False), MEMBERSHIP):
            user = name(role, cleared, membership)
            s.identities.add_user(user, user, role, PASSWORD)
            s.identities.add_member("fiu" if cleared else "public", user)
            if MEMBERSHIP[membership] and role != "auditor":  # auditors join no case
                members.append((user, MEMBERSHIP[membership]))
    return members


@pytest.fixture
def case_id(workspace: Workspace, users: list[tuple[str, str]]) -> str:
    with workspace.session(who("all", justification=WHY)) as s:
        opened = s.cases.open("Matrix", "fraud", "a court order of the matrix test",
                              "suspected fraud in the matrix test", team="fiu",
                              members=users)  # fmt: skip
        case = str(opened["id"])
    with workspace.session(who("all", case_id=case)) as s:
        item = s.cases.add_evidence(case, [b"bank statement"], "statement.txt", "The bank",
                                    "production order of the matrix test")  # fmt: skip
        assert item["id"] == 1
    return case


def attempt(ws: Workspace, ctx: AccessContext, action: Callable[[Session], object]) -> str:
    """What happens when ``ctx`` tries ``action``, in a session of its own."""
    try:
        with ws.session(ctx) as s:
            action(s)
    except NotFound:
        return "not found"
    except AccessDenied:
        return "denied"
    except WorkspaceError as exc:
        return f"error: {exc}"
    except CasegraphError as exc:  # any other refusal names itself
        return f"refused: {exc}"
    return "ok"


@pytest.mark.parametrize("role", ROLES)
def test_resolution_writes(
    workspace: Workspace, world: dict[str, str], users: list[tuple[str, str]], role: str
) -> None:
    # a possible match of Quentin (public registry) and Olga (the bank's reports only)
    pending(workspace, (world["quentin"], "registry"), (world["olga"], "bank"))
    item = resolution.item_key(world["quentin"], world["olga"])
    for cleared in (True, False):
        ctx = AccessContext(name(role, cleared, "none"), justification=WHY)
        label = (role, cleared)
        results = {
            "split": attempt(workspace, ctx, lambda s: s.resolve.split(
                "cg-peter", ["nonexistent"], "a record of no one")),
            "merge": attempt(workspace, ctx, lambda s: s.resolve.merge(
                world["olga"], world["olga"], "the bank's only record")),
            "decide": attempt(workspace, ctx, lambda s: s.review.decide(
                item, "negative", "different dates of birth")),
        }  # fmt: skip
        if role not in RESOLVERS:
            assert set(results.values()) == {"denied"}, (label, results)
            continue
        listing = results["split"]
        assert listing.startswith("error: not records") and world["p1"] in listing, label
        assert (world["b1"] in listing) == cleared, label  # a hidden record is not named
        if cleared:
            assert results["merge"] == "error: that is the same subject twice", label
            assert results["decide"] == "ok", label
        else:  # the bank's records do not exist for this caller
            assert results["merge"] == "not found" and results["decide"] == "not found", label
    with workspace.engine.connect() as conn:  # nobody moved the bank's record
        assert resolution.canonical_of_entity(conn, granted("bank"), world["b1"]) == "cg-peter"


def _link(case_id: str, subject: str) -> Callable[[Session], object]:
    def run(s: Session) -> None:
        s.cases.link_subject(case_id, subject, "other", "the matrix links it")
        s.cases.unlink_subject(case_id, subject, "the matrix unlinks it")

    return run


@pytest.mark.parametrize("role", ROLES)
def test_case_writes(
    workspace: Workspace, world: dict[str, str], case_id: str, role: str
) -> None:
    for cleared, membership in itertools.product((True, False), MEMBERSHIP):
        ctx = AccessContext(name(role, cleared, membership))
        under = AccessContext(ctx.actor, case_id=case_id) if MEMBERSHIP[membership] else ctx
        label = (role, cleared, membership)
        results = {
            "link public": attempt(workspace, under, _link(case_id, world["quentin"])),
            "link bank": attempt(workspace, under, _link(case_id, world["olga"])),
            "note": attempt(workspace, ctx, lambda s: s.cases.add_note(
                case_id, "Matrix", "written by the matrix")),
            "evidence": attempt(workspace, ctx, lambda s: s.cases.add_evidence(
                case_id, [b"a page"], "m.txt", "The matrix", "handed over in the matrix")),
            "custody": attempt(workspace, ctx, lambda s: s.cases.custody(
                case_id, 1, "examined", "the matrix", "checked by the matrix")),
        }  # fmt: skip
        if membership == "none" or role == "auditor":  # not there, whatever it is
            assert set(results.values()) == {"not found"}, (label, results)
            continue
        if membership == "read-only":
            assert set(results.values()) == {"denied"}, (label, results)
            continue
        assert results["note"] == results["evidence"] == results["custody"] == "ok", label
        assert results["link public"] == "ok", (label, results)
        assert results["link bank"] == ("ok" if cleared else "not found"), (label, results)
