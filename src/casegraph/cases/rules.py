"""What a case is made of and which changes are allowed: types, lifecycle, roles."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

from casegraph.errors import Conflict, WorkspaceError
from casegraph.model.written import visible_length


class CaseError(WorkspaceError):
    """A case change that breaks a rule (a missing legal basis, a wrong transition...)."""




@dataclass(frozen=True)
class Template:
    name: str
    title: str
    tasks: tuple[str, ...]
    retention_days: int = 5 * 365


TEMPLATES = {
    t.name: t
    for t in (
        Template(
            "fraud",
            "Fraud",
            (
                "Secure the transaction records",
                "Identify the beneficiaries",
                "Interview the complainant",
            ),
        ),
        Template(
            "money-laundering",
            "Money laundering",
            ("Trace the flow of funds", "Identify the beneficial owners", "Request bank records"),
        ),
        Template(
            "trafficking",
            "Human trafficking",
            (
                "Identify and protect victims",
                "Map the recruitment and transport network",
                "Trace the proceeds",
            ),
        ),
        Template(
            "corruption",
            "Corruption",
            (
                "Identify the public official and the decision",
                "Trace the advantage given",
                "Check asset declarations",
            ),
        ),
        Template("other", "Other", ()),
    )
}

STATUSES = ("open", "active", "suspended", "closed")
# (from, to) -> the name of the transition; reopening needs a reason like every other
TRANSITIONS = {
    ("open", "active"): "activate",
    ("open", "suspended"): "suspend",
    ("open", "closed"): "close",
    ("active", "suspended"): "suspend",
    ("active", "closed"): "close",
    ("suspended", "active"): "resume",
    ("suspended", "closed"): "close",
    ("closed", "active"): "reopen",
}
PRIORITIES = ("low", "normal", "high", "urgent")
CASE_ROLES = ("lead", "member", "read-only")
SUBJECT_ROLES = ("suspect", "victim", "witness", "informant", "other")
TASK_STATUSES = ("open", "in-progress", "done", "cancelled")
CUSTODY_ACTIONS = ("received", "transferred", "examined", "returned", "verified")
REVIEW_DECISIONS = ("retain", "close")
DEFAULT_REVIEW = timedelta(days=365)
MAX_REVIEW = timedelta(days=5 * 365)
MIN_TEXT = 10  # legal basis, predicate, reasons: a sentence, not a word


def choice(kind: str, value: str, allowed: Collection[str]) -> str:
    if value not in allowed:
        raise CaseError(f"unknown {kind} {value!r}; use one of: {', '.join(allowed)}")
    return value


def written(kind: str, value: str | None, minimum: int = MIN_TEXT) -> str:
    """A required text a person must actually write (legal basis, predicate, reasons)."""
    text = (value or "").strip()
    if visible_length(text) < minimum:  # characters that show: not zero-width spaces
        raise CaseError(f"{kind} is required: write at least {minimum} characters")
    return text


def review_date(wanted: date | None, today: date) -> date:
    """The next review: a year from today unless given; never past, never beyond five years."""
    chosen = wanted or today + DEFAULT_REVIEW
    if chosen <= today:
        raise CaseError(f"the review date {chosen} must be after today ({today})")
    if chosen > today + MAX_REVIEW:
        raise CaseError(
            f"the review date {chosen} is more than five years away (at most {today + MAX_REVIEW})"
        )
    return chosen


def transition(current: str, wanted: str) -> str:
    choice("status", wanted, STATUSES)
    name = TRANSITIONS.get((current, wanted))
    if name is None:
        allowed = [to for (frm, to) in TRANSITIONS if frm == current]
        raise CaseError(
            f"a {current} case cannot become {wanted}; it can become: "
            f"{', '.join(allowed) or 'nothing'}"
        )
    return name


def check_version(kind: str, current: int, expected: int | None) -> None:
    """Every edit names the version it was based on; a stale one is refused."""
    if expected is not None and expected != current:
        raise Conflict(
            f"the {kind} was changed by someone else (you edited version {expected}, it is "
            f"now version {current}); reload it and apply your change again"
        )
