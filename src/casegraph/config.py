"""Workspace settings, read from the environment (``CASEGRAPH_*``) and the CLI."""

from __future__ import annotations

import getpass
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from casegraph.model.protected import DEFAULT_PROTECTED


def _local_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "operator"


class Settings(BaseSettings):
    """Where the workspace lives and who the local operator is.

    ``database_url`` selects the store: SQLite in ``data_dir`` by default,
    PostgreSQL when set to a ``postgresql://`` URL.
    """

    model_config = SettingsConfigDict(env_prefix="CASEGRAPH_", extra="ignore")

    data_dir: Path = Path("casegraph-data")
    database_url: str | None = None
    operator: str = _local_user()
    ingest_batch_size: int = 5000
    protected_attributes: frozenset[str] = DEFAULT_PROTECTED
    evidence_max_bytes: int = 2 * 1024**3  # the largest evidence file accepted
    # `casegraph serve` holds the graph in memory for its walks (store.adjacency: about
    # 650 MB of arrays for 5 million edges), read again in the background after changes
    graph_in_memory: bool = True
    # `casegraph serve` takes the client address from X-Forwarded-For / X-Forwarded-Proto
    # only when the connection comes from one of these (comma-separated addresses or
    # networks, e.g. "10.0.0.5,10.1.0.0/16"; "*" trusts everyone: never on an open port)
    trusted_proxies: str = ""
    # the largest request body the server reads; evidence uploads may be as large as
    # evidence_max_bytes (plus the form around the file)
    max_body_bytes: int = 10 * 1024**2
    # documents (`casegraph ingest-docs`): the largest file read, the most pages, how
    # deep files nest in archives and e-mails, the most members of an archive, what an
    # archive may unpack to, the seconds Tesseract may spend on a page, and the OCR
    # languages when a command does not name them (Tesseract codes joined by "+")
    document_max_bytes: int = 512 * 1024**2
    document_max_pages: int = 5_000
    document_max_depth: int = 8
    document_max_members: int = 10_000
    document_max_unpacked: int = 2 * 1024**3
    ocr_seconds: int = 120
    ocr_languages: str = "eng+deu"

    @property
    def store_url(self) -> str:
        if self.database_url:
            return normalise_database_url(self.database_url)
        return f"sqlite:///{(self.data_dir / 'casegraph.db').resolve()}"


    @property
    def evidence_dir(self) -> Path:
        return self.data_dir / "evidence"

    @property
    def documents_dir(self) -> Path:
        return self.data_dir / "documents"


def normalise_database_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and route them to psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url
