"""The shared document corpus (``../shared/data/docs``, third-party files with a manifest
of expected phrases and ground truth): reading its manifest, and scoring OCR text
against the expected text of its scans. Used by the document tests and by
``benchmarks/documents.py``."""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rapidfuzz.distance import Levenshtein

ROOT = Path(__file__).resolve().parent.parent


def corpus_dir() -> Path:
    shared = os.environ.get("CASEGRAPH_SHARED_DATA")
    return (Path(shared) if shared else ROOT.parent / "shared" / "data") / "docs"


@dataclass(frozen=True)
class Row:
    path: str  # inside the corpus folder: email/x.eml
    kind: str  # email, pdf, scanned, office, html, archive
    pages: int | None
    phrases: tuple[str, ...]
    ground_truth: str  # for scans: ocr-full or ocr-phrases
    expected_file: str


def manifest(folder: Path | None = None) -> list[Row]:
    folder = folder or corpus_dir()
    with (folder / "manifest.csv").open(newline="", encoding="utf-8") as handle:
        return [
            Row(r["path"], r["kind"], int(r["pages"]) if r["pages"] else None,
                tuple(p for p in r["expected_phrases"].split(";") if p),
                r["ground_truth"], r["expected_file"])
            for r in csv.DictReader(handle)
        ]  # fmt: skip


def ground_truth(folder: Path | None = None) -> dict[str, Any]:
    folder = folder or corpus_dir()
    data: dict[str, Any] = json.loads((folder / "ground_truth.json").read_text("utf-8"))
    return data


def squash(text: str) -> str:
    """Whitespace collapsed, case folded: how phrases are compared."""
    return " ".join(text.split()).casefold()


def char_accuracy(expected: str, found: str) -> float:
    """1 - (edit distance / length of the expected text), whitespace collapsed; 0 at worst."""
    want, got = " ".join(expected.split()), " ".join(found.split())
    return max(0.0, 1.0 - Levenshtein.distance(want, got) / max(len(want), 1))


def ocr_score(row: Row, found: str, folder: Path | None = None) -> tuple[str, float]:
    """(measure, value) of OCR text against a scan's expected text: character accuracy
    for a full transcript, the share of expected lines found for phrases."""
    expected = ((folder or corpus_dir()) / row.expected_file).read_text("utf-8")
    if row.ground_truth == "ocr-full":
        return "character accuracy", char_accuracy(expected, found)
    lines = [line for line in expected.splitlines() if line.strip()]
    have = squash(found)
    return "phrases found", sum(squash(line) in have for line in lines) / max(len(lines), 1)
