"""Killing an ingest (kill -9, Ctrl-C) leaves the store consistent; re-running completes it."""

from __future__ import annotations

import csv
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from casegraph.config import Settings
from casegraph.service import Workspace
from casegraph.store.engine import make_engine
from casegraph.store.tables import ingest_runs, statements
from tests.conftest import env_for, person_mapping

ROWS = 20_000  # enough batches to stop one half-way; the index refresh after is the cost
MAPPING = person_mapping(
    "people", "people.csv", name="name", birthDate="born", nationality="country",
    idNumber="passport",
)  # fmt: skip
CASEGRAPH = str(Path(sys.executable).with_name("casegraph"))


@pytest.fixture
def big_mapping(tmp_path: Path) -> Path:
    rng = random.Random(3)
    with (tmp_path / "people.csv").open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "name", "born", "country", "passport"])
        for i in range(ROWS):
            born = f"19{rng.randint(40, 99)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
            country = rng.choice(["de", "fr", "ua"])
            writer.writerow([i, f"Person {rng.randrange(10**6)}", born, country, f"P{i:08d}"])
    (tmp_path / "people.yml").write_text(MAPPING)
    return tmp_path / "people.yml"


def cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CASEGRAPH, *args], env=env_for(settings), capture_output=True, text=True, timeout=600
    )


def counts(settings: Settings) -> tuple[int, int]:
    engine = make_engine(settings.store_url)
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(statements)).scalar_one()
        distinct = conn.execute(
            text(
                "SELECT count(*) FROM (SELECT DISTINCT source, entity_id, prop, value "
                "FROM statements) AS d"
            )
        ).scalar_one()
    engine.dispose()
    return int(total), int(distinct)


def statuses(settings: Settings) -> list[str]:
    engine = make_engine(settings.store_url)
    with engine.connect() as conn:
        rows = conn.execute(select(ingest_runs.c.status).order_by(ingest_runs.c.id)).scalars()
        result = list(rows)
    engine.dispose()
    return result


def start_and_stop(settings: Settings, mapping: Path, sig: int) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [CASEGRAPH, "ingest", str(mapping)],
        env=env_for(settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"ingest finished before it could be interrupted: {proc.stderr.read()}")  # type: ignore[union-attr]
        if counts(settings)[0] > 0:
            break
        time.sleep(0.05)
    proc.send_signal(sig)
    proc.wait(timeout=120)
    return proc


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["kill-9", "ctrl-c"])
def test_interrupted_ingest_is_consistent_and_completes(
    workspace: Workspace, store: Settings, big_mapping: Path, sig: int
) -> None:
    added = cli(
        store, "source", "add", "people", "--title", "People", "--team", "t",
        "--marking", "PUBLIC", "--legal-basis", "test data", "--retention-days", "10",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    proc = start_and_stop(store, big_mapping, sig)
    partial, partial_distinct = counts(store)
    assert 0 < partial < ROWS * 5
    assert partial == partial_distinct
    if sig == signal.SIGINT:
        assert proc.returncode == 130
        message = proc.stderr.read()  # type: ignore[union-attr]
        assert "run the same command again" in message
        assert "Traceback" not in message
        assert statuses(store) == ["interrupted"]
    else:
        assert proc.returncode == -signal.SIGKILL
        assert statuses(store) == ["running"]

    again = cli(store, "ingest", str(big_mapping))
    assert again.returncode == 0, again.stderr
    total, distinct = counts(store)
    assert total == distinct == ROWS * 5  # every statement once, none twice
    assert statuses(store) == ["interrupted", "completed"]
