"""Office files: Word, Excel and PowerPoint (OOXML, and the binary formats through
xlrd and catdoc), OpenDocument text, spreadsheets and presentations, and RTF. Text
comes from the files' own XML, so footnotes, headers, comments and notes are in it;
embedded files are files inside the document."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from typing import Any

from lxml import etree

from casegraph.documents.archives import check_sizes
from casegraph.documents.extracted import Child, Extracted, Limits, Unreadable, parts

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
TEXT_NS = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TABLE_NS = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
DRAW_NS = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}"
_CORE = {"title": "title", "creator": "author", "lastModifiedBy": "modified_by",
         "created": "created", "modified": "modified", "subject": "subject",
         "description": "description", "keywords": "keywords", "category": "category",
         "language": "language"}  # fmt: skip
_ODF_META = {"title": "title", "initial-creator": "author", "creator": "modified_by",
             "creation-date": "created", "date": "modified", "subject": "subject",
             "description": "description", "keyword": "keywords",
             "language": "language"}  # fmt: skip
_SAFE = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def _zip(data: bytes, limits: Limits) -> zipfile.ZipFile:
    """An OOXML or OpenDocument file's zip, refused like an archive bomb before any
    part is read when it would unpack past the limits."""
    try:
        opened = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError) as exc:
        raise Unreadable(f"a damaged office file ({exc})") from None
    check_sizes([(i.filename, i.file_size, i.compress_size) for i in opened.infolist()], limits)
    return opened


def _xml(z: zipfile.ZipFile, name: str) -> etree._Element | None:
    if name not in z.namelist():
        return None
    try:
        return etree.fromstring(z.read(name), _SAFE)
    except (etree.XMLSyntaxError, zipfile.BadZipFile, OSError) as exc:
        raise Unreadable(f"a damaged office file: {name} ({exc})") from None


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _core(z: zipfile.ZipFile) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    root = _xml(z, "docProps/core.xml")
    for node in root if root is not None else []:
        key = _CORE.get(_local(node.tag))
        if key and node.text and node.text.strip():
            meta[key] = node.text.strip()
    custom = _xml(z, "docProps/custom.xml")
    for prop in custom if custom is not None else []:
        value = "".join(prop.itertext()).strip()
        if prop.get("name") and value:
            meta.setdefault("custom", {})[prop.get("name")] = value
    return meta


def _embedded(z: zipfile.ZipFile, folders: tuple[str, ...]) -> list[Child]:
    return [Child(name.rsplit("/", 1)[-1], z.read(name)) for name in z.namelist()
            if name.startswith(folders) and not name.endswith("/")]  # fmt: skip


def _paragraphs(root: etree._Element | None, paragraph: str, text: str, tab: str) -> list[str]:
    out: list[str] = []
    if root is None:
        return out
    for p in root.iter(paragraph):
        out.append("".join(n.text or "" if n.tag == text else "\t" for n in p.iter(text, tab)))
    return out


def docx(data: bytes, limits: Limits) -> Extracted:
    with _zip(data, limits) as z:
        names = z.namelist()
        lines = []
        parts_in_order = ["word/document.xml", *sorted(
            n for n in names if re.match(r"word/(header|footer|footnotes|endnotes|comments)"
                                         r"\d*\.xml$", n))]  # fmt: skip
        for name in parts_in_order:
            lines += _paragraphs(_xml(z, name), f"{W}p", f"{W}t", f"{W}tab")
        meta = _core(z)
        children = _embedded(z, ("word/embeddings/", "word/media/"))
    return Extracted("Pages", parts("\n".join(lines)), meta=meta, children=children)


def pptx(data: bytes, limits: Limits) -> Extracted:
    with _zip(data, limits) as z:
        def number(name: str) -> int:
            found = re.search(r"(\d+)\.xml$", name)
            return int(found.group(1)) if found else 0

        slides = sorted((n for n in z.namelist() if re.match(r"ppt/slides/slide\d+\.xml$", n)),
                        key=number)  # fmt: skip
        pages = []
        for name in slides:
            lines = _paragraphs(_xml(z, name), f"{A}p", f"{A}t", f"{A}tab")
            notes = name.replace("slides/slide", "notesSlides/notesSlide")
            lines += _paragraphs(_xml(z, notes), f"{A}p", f"{A}t", f"{A}tab")
            pages.append("\n".join(line for line in lines if line.strip()))
        meta = _core(z)
        children = _embedded(z, ("ppt/embeddings/", "ppt/media/"))
    return Extracted("Pages", pages, paged=True, meta=meta, children=children)


def xlsx(data: bytes, limits: Limits) -> Extracted:
    import openpyxl

    with _zip(data, limits) as z:
        meta = _core(z)
        children = _embedded(z, ("xl/embeddings/",))
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged workbook
        raise Unreadable(f"a damaged workbook ({exc})") from None
    try:
        pages = [_sheet(sheet.title, sheet.iter_rows(values_only=True)) for sheet in book]
    finally:
        book.close()
    return Extracted("Workbook", pages, paged=True, meta=meta, children=children)


def xls(data: bytes) -> Extracted:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except Exception as exc:  # xlrd raises its own and struct errors on damage
        raise Unreadable(f"a damaged .xls workbook ({exc})") from None
    pages = []
    for sheet in book.sheets():
        rows = (sheet.row_values(r) for r in range(sheet.nrows))
        pages.append(_sheet(sheet.name, rows))
    meta = {"author": book.user_name} if getattr(book, "user_name", "") else {}
    return Extracted("Workbook", pages, paged=True, meta=meta)


def _sheet(title: str, rows: Any) -> str:
    lines = [title]
    for row in rows:
        cells = ["" if v is None else _cell(v) for v in row]
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            lines.append("\t".join(cells))
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def odf(data: bytes, limits: Limits) -> Extracted:
    """OpenDocument text, spreadsheet or presentation."""
    with _zip(data, limits) as z:
        kind = z.read("mimetype").decode("ascii", "replace").strip() if "mimetype" in \
            z.namelist() else ""  # fmt: skip
        content = _xml(z, "content.xml")
        meta = _odf_meta(_xml(z, "meta.xml"))
        children = [Child(n.rsplit("/", 1)[-1], z.read(n)) for n in z.namelist()
                    if n.startswith(("Pictures/", "Object ")) and not n.endswith("/")]  # fmt: skip
    if content is None:
        raise Unreadable("an OpenDocument file without content.xml")
    if kind.endswith("spreadsheet"):
        pages = []
        for table in content.iter(f"{TABLE_NS}table"):
            rows = ([" ".join(_odf_text(c)) for c in row.iter(f"{TABLE_NS}table-cell")]
                    for row in table.iter(f"{TABLE_NS}table-row"))  # fmt: skip
            pages.append(_sheet(table.get(f"{TABLE_NS}name") or "", rows))
        return Extracted("Workbook", pages, paged=True, meta=meta, children=children)
    if kind.endswith("presentation"):
        pages = ["\n".join(_odf_text(page)) for page in content.iter(f"{DRAW_NS}page")]
        return Extracted("Pages", pages, paged=True, meta=meta, children=children)
    return Extracted("Pages", parts("\n".join(_odf_text(content))), meta=meta,
                     children=children)  # fmt: skip


def _odf_text(root: etree._Element) -> list[str]:
    """Each paragraph and heading as a line (one inside another is a line of its own)."""
    return [_flatten(node) for node in root.iter(f"{TEXT_NS}p", f"{TEXT_NS}h")]


def _flatten(node: etree._Element) -> str:
    pieces = [node.text or ""]
    for child in node:
        tag = child.tag
        if tag == f"{TEXT_NS}s":
            pieces.append(" " * int(child.get(f"{TEXT_NS}c", "1")))
        elif tag == f"{TEXT_NS}tab":
            pieces.append("\t")
        elif tag == f"{TEXT_NS}line-break":
            pieces.append("\n")
        elif tag not in (f"{TEXT_NS}p", f"{TEXT_NS}h"):
            pieces.append(_flatten(child))
        pieces.append(child.tail or "")
    return "".join(pieces)


def _odf_meta(root: etree._Element | None) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    if root is None:
        return meta
    for node in root.iter():
        key = _ODF_META.get(_local(node.tag))
        if key and node.text and node.text.strip() and key not in meta:
            meta[key] = node.text.strip()
    return meta


def rtf(data: bytes) -> Extracted:
    from striprtf.striprtf import rtf_to_text

    try:
        text = str(rtf_to_text(data.decode("latin-1"), errors="replace"))  # type: ignore[no-untyped-call]
    except Exception as exc:  # striprtf's parser fails in many ways on damage
        raise Unreadable(f"a damaged RTF file ({exc})") from None
    return Extracted("Pages", parts(text))


def legacy(data: bytes, kind: str, limits: Limits) -> Extracted:
    """Word 97-2003 (.doc) and PowerPoint 97-2003 (.ppt), through Debian's ``catdoc``
    package (``catdoc`` and ``catppt``)."""
    tool = {"doc": "catdoc", "ppt": "catppt"}[kind]
    if shutil.which(tool) is None:
        raise Unreadable(f"reading .{kind} needs the '{tool}' program (Debian package catdoc)")
    args = [tool, "-d", "utf-8", "-"] if tool == "catdoc" else [tool, "-d", "utf-8", "/dev/stdin"]
    try:
        done = subprocess.run(args, input=data, capture_output=True, timeout=limits.ocr_seconds,
                              check=False)  # fmt: skip
    except subprocess.TimeoutExpired:
        raise Unreadable(f"{tool} took longer than {limits.ocr_seconds} s") from None
    if done.returncode != 0:
        problem = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise Unreadable(f"{tool} could not read it ({problem[-1] if problem else 'no reason'})")
    text = done.stdout.decode("utf-8", "replace").replace("\x0c", "\n")
    return Extracted("Pages", parts(text))
