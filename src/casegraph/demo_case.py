"""The people and the case of the demo (``make demo``): a user for each role, teams
with their clearances, and "Operation Kaltenbrunn" with members, subjects, tasks, a note
and a piece of evidence. Everything is made up; the passwords are for the demo only."""

from __future__ import annotations

from contextlib import suppress
from datetime import timedelta
from pathlib import Path

from casegraph.access.context import AccessContext
from casegraph.access.identities import IdentityError
from casegraph.model.clock import utcnow
from casegraph.service import Workspace

# user -> (display name, role, password, teams)
USERS = {
    "anna": ("Anna Keller", "analyst", "demo-anna-kaltenbrunn", ("financial-crime", "intel")),
    "ben": ("Ben Okafor", "analyst", "demo-ben-kaltenbrunn", ("financial-crime", "intel")),
    "sven": ("Sven Lindqvist", "supervisor", "demo-sven-kaltenbrunn", ("financial-crime", "intel")),
    "olga": ("Olga Brandt", "auditor", "demo-olga-kaltenbrunn", ()),
    "adam": ("Adam Roth", "admin", "demo-adam-kaltenbrunn", ()),
    "vera": ("Vera Novak", "viewer", "demo-vera-kaltenbrunn", ("public-records",)),
}
TEAMS = {
    "financial-crime": ("Financial crime unit", ("PUBLIC", "FIU-RESTRICTED")),
    "intel": ("Intelligence", ("PUBLIC", "LAW-ENFORCEMENT", "CONFIDENTIAL")),
    "public-records": ("Public records desk", ("PUBLIC",)),
}
CASE_TITLE = "Operation Kaltenbrunn"
SUBJECTS = (
    (
        "Konstantin Valdrenko",
        "suspect",
        "Head of procurement at Stadtwerke Kaltenbrunn; steered the building contracts",
    ),
    (
        "Rosenhag Immobilienverwaltung",
        "suspect",
        "Front company of the brother-in-law; receives the money back as loans",
    ),
    ("Kestrelmoor Trading", "other", "Shell company that invoiced 'consulting' fees"),
    ("Quendmark Bau", "witness", "Losing bidder; its 2020 complaint started the case"),
)


def stage(workspace: Workspace, operator: str, folder: Path) -> list[tuple[str, str, str]]:
    """Create what is missing (a second run changes nothing); the users and passwords."""
    ops = AccessContext(actor=operator, local=True)
    with workspace.session(ops) as s:
        known = {u.username for u in s.identities.list_users()}
        for name, (title, markings) in TEAMS.items():
            with suppress(IdentityError):  # there from an earlier run
                s.identities.add_team(name, title)
            for marking in markings:
                s.identities.grant(name, marking)
        for username, (display, role, password, teams) in USERS.items():
            if username in known:
                continue
            s.identities.add_user(username, display, role, password)
            for team in teams:
                s.identities.add_member(team, username)
    anna = AccessContext(actor="anna", justification="setting up the demo case for the team")
    with workspace.session(anna) as s:
        missing = not any(c["title"] == CASE_TITLE for c in s.cases.mine())
    if missing:  # (one session at a time: SQLite has a single writer)
        _open_case(workspace, folder)
    return [(u, role, password) for u, (_, role, password, _) in USERS.items()]


def _open_case(workspace: Workspace, folder: Path) -> None:
    anna = AccessContext(actor="anna", justification="setting up the demo case for the team")
    with workspace.session(anna) as s:
        case = s.cases.open(
            CASE_TITLE,
            "corruption",
            "Investigation order of the public prosecutor, proceedings 402 Js 5531/23 "
            "(§ 152 (2) StPO), with the court orders named in each source's legal basis",
            "Bribery in the award of public building contracts (§ 332, § 334 StGB) and "
            "laundering of the proceeds through shell companies (§ 261 StGB)",
            purpose="Establish who steered the contracts and where the money went",
            team="financial-crime",
            priority="high",
            members=[("ben", "member"), ("sven", "read-only")],
        )
        case_id = str(case["id"])
    with workspace.session(AccessContext(actor="anna", case_id=case_id)) as s:
        linked = []
        for query, role, note in SUBJECTS:
            hits = s.search.search(f'"{query}"', limit=10).hits
            if hits:  # the subject most sources agree on
                best = max(hits, key=lambda h: (len(h.sources), h.score))
                s.cases.link_subject(case_id, best.id, role, note)
                linked.append(best.id)
        soon = utcnow().date() + timedelta(days=14)
        s.cases.add_task(
            case_id,
            "Request the 2019-2021 account statements of Rosenhag",
            assignee="ben",
            due_on=soon,
            checklist=["Draft the production order", "Get the prosecutor's signature"],
        )
        mention = f" (@{linked[0]})" if linked else ""
        s.cases.add_note(
            case_id,
            "Working hypothesis",
            f"Valdrenko{mention} steers contracts to **Nordlicht** and **Brannigvald**; 5-10 % "
            "flows back through the shells as *consulting* fees.\n\n"
            "- follow the Kestrelmoor transfers\n- check the Porsche purchase in 2021",
        )
        evidence = folder / "evidence" / "transfer-summary.txt"
        if evidence.is_file():
            with evidence.open("rb") as handle:
                s.cases.add_evidence(
                    case_id,
                    iter(lambda: handle.read(1 << 20), b""),
                    evidence.name,
                    "Sparkasse Kaltenbrunn, compliance office",
                    "Produced under the order of 2023-11-06 (402 Js 5531/23)",
                    description="The bank's summary of the 2019 transfers",
                )
        s.cases.set_status(case_id, "active", "Sources loaded, the team starts work")


def case_id(workspace: Workspace) -> str:
    """The id of the demo case (``stage`` opened it)."""
    anna = AccessContext(actor="anna", justification="setting up the demo case for the team")
    with workspace.session(anna) as s:
        return next(str(c["id"]) for c in s.cases.mine() if c["title"] == CASE_TITLE)
