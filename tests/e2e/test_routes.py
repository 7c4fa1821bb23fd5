"""Every route of the demo as ``casegraph serve`` serves it (tests/e2e/conftest.py), as
each demo user, with a justification, with the demo case as purpose and with none: every
operation of the OpenAPI document, its path and query filled with the demo's real ids
(and with ids that do not exist), and every page of the web application. No answer may
be a server error; each one is reported with what the server wrote to its stderr."""

from __future__ import annotations

import dataclasses
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import httpx

from casegraph.audit.report import KINDS as LEDGER_KINDS
from casegraph.demo_case import USERS
from casegraph.graph.analysis import MEASURES
from casegraph.search.engine import FACETS
from casegraph.web.app import ROUTERS
from casegraph.web.pages_cases import TABS, TIMELINE_KINDS
from tests.e2e.conftest import Ids, Server, demo_ids, signed_in

JUSTIFICATION = "walking every route of the demo for server errors"
RECIPIENT = "Public prosecutor's office, route walk"
MEMBERS = ("anna", "ben", "sven")  # of the demo case: lead, member, read-only
# routes whose call with the required parameters only takes seconds (over the whole
# graph; a PDF case file): that call is walked once per set of teams, whose clearances
# decide what it computes
COSTLY = ("/api/v1/graph/metrics", "/api/v1/graph/communities", "/api/v1/graph/components",
          "/api/v1/graph/export", "/api/v1/cases/{case_id}/report")  # fmt: skip
MISSING = {  # ids of nothing, for each kind of path parameter
    "case_id": "C-1999-9999",
    "subject_id": "cg-000000000000000000000000",
    "subject": "cg-000000000000000000000000",
    "item": "000000000000",
    "evidence_id": "999999",
    "note_id": "999999",
    "task_id": "999999",
    "username": "nobody-such-user",
    "team": "no-such-team",
    "token_id": "00000000",
    "doc_id": "0" * 40,
    "place": "1:0-1",
    "page": "99999",
    "lead_id": "0" * 20,
    "hit_id": "0" * 20,
}


# --- the API: the operations of the OpenAPI document, filled in ---


@dataclass(frozen=True)
class Call:
    method: str
    route: str  # the path as the OpenAPI document names it
    url: str
    query: tuple[tuple[str, str], ...] = ()
    body: bool = False  # sends an empty JSON object: the operation's validation answers
    full: bool = False  # the route's call with every parameter: the one that stands for it

    def __str__(self) -> str:
        query = "&".join(f"{k}={v}" for k, v in self.query)
        return f"{self.method} {self.url}{'?' + query if query else ''}"


def query_values(ids: Ids) -> dict[str, list[str]]:
    """A value for each query parameter the API has (repeated ones: several)."""
    return {
        "q": ["Valdrenko"], "a": [ids.person], "b": [ids.other], "recipient": [RECIPIENT],
        "reason": ["route walk"], "version": ["1"], "unseal": ["true"], "user": ["anna"],
        "subject": [ids.person], "for_case": [ids.case], "limit": ["5"], "offset": ["3"],
        "page": ["2"], "facet": list(FACETS), "hops": ["2"], "since": ["2019-01-01"],
        "until": ["2023-12-31"], "source": ["bank", "registry"], "kind": ["Payment", "Call"],
        "k": ["3"], "max_hops": ["4"], "time_ordered": ["true"], "measure": list(MEASURES),
        "top": ["5"], "resolution": ["1.5"], "direction": ["owners"], "depth": ["4"],
        "min_share": ["25"], "target": [f"note:{ids.note}"], "format": ["pdf"],
        "other": [ids.other], "case": [ids.case], "against": ["sanctions_watch"],
        "status": ["open"], "linked_to": [ids.case], "include_inactive": ["true"],
        "rule": ["structuring"],
    }  # fmt: skip


def alternatives(route: str, name: str, schema: dict[str, Any], ids: Ids) -> list[str]:
    """Each value a parameter chooses among, one call each."""
    special = {
        ("/api/v1/audit/report", "kind"): list(LEDGER_KINDS),
        ("/api/v1/cases/{case_id}/timeline", "kind"): list(TIMELINE_KINDS),
        ("/api/v1/cases/{case_id}/comments", "target"):
            ["case", f"task:{ids.task}", f"note:{ids.note}", f"evidence:{ids.evidence}"],
    }  # fmt: skip
    if (route, name) in special:
        return special[(route, name)]
    if "enum" in schema:
        return [str(v) for v in schema["enum"]]
    choice = re.fullmatch(r"\^\(([\w|-]+)\)\$", str(schema.get("pattern", "")))
    return choice.group(1).split("|") if choice else []


