"""Files sent over HTTP: a disclosed file with the header that names it, a picture to
show and not keep."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

from fastapi.responses import Response, StreamingResponse


def disposition(filename: str) -> str:
    """``attachment`` with an ASCII file name (no quotes, backslashes or control
    characters) and the exact name in RFC 5987 form."""
    plain = "".join(c if " " <= c <= "~" and c not in '"\\' else "_" for c in filename)
    exact = quote(filename, safe="")
    return f"attachment; filename=\"{plain.strip() or 'file'}\"; filename*=UTF-8''{exact}"


def attachment(body: Iterable[bytes], filename: str, sha256: str,
               media_type: str = "application/octet-stream") -> StreamingResponse:  # fmt: skip
    """A stored file sent as a download, named, with the hash it was stored under."""
    return StreamingResponse(body, media_type=media_type, headers={
        "Content-Disposition": disposition(filename), "X-Content-SHA256": sha256})  # fmt: skip


def picture(png: bytes) -> Response:
    """A PNG to look at, which the browser keeps no copy of (each view is recorded)."""
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, no-store"})
