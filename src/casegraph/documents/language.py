"""The language of a document's text: the one the file states (office metadata), else
the one its words are in, recognised by a statistical model that ships with the package
(py3langid: 97 languages, nothing downloaded). As an ISO 639-2 code, the way the
FollowTheMoney ``language`` type writes it (``deu``, ``eng``)."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from typing import Any

from followthemoney.types import registry

SAMPLE = 4000  # characters read to recognise the language
MIN_LETTERS = 40  # fewer letters than this (a table of figures, a subject line): unknown
MIN_CONFIDENCE = 0.9
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_lock = threading.Lock()
_identifier: Any = None


def stated(value: Any) -> str | None:
    """A language the file's metadata states (``de``, ``de-DE``, ``German``), cleaned."""
    if not isinstance(value, str) or not value.strip():
        return None
    word = value.strip().replace("_", "-").split("-")[0]
    cleaned = registry.language.clean(word)
    return str(cleaned) if cleaned else None


def recognised(pages: Iterable[str]) -> str | None:
    """The language most of the first ``SAMPLE`` characters of the text are in, if the
    model is sure of it (``MIN_CONFIDENCE``)."""
    sample = ""
    for page in pages:
        sample += page[: SAMPLE - len(sample)] + "\n"
        if len(sample) >= SAMPLE:
            break
    if len(_LETTER.findall(sample)) < MIN_LETTERS:
        return None
    code, confidence = _model().classify(sample)
    if confidence < MIN_CONFIDENCE:
        return None
    cleaned = registry.language.clean(code)
    return str(cleaned) if cleaned else None


def language_of(meta: dict[str, Any], pages: Iterable[str]) -> str | None:
    return stated(meta.get("language")) or recognised(pages)


def _model() -> Any:
    global _identifier
    with _lock:  # loaded once per process (about a second), when first needed
        if _identifier is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return _identifier
