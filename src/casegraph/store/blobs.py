"""Files stored content-addressed by SHA-256 under the workspace folder: case evidence,
and the documents of sources."""

from __future__ import annotations

import hashlib
import mimetypes
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from casegraph.errors import InvalidInput
from casegraph.store.private import private_dir

CHUNK = 1 << 20


@dataclass(frozen=True)
class Stored:
    sha256: str
    size: int
    media_type: str


class BlobStore:
    """``root/ab/abcdef...``: a file's name is its hash, so the same bytes are kept once
    and a changed file no longer matches its name. Folders are 0700, files 0400: only
    the workspace's owner reads them, and nobody writes them."""

    def __init__(self, root: Path, max_bytes: int, setting: str) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self.setting = setting  # the environment variable that sets ``max_bytes``

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def put(self, chunks: Iterable[bytes], filename: str, media_type: str | None = None) -> Stored:
        """Stream ``chunks`` to disk while hashing; refuse more than ``max_bytes``."""
        private_dir(self.root)
        digest = hashlib.sha256()
        size = 0
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks:
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise InvalidInput(
                            f"{filename}: larger than the limit of {self.max_bytes:,} "
                            f"bytes (set {self.setting} to change it)"
                        )
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha = digest.hexdigest()
            target = self.path(sha)
            private_dir(target.parent)
            if target.exists() and self.hash_of(target) == sha:
                os.unlink(tmp)
            else:
                os.replace(tmp, target)
                os.chmod(target, 0o400)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        guessed = mimetypes.guess_type(filename)[0]
        return Stored(sha, size, media_type or guessed or "application/octet-stream")

    def read(self, sha256: str) -> Iterator[bytes]:
        path = self.path(sha256)
        if not path.exists():
            raise InvalidInput(f"the stored file {sha256[:12]}... is missing from the workspace")
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                yield chunk

    def hash_of(self, path: Path) -> str:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
        return digest.hexdigest()

    def check(self, sha256: str) -> str:
        """``intact``, ``changed`` (the bytes no longer hash to their name) or ``missing``."""
        path = self.path(sha256)
        if not path.exists():
            return "missing"
        return "intact" if self.hash_of(path) == sha256 else "changed"

    def stored_before(self, moment: float) -> list[str]:
        """Hashes of the files written before ``moment`` (a time.time() value)."""
        if not self.root.exists():
            return []
        return sorted(
            p.name
            for p in self.root.glob("??/*")
            if len(p.name) == 64 and p.stat().st_mtime < moment
        )

    def remove(self, sha256: str) -> None:
        path = self.path(sha256)
        if path.exists():
            os.chmod(path, 0o600)
            path.unlink()