def api_calls(spec: dict[str, Any], ids: Ids, unknown: set[str]) -> list[Call]:
    """For each GET: its required parameters; all of them (``full``); each choice of a
    parameter that has choices; each kind of subject; ids that do not exist. Other
    methods: an empty JSON body where they take one, and nothing that would change the
    demo for good (no real user, team or token; no query: a removal needs its reason)."""
    values = query_values(ids)
    calls: list[Call] = []
    for route, operations in spec["paths"].items():
        for method, operation in operations.items():
            params = operation.get("parameters", [])
            path = [p["name"] for p in params if p["in"] == "path"]
            query = {p["name"]: p for p in params if p["in"] == "query"}
            primary = ids.company if "ownership" in route else ids.person
            real = {"case_id": ids.case, "subject_id": primary, "subject": primary,
                    "item": ids.item, "evidence_id": ids.evidence, "note_id": ids.note,
                    "task_id": ids.task, "username": "anna", "team": "financial-crime",
                    "doc_id": ids.document or MISSING["doc_id"],
                    "place": MISSING["place"], "page": "1",
                    "lead_id": ids.lead or MISSING["lead_id"],
                    "hit_id": MISSING["hit_id"]}  # fmt: skip
            if method != "get":
                real.update({k: MISSING[k] for k in ("username", "team", "token_id")})
            lacking = [n for n in path if n not in real] + [n for n in query if n not in values]
            if lacking:
                unknown.update(f"{method.upper()} {route}: {name}" for name in lacking)
                continue
            url = route.format(**{n: real[n] for n in path})
            if method != "get":
                calls.append(Call(method.upper(), route, url, body="requestBody" in operation))
                continue
            choices = {
                n: alternatives(route, n, p.get("schema", {}), ids) for n, p in query.items()
            }
            given = {n: choices[n][:1] or values[n] for n in query}  # a valid value each
            required = [(n, given[n][0]) for n, p in query.items() if p.get("required")]
            every = tuple((n, v) for n in query for v in given[n])
            if tuple(required) != every:
                calls.append(Call("GET", route, url, tuple(required)))
            calls.append(Call("GET", route, url, every, full=True))
            for name, options in choices.items():
                default = query[name].get("schema", {}).get("default")
                for choice in options[1:] if not query[name].get("required") else options:
                    if choice != default:
                        others = tuple((n, v) for n, v in every if n != name)
                        calls.append(Call("GET", route, url, (*others, (name, choice))))
            if {"subject", "subject_id"} & set(path):
                for subject in {ids.person, ids.company, ids.sealed} - {None, primary}:
                    calls.append(Call("GET", route, url.replace(primary, str(subject)),
                                      tuple(required)))  # fmt: skip
            if path:
                nothing = route.format(**{n: MISSING[n] for n in path})
                calls.append(Call("GET", route, nothing, tuple(required)))
    return list(dict.fromkeys(calls))  # each call once, in order


# --- the web application: every GET page ---


