"""What every command uses: the ``casegraph`` app and its command groups, the
workspace options, the error console, and a session as the local operator."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from casegraph.access.context import AccessContext
from casegraph.access.policy import AccessDenied
from casegraph.config import Settings
from casegraph.errors import CasegraphError
from casegraph.service import Session, Workspace

HELP = "The ``casegraph`` command line (typer + rich)."
app = typer.Typer(no_args_is_help=True, add_completion=False, help=HELP)
db_app = typer.Typer(no_args_is_help=True, help="Store schema migrations.")
source_app = typer.Typer(no_args_is_help=True, help="Register and list sources.")
app.add_typer(db_app, name="db")
app.add_typer(source_app, name="source")
user_app = typer.Typer(no_args_is_help=True, help="Users and their roles.")
team_app = typer.Typer(no_args_is_help=True, help="Teams and their members.")
token_app = typer.Typer(no_args_is_help=True, help="API tokens.")
audit_app = typer.Typer(no_args_is_help=True, help="The tamper-evident audit ledger.")
app.add_typer(user_app, name="user")
app.add_typer(team_app, name="team")
app.add_typer(token_app, name="token")
app.add_typer(audit_app, name="audit")
subject_app = typer.Typer(no_args_is_help=True, help="Subject profiles and sealing.")
app.add_typer(subject_app, name="subject")
retention_app = typer.Typer(no_args_is_help=True, help="Retention and erasure.")
app.add_typer(retention_app, name="retention")

err = Console(stderr=True, soft_wrap=True)

T = TypeVar("T")


class State:
    settings: Settings = Settings()


state = State()


@app.callback()
def main_options(
    data_dir: Path | None = typer.Option(
        None, "--data-dir", help="Workspace folder (default ./casegraph-data)."
    ),
    database_url: str | None = typer.Option(
        None, "--database-url", help="Store URL; env CASEGRAPH_DATABASE_URL. Default: SQLite."
    ),
    operator: str | None = typer.Option(
        None, "--operator", help="Name recorded as the actor (default: your login)."
    ),
) -> None:
    """casegraph: investigative case management with an accountable audit trail."""
    overrides: dict[str, Any] = {}
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    if database_url is not None:
        overrides["database_url"] = database_url
    if operator is not None:
        overrides["operator"] = operator
    state.settings = Settings(**overrides)


def fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


def guarded(fn: Callable[[], T]) -> T:
    """Run ``fn``; errors a user can cause become a message and an exit code."""
    try:
        return fn()
    except (typer.Exit, AccessDenied):  # refusals are recorded by the session, then reported
        raise
    except CasegraphError as exc:  # one table: each kind carries its exit code
        raise fail(str(exc), exc.exit_code) from None
    except OSError as exc:  # a file named on the command line: missing, unreadable, full
        raise fail(str(exc)) from None


@contextmanager
def session(case: str | None = None, justification: str | None = None) -> Iterator[Session]:
    """A session as the local operator (or the registered user of that name)."""
    workspace = guarded(lambda: Workspace.open(state.settings))
    try:
        ctx = AccessContext(
            actor=state.settings.operator, case_id=case, justification=justification, local=True
        )
        try:
            with workspace.session(ctx) as s:
                yield s
        except AccessDenied as exc:
            raise fail(f"access denied: {exc}", code=3) from None
    finally:
        workspace.close()


JSON = typer.Option(False, "--json", help="Print JSON instead of a table.")
CASE = typer.Option(None, "--case", help="The case this is for (you must be a member).")
JUSTIFICATION = typer.Option(
    None, "--justification", help="Why you need this data (20+ characters), if not for a case."
)


def scope_purpose(scope: str, case: str | None, justification: str | None) -> str | None:
    """The case a command over ``scope`` runs for: the one named, else the scope's own
    (``case:ID``: its members work for the case) when no justification is given."""
    if case is None and justification is None and scope.startswith("case:"):
        return scope.removeprefix("case:")
    return case


@contextmanager
def progress_bar() -> Iterator[Callable[[str, int, int], None]]:
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=False,
        disable=not err.is_terminal and not os.environ.get("CASEGRAPH_PROGRESS"),
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def update(label: str, position: int, total: int) -> None:
            if label not in tasks:
                tasks[label] = bar.add_task(label, total=max(total, 1))
            bar.update(tasks[label], completed=position, total=max(total, 1))

        yield update


def write_file(out: Path, body: Iterable[bytes]) -> None:
    """Write a disclosed file's bytes (already on the record) to ``out``."""

    def write() -> None:
        with out.open("wb") as handle:
            for chunk in body:
                handle.write(chunk)

    guarded(write)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
