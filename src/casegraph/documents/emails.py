"""E-mail: RFC 822 messages (.eml, Apple's .emlx, MHTML pages), mbox files, Outlook
.msg and .pst. A message's text is its headers and body; its attachments and the
messages it carries are files inside it; its parties and thread ids are metadata."""

from __future__ import annotations

import base64
import binascii
import email
import email.policy
import email.utils
import mailbox
import mimetypes
import os
import tempfile
from collections.abc import Iterator
from email.message import EmailMessage, Message
from typing import Any

from charset_normalizer import from_bytes

from casegraph.documents.extracted import Child, Extracted, Limits, Unreadable, parts
from casegraph.documents.plain import decode, html_text

PARTIES = ("from", "sender", "to", "cc", "bcc", "reply-to")


def eml(data: bytes) -> Extracted:
    if data.startswith(b"From "):  # the separator line of an mbox, before the headers
        data = data.split(b"\n", 1)[1] if b"\n" in data else b""
    message = email.message_from_bytes(data, policy=email.policy.default)
    if not isinstance(message, EmailMessage) or not message.keys():
        raise Unreadable("no e-mail headers found")
    return _message(message)


def emlx(data: bytes) -> Extracted:
    """Apple Mail's file: a line with the message's length, the message, a plist."""
    first, _, rest = data.partition(b"\n")
    try:
        length = int(first.strip())
    except ValueError:
        raise Unreadable("not an .emlx file: no message length on its first line") from None
    return eml(rest[:length])


def mhtml(data: bytes) -> Extracted:
    """A web page saved with its parts (MHTML): the HTML part's text, the rest attached."""
    message = email.message_from_bytes(data, policy=email.policy.default)
    html = next((p for p in message.walk() if p.get_content_type() == "text/html"), None)
    if html is None:
        raise Unreadable("no HTML part in this MHTML file")
    text, meta = html_text(_part_text(html))
    subject = _header(message, "subject")
    if subject and "title" not in meta:
        meta["title"] = subject
    return Extracted("HyperText", parts(text), meta=meta)


def mbox(data: bytes, limits: Limits) -> Extracted:
    """Each message of a mailbox file becomes a file inside it."""
    children = []
    fd, path = tempfile.mkstemp(suffix=".mbox")  # the standard library reads mailboxes from disk
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        box = mailbox.mbox(path, create=False)
        try:
            for number, key in enumerate(box.iterkeys(), start=1):
                if number > limits.max_members:
                    raise Unreadable(f"more than {limits.max_members:,} messages")
                raw = box.get_bytes(key)
                subject = email.message_from_bytes(raw, policy=email.policy.default)
                children.append(Child(_mail_name(number, _header(subject, "subject")), raw))
        finally:
            box.close()
    finally:
        os.unlink(path)
    if not children:
        raise Unreadable("no messages in this mailbox file")
    listing = "\n".join(c.name for c in children)
    return Extracted("Package", parts(listing), meta={"messages": len(children)},
                     children=children)  # fmt: skip


def msg(data: bytes) -> Extracted:
    """An Outlook message (.msg)."""
    import extract_msg  # a heavy import, for this kind only

    try:
        message: Any = extract_msg.openMsg(data)
        encoding = _msg_encoding(message)
        if encoding:
            message.close()
            message = extract_msg.openMsg(data, overrideEncoding=encoding)
    except Exception as exc:  # the library raises many kinds on a damaged file
        raise Unreadable(f"not a readable Outlook message: {exc}") from None
    try:
        meta: dict[str, Any] = {
            "subject": message.subject or "",
            "from": _addresses(message.sender),
            "to": _addresses(message.to),
            "cc": _addresses(message.cc),
            "bcc": _addresses(getattr(message, "bcc", None)),
            "date": message.date.isoformat() if message.date else None,
            "message_id": _id(getattr(message, "messageId", None)),
            "in_reply_to": _id(getattr(message, "inReplyTo", None)),
        }
        body = message.body or ""
        if not body.strip() and message.htmlBody:
            body = html_text(message.htmlBody)[0]
        children = []
        attachment: Any
        for number, attachment in enumerate(message.attachments, start=1):
            content = attachment.data
            name = (attachment.longFilename or attachment.shortFilename
                    or f"attachment-{number}")  # fmt: skip
            if isinstance(content, bytes):
                children.append(Child(name, content))
            elif content is not None and hasattr(content, "exportBytes"):  # a message in it
                children.append(Child(name if "." in name else f"{name}.msg",
                                      content.exportBytes()))  # fmt: skip
    finally:
        message.close()
    return _mail(meta, body, children)