def page_urls(ids: Ids) -> dict[str, list[str]]:
    c, p = ids.case, ids.person
    subjects = [s for s in (ids.person, ids.company, ids.sealed) if s]
    return {
        "/login": ["/login", f"/login?next=/cases/{c}"],
        "/purpose": ["/purpose", f"/purpose?next=/subjects/{p}"],
        "/": ["/"],
        "/search": ["/search", "/search?q=Valdrenko", "/search?q=Valdrenko&page_no=2",
                    "/search?q=schema:Company%20Rosenhag", '/search?q="Konstantin Valdrenko"',
                    f"/search?q=id:{p}"],
        "/subjects/{subject_id}": [f"/subjects/{s}" for s in subjects]
        + [f"/subjects/{s}?unseal=true" for s in subjects] + [f"/subjects/{MISSING['subject']}"],
        "/graph": ["/graph", f"/graph?start={p}", f"/graph?case={c}", "/graph?case=C-1999-9999"],
        "/graph/case/{case_id}.json": [f"/graph/case/{c}.json", "/graph/case/C-1999-9999.json"],
        "/graph/expand.json": [f"/graph/expand.json?subject={p}",
                               f"/graph/expand.json?subject={p}&hops=2&without=Call",
                               f"/graph/expand.json?subject={MISSING['subject']}"],
        "/graph/node.json": [f"/graph/node.json?subject={p}",
                             f"/graph/node.json?subject={MISSING['subject']}"],
        "/graph/path.json": [f"/graph/path.json?a={p}&b={ids.other}",
                             f"/graph/path.json?a={p}&b={ids.other}&time_ordered=true"],
        "/suggest": ["/suggest?q=valdr", "/suggest?q=k", "/suggest?q=%22%3C%3E"],
        "/subjects/{subject_id}/events": [
            f"/subjects/{p}/events", f"/subjects/{p}/events?kind=Payment&offset=50",
            f"/subjects/{p}/events?other={ids.other}&since=2022-01-01&until=2022-06-30",
            f"/subjects/{MISSING['subject']}/events"],
        "/review": ["/review", "/review?page=2", f"/review?case={c}", f"/review?subject={p}",
                    f"/review?case={MISSING['case_id']}"],
        "/review/{item}": [f"/review/{ids.item}", f"/review/{ids.item}?case={c}",
                           f"/review/{MISSING['item']}"],
        "/oversight": ["/oversight", f"/oversight?case={c}", f"/oversight?subject={p}"]
        + [f"/oversight?user=anna&kind={kind}" for kind in LEDGER_KINDS],
        "/oversight/report.csv": ["/oversight/report.csv",
                                  "/oversight/report.csv?user=anna&kind=unseal"],
        "/admin": ["/admin"],
        "/leads": ["/leads", "/leads?against=sanctions_watch", "/leads?status=dismissed",
                   "/leads?against=no-such-list"],
        "/flags": ["/flags"],
        "/flags/{rule}": ["/flags/structuring", "/flags/round-tripping", "/flags/no-such-rule"],
        "/cases": ["/cases"],
        "/documents/{doc_id}": ([f"/documents/{ids.document}?q=Valdrenko"] if ids.document
                                else []) + [f"/documents/{MISSING['doc_id']}"],
        "/documents/{doc_id}/pages/{page_no}.png": [
            f"/documents/{ids.document or MISSING['doc_id']}/pages/1.png",
            f"/documents/{ids.document or MISSING['doc_id']}/pages/0.png",
            f"/documents/{MISSING['doc_id']}/pages/1.png"],
        "/documents/{doc_id}/download": [
            f"/documents/{ids.document or MISSING['doc_id']}/download?recipient=the+route+walk",
            f"/documents/{ids.document or MISSING['doc_id']}/download",
            f"/documents/{MISSING['doc_id']}/download?recipient=the+route+walk"],
        "/cases/{case_id}": [f"/cases/{c}", f"/cases/{MISSING['case_id']}"],
        "/cases/{case_id}/{tab}": [f"/cases/{c}/{key}" for key, _, _ in TABS]
        + [f"/cases/{c}/review", f"/cases/{c}/timeline?kind=fact&subject={p}",
           f"/cases/{c}/subjects?subject={p}", f"/cases/{c}/no-such-tab",
           f"/cases/{MISSING['case_id']}/notes"],
    }  # fmt: skip


# --- the walk ---


@dataclass
class Walk:
    server: Server
    requests: int = 0
    errors: dict[tuple[str, str, int | str], list[str]] = field(
        default_factory=lambda: defaultdict(list)
    )
    tracebacks: dict[tuple[str, str, int | str], str] = field(default_factory=dict)
    slowest: list[tuple[float, str]] = field(default_factory=list)

    def send(self, http: httpx.Client, who: str, route: str, call: Call,
             headers: dict[str, str]) -> None:  # fmt: skip
        start, began = self.server.log_size(), time.monotonic()
        self.requests += 1
        try:
            answer = http.request(call.method, call.url, params=call.query, headers=headers,
                                  json={} if call.body else None)  # fmt: skip
            status: int | str = answer.status_code
        except httpx.HTTPError as exc:  # a response cut off: an error in a stream
            status = f"no answer ({exc!r})"
        self.slowest = sorted([*self.slowest, (time.monotonic() - began, f"{who}: {call}")])[-8:]
        if isinstance(status, int) and status < 500:
            return
        time.sleep(0.3)  # (what the server logs after the response)
        key = (call.method, route, status)
        self.errors[key].append(f"{who}: {call}")
        lines = self.server.log_since(start).strip().splitlines()
        self.tracebacks.setdefault(key, "\n".join([*lines[:1], "...", *lines[-40:]]))

    def report(self) -> str:
        out = []
        for key, where in self.errors.items():
            method, route, status = key
            out.append(f"\n{status} on {method} {route}, {len(where)} times:\n  "
                       + "\n  ".join(where[:12])
                       + f"\n{self.tracebacks[key] or '(no output)'}")  # fmt: skip
        return "\n".join(out)


