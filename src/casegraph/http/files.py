"""Files sent over HTTP: the header that names them."""

from __future__ import annotations

from urllib.parse import quote


def disposition(filename: str) -> str:
    """``attachment`` with an ASCII file name (no quotes, backslashes or control
    characters) and the exact name in RFC 5987 form."""
    plain = "".join(c if " " <= c <= "~" and c not in '"\\' else "_" for c in filename)
    exact = quote(filename, safe="")
    return f"attachment; filename=\"{plain.strip() or 'file'}\"; filename*=UTF-8''{exact}"