_MULTIBYTE = ("big5", "cp950", "gb2312", "gbk", "gb18030", "shift_jis", "cp932", "euc_jp",
              "euc_kr", "cp949", "johab", "iso2022_jp")  # fmt: skip


def _msg_encoding(message: Any) -> str | None:
    """An Outlook message with 8-bit strings and no code page of its own is read as
    Latin; when its bytes are rather Chinese, Japanese or Korean, that encoding."""
    if getattr(message, "areStringsUnicode", True):
        return None
    current = message.stringEncoding
    raw = f"{message.subject or ''}\n{message.body or ''}".encode(current, "replace")
    best = from_bytes(raw).best()
    guess = best.encoding if best else None
    return guess if guess in _MULTIBYTE else None


def pst(data: bytes, limits: Limits) -> Extracted:
    """An Outlook data file (.pst): every message in every folder, as files inside it
    (RFC 822 text rebuilt from their headers and bodies), under the folder path."""
    import pypff

    fd, path = tempfile.mkstemp(suffix=".pst")  # libpff opens files by name
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        store = pypff.file()
        try:
            store.open(path)
        except OSError as exc:
            raise Unreadable(f"not a readable Outlook data file: {exc}") from None
        try:
            children: list[Child] = []
            for child in _pst_messages(store.get_root_folder(), ""):
                if len(children) == limits.max_members:
                    raise Unreadable(f"more than {limits.max_members:,} messages")
                children.append(child)
        finally:
            store.close()
    finally:
        os.unlink(path)
    listing = "\n".join(c.name for c in children)
    return Extracted("Package", parts(listing), meta={"messages": len(children)},
                     children=children)  # fmt: skip


def _pst_messages(folder: Any, where: str) -> Iterator[Child]:
    for i in range(folder.get_number_of_sub_messages()):
        item = folder.get_sub_message(i)
        headers = item.get_transport_headers() or ""
        body = item.get_plain_text_body() or b""
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
        if not text.strip():
            html = item.get_html_body()
            if html:
                text = html_text(html)[0]
        message = EmailMessage()
        parsed = email.message_from_string(headers, policy=email.policy.default)
        for key in ("From", "To", "Cc", "Subject", "Date", "Message-ID", "In-Reply-To",
                    "References"):  # fmt: skip
            if parsed.get(key):
                message[key] = str(parsed[key])
        if not message.get("Subject") and item.get_subject():
            message["Subject"] = item.get_subject()
        if not message.get("From") and item.get_sender_name():
            message["From"] = item.get_sender_name()
        message.set_content(text)
        for a in range(item.get_number_of_attachments()):
            attachment = item.get_attachment(a)
            size = attachment.get_size() or 0
            content = attachment.read_buffer(size) if size else b""
            name = getattr(attachment, "name", None) or f"attachment-{a + 1}"
            message.add_attachment(content, maintype="application", subtype="octet-stream",
                                   filename=name)  # fmt: skip
        yield Child(f"{where}{_mail_name(i + 1, message.get('Subject'))}", bytes(message))
    for i in range(folder.get_number_of_sub_folders()):
        sub = folder.get_sub_folder(i)
        yield from _pst_messages(sub, f"{where}{sub.get_name() or f'folder-{i + 1}'}/")


def _message(message: EmailMessage) -> Extracted:
    meta: dict[str, Any] = {"subject": _header(message, "subject") or ""}
    for party in PARTIES:
        meta[party.replace("-", "_")] = _addresses_of(message, party)
    meta["date"] = _date(message)
    meta["date_written"] = _header(message, "date")  # as the message gives it
    meta["message_id"] = _id(_header(message, "message-id"))
    meta["in_reply_to"] = _id(_header(message, "in-reply-to"))
    meta["references"] = [_id(r) for r in (_header(message, "references") or "").split()]
    body_part = None
    try:
        body_part = message.get_body(preferencelist=("plain", "html"))
    except (KeyError, LookupError):  # a malformed structure: no body part found
        body_part = None
    body = ""
    if body_part is not None:
        text = _part_text(body_part)
        body = html_text(text)[0] if body_part.get_content_type() == "text/html" else text
    children = []
    for number, part in enumerate(_leaves(message), start=1):
        if part is body_part:
            continue
        name = part.get_filename()
        if part.get_content_type() == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            if isinstance(inner, Message):
                raw = _encoded_message(part, inner)
                subject = _header(email.message_from_bytes(raw, policy=email.policy.default),
                                  "subject")  # fmt: skip
                children.append(Child(name or _mail_name(number, subject), raw))
            continue
        if part.get_content_maintype() == "message":  # external-body, delivery-status ...
            inner = part.get_payload()
            raw = b"\n".join(i.as_bytes() for i in inner if isinstance(i, Message)) \
                if isinstance(inner, list) else str(inner).encode()  # fmt: skip
            if name:
                children.append(Child(name, raw))
            else:
                body += "\n\n" + decode(raw)
            continue
        attached = str(part.get("content-disposition", "")).lower().startswith("attachment")
        if not name and part.get_content_maintype() == "text" and not attached:
            extra = _part_text(part)  # a further text part of the message itself
            if part.get_content_type() == "text/html":
                if body_part is not None and body_part.get_content_type() == "text/plain":
                    continue  # the same text again, as HTML
                extra = html_text(extra)[0]
            body += "\n\n" + extra
            continue
        content = part.get_payload(decode=True)
        if not isinstance(content, bytes):
            continue
        children.append(Child(name or f"part-{number}{_extension(part)}", content))
    return _mail(meta, body, children)


