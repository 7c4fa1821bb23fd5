"""How an id is shown beside a name: small, in the id's own type, and a 40-character
hex id (a record not merged into a ``cg-`` subject) shortened, the full id in its title.
One filter (``id_small``) for every template, so ids read alike on every page."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

_HEX40 = re.compile(r"[0-9a-f]{40}")
KEEP = 10  # characters of a hex id shown


def short_id(value: str) -> str:
    """``value`` as shown: a 40-character hex id cut to its first ``KEEP`` characters."""
    return value[:KEEP] + "…" if _HEX40.fullmatch(value) else value


def id_small(value: object) -> Markup:
    """``<small class="id">`` with the id as shown, and the full id as its title."""
    text = str(value)
    return Markup('<small class="id" title="{}">{}</small>').format(
        escape(text), escape(short_id(text))
    )
