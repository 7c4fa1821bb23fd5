"""The ``casegraph`` command line (typer + rich): the console script runs ``main``.

``common`` holds the app, its command groups and what every command uses; the commands
register themselves on them from the modules imported here, in the order ``--help``
lists them."""

from __future__ import annotations

import faulthandler
import signal
import sys

# isort: off
from casegraph.cli import commands, graph, cases, resolution, documents, leads, flags  # noqa: F401
# isort: on
from casegraph.cli.common import app, err


def main() -> None:
    faulthandler.register(signal.SIGUSR1)  # `kill -USR1 PID` prints where a stuck job is
    try:
        app()
    except KeyboardInterrupt:
        err.print("[yellow]Interrupted.[/]")
        sys.exit(130)