def _encoded_message(part: Message, inner: Message) -> bytes:
    """An attached message's bytes; one sent base64-encoded (against RFC 2046, as some
    mailers do) decoded, which the parser leaves as it was."""
    raw = inner.as_bytes()
    if str(part.get("content-transfer-encoding", "")).strip().lower() == "base64":
        try:
            return base64.b64decode(b"".join(raw.split()), validate=True)
        except (binascii.Error, ValueError):
            return raw
    return raw


def _leaves(part: Message) -> Iterator[Message]:
    """The parts of a message that are not containers, and the messages in it (attached,
    referred to, reporting a delivery), whose own parts are theirs."""
    if part.get_content_maintype() == "message" or not part.is_multipart():
        yield part
        return
    payload = part.get_payload()
    for sub in payload if isinstance(payload, list) else []:
        if isinstance(sub, Message):
            yield from _leaves(sub)


def _mail(meta: dict[str, Any], body: str, children: list[Child]) -> Extracted:
    """The text of a message: its headers, attachment names and body."""
    lines = [f"Subject: {meta.get('subject') or ''}"]
    for party in ("from", "to", "cc", "bcc"):
        if meta.get(party):
            lines.append(f"{party.title()}: {', '.join(meta[party])}")
    if meta.get("date"):
        lines.append(f"Date: {meta.get('date_written') or meta['date']}")
    if children:
        lines.append("Attachments: " + ", ".join(c.name for c in children))
    meta["attachments"] = [c.name for c in children]
    text = "\n".join(lines) + "\n\n" + body.replace("\r\n", "\n").strip()
    meta["title"] = meta.get("subject") or None
    return Extracted("Email", parts(text), meta=meta, children=children)


def _header(message: Message, name: str) -> str | None:
    try:
        value = message.get(name)
    except (ValueError, IndexError, TypeError, LookupError):  # a header the parser chokes on
        return None
    return " ".join(str(value).split()) if value is not None else None


def _addresses_of(message: Message, name: str) -> list[str]:
    try:
        values = message.get_all(name, [])
    except (ValueError, IndexError, TypeError, LookupError):
        return []
    return _addresses(", ".join(str(v) for v in values))


def _addresses(value: Any) -> list[str]:
    """``Name <address>`` strings of a header, one per party (a bare name where there is
    no address)."""
    if not value:
        return []
    out = []
    for name, address in email.utils.getaddresses([str(value)]):
        name = " ".join(name.split())
        if address:
            out.append(f"{name} <{address}>" if name and name != address else address)
        elif name:
            out.append(name)
    return out


def _date(message: Message) -> str | None:
    value = _header(message, "date")
    if not value:
        return None
    try:
        return email.utils.parsedate_to_datetime(value).isoformat()
    except (TypeError, ValueError, IndexError):
        return value


def _id(value: Any) -> str | None:
    text = str(value or "").strip()
    return text.strip("<>") or None


def _part_text(part: Message) -> str:
    content = part.get_payload(decode=True)
    if not isinstance(content, bytes):
        payload = part.get_payload()
        return payload if isinstance(payload, str) else ""
    return decode(content, part.get_content_charset())


def _extension(part: Message) -> str:
    return mimetypes.guess_extension(part.get_content_type()) or ".bin"


def _mail_name(number: int, subject: str | None) -> str:
    # a path separator or a control character would break the path it is shown in
    clean = "".join("_" if ch in "/\\" or ord(ch) < 32 else ch for ch in (subject or ""))
    clean = " ".join(clean.split())[:60]
    return f"{number:04d} {clean}.eml" if clean else f"{number:04d}.eml"
