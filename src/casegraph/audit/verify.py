"""Recompute the chain and find the first entry that was edited, removed or moved."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from casegraph.audit.checkpoint import Checkpoint
from casegraph.model.audit import GENESIS, Entry


@dataclass(frozen=True)
class Verdict:
    ok: bool
    entries: int
    head_seq: int
    head_hash: str
    first_bad_seq: int | None = None
    problem: str | None = None


def verify(entries: Iterable[Entry], checkpoints: Iterable[Checkpoint] = ()) -> Verdict:
    """Walk the ledger in sequence order.

    Catches an edited entry (its hash no longer matches its content), a deleted or
    reordered one (a gap in the sequence or a broken ``prev_hash`` link) and, with
    signed checkpoints, a truncated tail or a rewritten chain (the checkpointed entry
    is missing or has another hash).
    """
    # a checkpoint of the empty ledger vouches for nothing but the genesis
    wanted = {c.seq: c for c in checkpoints if not (c.seq == 0 and c.hash == GENESIS)}
    expected_seq, prev, count = 1, GENESIS, 0
    for entry in entries:
        count += 1
        if entry.seq != expected_seq:
            problem = (
                f"entry {expected_seq} is missing (found {entry.seq} next)"
                if entry.seq > expected_seq
                else f"entry {entry.seq} is out of order"
            )
            return Verdict(False, count, expected_seq - 1, prev, expected_seq, problem)
        if entry.prev_hash != prev:
            return Verdict(
                False, count, entry.seq - 1, prev, entry.seq,
                f"entry {entry.seq} does not follow entry {entry.seq - 1} (chain broken)",
            )  # fmt: skip
        if entry.compute_hash() != entry.hash:
            return Verdict(
                False, count, entry.seq - 1, prev, entry.seq,
                f"entry {entry.seq} was altered (its hash does not match its content)",
            )  # fmt: skip
        checkpoint = wanted.pop(entry.seq, None)
        if checkpoint is not None and checkpoint.hash != entry.hash:
            return Verdict(
                False, count, entry.seq, entry.hash, entry.seq,
                f"entry {entry.seq} differs from the signed checkpoint (chain rewritten)",
            )  # fmt: skip
        prev = entry.hash
        expected_seq += 1
    if wanted:
        first = min(wanted)
        return Verdict(
            False, count, expected_seq - 1, prev, first,
            f"the ledger ends at entry {expected_seq - 1} but a signed checkpoint "
            f"covers entry {first} (truncated)",
        )  # fmt: skip
    return Verdict(True, count, expected_seq - 1, prev)
