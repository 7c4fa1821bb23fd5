"""Plain text in any encoding, and HTML reduced to its text."""

from __future__ import annotations

import re

import lxml.html
from charset_normalizer import from_bytes
from lxml import etree

from casegraph.documents.extracted import Extracted, Unreadable, parts

_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)
_BLOCKS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table",
           "section", "article", "header", "footer", "blockquote", "pre", "dt", "dd", "ul",
           "ol", "title", "td", "th"}  # fmt: skip


def decode(data: bytes, declared: str | None = None) -> str:
    """Bytes as text: by their byte-order mark, else the declared charset if it decodes
    them, else UTF-8 if it does, else the best guess (charset-normalizer)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(encoding, "replace")
    for encoding in [e for e in (declared, "utf-8") if e]:
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            pass
    best = from_bytes(data[:200_000]).best()
    return data.decode(best.encoding if best else "latin-1", "replace")


def text_file(data: bytes) -> Extracted:
    return Extracted("PlainText", parts(decode(data).replace("\r\n", "\n")))


def html_text(data: bytes | str) -> tuple[str, dict[str, str]]:
    """The visible text of an HTML page, a line per block, and its title and author."""
    if isinstance(data, bytes):
        declared = _META_CHARSET.search(data[:4096])
        source = decode(data, declared.group(1).decode("ascii") if declared else None)
        if declared and _misleads(data, source):  # a declared charset that garbles
            source = decode(data)
    else:
        source = data
    source = re.sub(r"^\s*<\?xml[^>]*\?>", "", source)
    if not source.strip():
        return "", {}
    try:
        root = lxml.html.document_fromstring(source)
    except (etree.ParserError, ValueError) as exc:
        raise Unreadable(f"not readable as HTML: {exc}") from None
    for bad in root.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    meta = {}
    title = root.findtext(".//title")
    if title and title.strip():
        meta["title"] = " ".join(title.split())
    for node in root.xpath("//meta[@name]"):
        name = (node.get("name") or "").lower()
        if name in ("author", "description", "keywords") and node.get("content"):
            meta[name] = node.get("content").strip()
    lines: list[str] = []
    current: list[str] = []

    def walk(node: etree._Element) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        block = tag.lower() in _BLOCKS
        if block and current:
            lines.append("".join(current))
            current.clear()
        if node.text and tag.lower() != "title":
            current.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                current.append(child.tail)
        if block and current:
            lines.append("".join(current))
            current.clear()

    body = root.find("body")
    walk(body if body is not None else root)
    if current:
        lines.append("".join(current))
    text = "\n".join(" ".join(line.split()) for line in lines)
    return re.sub(r"\n{2,}", "\n", text).strip(), meta


def html_file(data: bytes) -> Extracted:
    text, meta = html_text(data)
    return Extracted("HyperText", parts(text), meta=meta)


def _misleads(data: bytes, decoded: str) -> bool:
    """A declared charset that leaves replacement characters where a guess does not."""
    arabic_bytes = data.count(b"\xd8") + data.count(b"\xd9")
    arabic = any("\u0600" <= ch <= "\u06ff" for ch in decoded[:20_000])
    return decoded.count("\ufffd") > 0 or (arabic_bytes > 20 and not arabic)