def choose_page_purpose(http: httpx.Client, csrf: str, purpose: str, case: str) -> None:
    if purpose == "no purpose":
        http.cookies.delete("cg_purpose")
        return
    form = {"csrf": csrf, "next": "/", "case": case if purpose == "case" else "",
            "justification": JUSTIFICATION if purpose == "justification" else ""}  # fmt: skip
    chosen = http.post("/purpose", data=form)
    assert chosen.status_code == 303, chosen.text


def test_no_route_answers_with_a_server_error(served: Server) -> None:
    started = time.monotonic()
    ids = demo_ids(served.base)
    if ids.sealed is None:  # the demo has no minor: a sealed record near the case's
        served.cli("subject", "seal", ids.other, "--reason", "a sealed record for the route walk")
        ids = dataclasses.replace(ids, sealed=ids.other)
    spec = httpx.get(f"{served.base}/api/openapi.json").json()
    unknown: set[str] = set()
    calls = api_calls(spec, ids, unknown)
    pages = page_urls(ids)
    served_pages = {r.path for router in ROUTERS for r in router.routes  # type: ignore[attr-defined]
                    if "GET" in getattr(r, "methods", ())}  # fmt: skip
    walk = Walk(served)

    costly: set[tuple[Call, tuple[str, ...]]] = set()

    def walk_as(
        http: httpx.Client, who: str, headers: dict[str, str], scope: str, teams: tuple[str, ...]
    ) -> None:
        """``everything``; ``outside cases``: each GET outside a case once (a case's own
        routes run under the case of their path, whatever purpose is sent); ``cases``:
        the case's routes only."""
        for call in calls:
            inside = "{case_id}" in call.route
            if call.route == "/api/v1/auth/logout":
                continue  # (at the end)
            if call.route in COSTLY and call.method == "GET" and not call.full:
                if (call, teams) in costly:
                    continue
                costly.add((call, teams))
            if (scope == "everything" or (scope == "cases" and inside)
                    or (scope == "outside cases" and call.full and not inside)):  # fmt: skip
                walk.send(http, who, call.route, call, headers)
        for route, urls in pages.items():
            inside = "{case_id}" in route
            if scope == "everything" or (scope == "cases") == inside:
                for url in urls:
                    walk.send(http, who, route, Call("GET", route, url), {})

    views: set[tuple[str, tuple[str, ...]]] = set()
    for user, (_, role, _, teams) in USERS.items():
        # users of the same role and teams see the same outside the case: the second
        # walks the case's routes only (ben, a member, after anna, its lead)
        again = (role, teams) in views
        views.add((role, teams))
        with signed_in(served.base, user) as (http, csrf):
            for purpose in ("justification", "case", "no purpose"):
                if purpose == "case" and user not in MEMBERS:
                    continue  # (only members may choose the case)
                if again and purpose != "justification":
                    continue
                choose_page_purpose(http, csrf, purpose, ids.case)
                headers = {"X-CSRF-Token": csrf}
                if purpose == "justification":
                    headers["X-Casegraph-Justification"] = JUSTIFICATION
                elif purpose == "case":
                    headers["X-Casegraph-Case"] = ids.case
                scope = "everything" if purpose == "justification" else "outside cases"
                walk_as(http, f"{user} ({purpose})", headers, "cases" if again else scope, teams)
            logout = Call("POST", "/api/v1/auth/logout", "/api/v1/auth/logout")
            walk.send(http, user, logout.route, logout, {"X-CSRF-Token": csrf})
    with httpx.Client(base_url=served.base, timeout=300) as anonymous:
        walk_as(anonymous, "anonymous", {}, "outside cases", ())
        for extra in ("/api/openapi.json", "/api/docs", "/no-such-page", "/api/v1/no-such"):
            walk.send(anonymous, "anonymous", extra, Call("GET", extra, extra), {})
    took = time.monotonic() - started
    print(f"\n{walk.requests} requests in {took:.0f} s on {served.store} ({ids}); the slowest:",
          *(f"{t:.2f} s {call}" for t, call in reversed(walk.slowest)), sep="\n  ")  # fmt: skip
    assert not walk.errors, walk.report()
    assert not unknown, f"parameters the walk has no value for (so it skipped): {unknown}"
    assert served_pages == set(pages), "pages the walk does not know (or no longer has)"
