"""Signed checkpoints of the ledger head (Ed25519, key kept in the workspace)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from casegraph.errors import InvalidInput
from casegraph.store.private import private_dir

KEY_FILE = "audit-signing-key.pem"


class CheckpointError(InvalidInput):
    """A checkpoint file that cannot be trusted; the message says why."""


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: str

    def payload(self) -> bytes:
        return json.dumps(
            {"seq": self.seq, "hash": self.hash, "at": self.at}, sort_keys=True
        ).encode()


def signing_key(folder: Path) -> Ed25519PrivateKey:
    """The workspace's key, created (readable by its owner only) on first use."""
    path = folder / KEY_FILE
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise CheckpointError(f"{path} is not an Ed25519 key")
        return key
    private_dir(folder)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    return key


def public_pem(key: Ed25519PrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def write_checkpoint(key: Ed25519PrivateKey, seq: int, head_hash: str, out: Path) -> Checkpoint:
    checkpoint = Checkpoint(seq=seq, hash=head_hash, at=datetime.now().astimezone().isoformat())
    document = {
        "seq": checkpoint.seq,
        "hash": checkpoint.hash,
        "at": checkpoint.at,
        "signature": key.sign(checkpoint.payload()).hex(),
        "public_key": public_pem(key),
    }
    out.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return checkpoint


def read_checkpoint(path: Path, key: Ed25519PrivateKey | None = None) -> Checkpoint:
    """Load and check a checkpoint file against the workspace key (or its own key)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        checkpoint = Checkpoint(int(document["seq"]), str(document["hash"]), str(document["at"]))
        signature = bytes.fromhex(document["signature"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CheckpointError(f"{path}: not a casegraph checkpoint ({exc})") from exc
    public: Ed25519PublicKey
    if key is not None:
        public = key.public_key()
    else:
        loaded = serialization.load_pem_public_key(document["public_key"].encode())
        if not isinstance(loaded, Ed25519PublicKey):
            raise CheckpointError(f"{path}: not an Ed25519 public key")
        public = loaded
    try:
        public.verify(signature, checkpoint.payload())
    except InvalidSignature as exc:
        raise CheckpointError(f"{path}: the signature does not match (forged or edited)") from exc
    return checkpoint
