"""Archives: zip, tar (plain or compressed), gzip and 7z. Members become files inside
the archive; encrypted members are recorded as such; an archive that would unpack past
the limits (a zip bomb) is refused before anything is unpacked."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import tarfile
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from casegraph.documents.extracted import Child, Extracted, Limits, Unreadable, parts


def check_sizes(sizes: list[tuple[str, int, int]], limits: Limits) -> None:
    """Refuse before unpacking: too many members, too much in all, or a member that
    unpacks to more than ``max_ratio`` times its packed size (and over a megabyte)."""
    if len(sizes) > limits.max_members:
        raise Unreadable(
            f"{len(sizes):,} members, more than the limit of {limits.max_members:,}"
        )
    total = sum(size for _, size, _ in sizes)
    if total > limits.max_unpacked:
        raise Unreadable(
            f"would unpack to {total:,} bytes, more than the limit of "
            f"{limits.max_unpacked:,}: refused as a possible archive bomb"
        )
    for name, size, packed in sizes:
        if size > 1024**2 and size > limits.max_ratio * max(packed, 1):
            raise Unreadable(f"{name} would unpack {size // max(packed, 1):,} times its packed "
                             "size: refused as a possible archive bomb")  # fmt: skip


def zip_archive(data: bytes, limits: Limits) -> Extracted:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise Unreadable(f"a damaged zip archive ({exc})") from None
    with archive:
        members = [i for i in archive.infolist() if not i.is_dir()]
        check_sizes([(i.filename, i.file_size, i.compress_size) for i in members], limits)
        encrypted = [i for i in members if i.flag_bits & 0x1]
        if members and len(encrypted) == len(members):
            raise Unreadable(f"encrypted zip archive: its {len(members)} member(s) need a "
                             "password")  # fmt: skip
        children, notes = [], []
        for info in members:
            name = _zip_name(info)
            if info in encrypted:
                notes.append(f"{name}: encrypted, not read")
                continue
            try:
                children.append(Child(name, archive.read(info)))
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError,
                    RuntimeError) as exc:  # fmt: skip
                notes.append(f"{name}: not read ({exc})")
    extracted = Extracted("Package", parts("\n".join([c.name for c in children] + notes)),
                          children=children, notes=notes)  # fmt: skip
    extracted.meta["members"] = len(members)
    return extracted


def _zip_name(info: zipfile.ZipInfo) -> str:
    """A member's name: UTF-8 when the archive says so; otherwise the bytes were decoded
    as code page 437, and are decoded again as what they most likely are (GBK, say)."""
    if info.flag_bits & 0x800:
        return info.filename
    raw = info.filename.encode("cp437", "replace")
    for encoding in ("utf-8", "gbk", "shift_jis", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def tar_archive(data: bytes, limits: Limits) -> Extracted:
    try:
        archive = tarfile.open(fileobj=io.BytesIO(data), mode="r:*")  # noqa: SIM115 (with below)
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise Unreadable(f"a damaged tar archive ({exc})") from None
    with archive:
        try:
            members = [m for m in archive.getmembers() if m.isfile()]
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise Unreadable(f"a damaged tar archive ({exc})") from None
        check_sizes([(m.name, m.size, m.size) for m in members], limits)
        children, notes = [], []
        for member in members:
            try:
                handle = archive.extractfile(member)
                children.append(Child(member.name, handle.read() if handle else b""))
            except (tarfile.TarError, OSError, EOFError) as exc:
                notes.append(f"{member.name}: not read ({exc})")
    extracted = Extracted("Package", parts("\n".join([c.name for c in children] + notes)),
                          children=children, notes=notes)  # fmt: skip
    extracted.meta["members"] = len(members)
    return extracted


_STREAMS: dict[str, tuple[Any, str]] = {
    "gzip": (gzip.GzipFile, "gz"), "bzip2": (bz2.BZ2File, "bz2"), "xz": (lzma.LZMAFile, "xz"),
}


def compressed_file(data: bytes, name: str, kind: str, limits: Limits) -> Extracted:
    """A gzip, bzip2 or xz file: a tar inside is read as an archive; anything else is
    one member, named as the file without its suffix."""
    opener, suffix = _STREAMS[kind]
    mode: Any = f"r:{suffix}"  # r:gz, r:bz2 or r:xz
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode=mode) as probe:
            probe.next()
        return tar_archive(data, limits)
    except (tarfile.TarError, OSError, EOFError, lzma.LZMAError):
        pass
    try:
        with opener(io.BytesIO(data)) as stream:
            content = stream.read(limits.max_unpacked + 1)
    except (OSError, EOFError, lzma.LZMAError) as exc:
        raise Unreadable(f"a damaged {kind} file ({exc})") from None
    check_sizes([(name, len(content), len(data))], limits)
    inner = name.rsplit("/", 1)[-1]
    ending = f".{suffix}"
    inner = inner[: -len(ending)] if inner.lower().endswith(ending) else f"{inner}.unpacked"
    return Extracted("Package", [inner], children=[Child(inner, content)], meta={"members": 1})


def seven_zip(data: bytes, limits: Limits) -> Extracted:
    import py7zr

    try:
        archive = py7zr.SevenZipFile(io.BytesIO(data))
    except py7zr.exceptions.PasswordRequired:
        raise Unreadable("encrypted 7z archive: it needs a password") from None
    except (py7zr.exceptions.Bad7zFile, OSError, EOFError, ValueError) as exc:
        raise Unreadable(f"a damaged 7z archive ({exc})") from None
    with archive:
        if archive.needs_password():
            raise Unreadable("encrypted 7z archive: it needs a password")
        entries = [e for e in archive.list() if not e.is_directory]
        check_sizes([(e.filename, e.uncompressed or 0, e.compressed or 0) for e in entries], limits)
        with tempfile.TemporaryDirectory(prefix="casegraph-7z-") as tmp:
            try:
                archive.extractall(path=tmp)
            except (py7zr.exceptions.ArchiveError, OSError, EOFError, ValueError) as exc:
                raise Unreadable(f"a damaged 7z archive ({exc})") from None
            root = Path(tmp)
            children = [
                Child(str(p.relative_to(root)), p.read_bytes())
                for p in sorted(root.rglob("*"))
                if p.is_file() and not p.is_symlink() and os.path.commonpath([tmp, p]) == tmp
            ]
    return Extracted("Package", parts("\n".join(c.name for c in children)), children=children,
                     meta={"members": len(entries)})  # fmt: skip
