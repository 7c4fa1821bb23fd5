"""The workspace folder and the files casegraph keeps in it (the SQLite store, evidence,
the signing key) are readable by their owner only, whatever the process's umask."""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
# SQLite gives these files the mode of the database file when it creates them
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def private_dir(path: Path) -> Path:
    """Create ``path`` and its missing parents, each 0700. Folders that already exist
    keep their mode: an existing one was chosen by someone (it may be a home folder)."""
    missing: list[Path] = []
    folder = path
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        folder.mkdir(mode=PRIVATE_DIR, exist_ok=True)
        os.chmod(folder, PRIVATE_DIR)  # mkdir's mode passes through the umask
    return path


def private_sqlite_file(path: Path) -> None:
    """The SQLite database file, created 0600 before SQLite first opens it (its -wal,
    -shm and -journal files then get that mode too); an existing store and its
    companions are brought to it."""
    private_dir(path.parent)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE))
    for file in [path, *(path.with_name(path.name + end) for end in SQLITE_COMPANIONS)]:
        if file.exists():
            os.chmod(file, PRIVATE_FILE)
