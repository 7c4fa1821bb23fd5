"""OCR with Tesseract (Debian's ``tesseract-ocr`` and its language packs): a scanned
image, or a PDF page without a text layer rendered at 300 dpi."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from typing import Any

import numpy as np

from casegraph.documents import pictures
from casegraph.documents.extracted import Unreadable

LANGUAGES = re.compile(r"^[a-z_]{3,16}(\+[a-z_]{3,16})*$")
DPI = 300


def available_languages() -> set[str]:
    """The language packs Tesseract has here (empty: Tesseract is not installed)."""
    if shutil.which("tesseract") is None:
        return set()
    done = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True,
                          timeout=30, check=False)  # fmt: skip
    return {line.strip() for line in done.stdout.splitlines()[1:] if line.strip()}


def check_languages(languages: str) -> str:
    """``eng+deu``: each language a pack that is installed, or a clear error."""
    if not LANGUAGES.match(languages):
        raise Unreadable(f"OCR languages {languages!r}: write Tesseract codes joined by '+', "
                         "such as eng+deu")  # fmt: skip
    have = available_languages()
    if not have:
        raise Unreadable("OCR needs Tesseract: install Debian's tesseract-ocr package, or "
                         "load without OCR (--no-ocr)")  # fmt: skip
    missing = [code for code in languages.split("+") if code not in have]
    if missing:
        raise Unreadable(
            f"no Tesseract language pack for {', '.join(missing)} (installed: "
            f"{', '.join(sorted(have))}); install tesseract-ocr-{missing[0]}"
        )
    return languages


def image_text(image: bytes, languages: str, seconds: int) -> str:
    """The text Tesseract reads in an image (PNG, JPEG, TIFF ...), straightened first."""
    image = deskew(image)
    if shutil.which("tesseract") is None:
        raise Unreadable("OCR needs Tesseract: install Debian's tesseract-ocr package")
    try:
        done = subprocess.run(
            ["tesseract", "stdin", "stdout", "-l", languages, "--psm", "3"],
            input=image, capture_output=True, timeout=seconds, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        raise Unreadable(f"OCR took longer than {seconds} s (the per-page limit)") from None
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise Unreadable(f"OCR failed: {lines[-1] if lines else 'tesseract gave no reason'}")
    return done.stdout.decode("utf-8", "replace").replace("\x0c", "").strip()


def skew_angle(gray: Any) -> float:
    """The angle (degrees, within +-15) that makes the text lines of a page horizontal:
    the rotation whose rows of ink differ most (lines and the gaps between them), found
    on a copy about 600 pixels wide."""
    from PIL import Image

    small = gray.copy()
    small.thumbnail((600, 600))
    ink = Image.eval(small, lambda v: 255 if v < 128 else 0)

    def spread(angle: float) -> float:
        rows = np.asarray(ink.rotate(angle, expand=True, fillcolor=0), dtype=np.float32).sum(1)
        return float(np.var(np.diff(rows)))

    best = max(range(-15, 16), key=spread)
    if best == 0:
        return 0.0
    return max((best + f / 4 for f in range(-3, 4)), key=spread)


def deskew(image: bytes) -> bytes:
    """The image turned so that its text lines are level (unchanged when they are within
    a degree)."""
    from PIL import Image, UnidentifiedImageError

    try:
        opened = Image.open(io.BytesIO(image))
        gray = opened.convert("L")
    except (UnidentifiedImageError, OSError):
        return image  # Tesseract says what is wrong with it
    angle = skew_angle(gray)
    if abs(angle) < 1:
        return image
    out = io.BytesIO()
    gray.rotate(angle, expand=True, fillcolor=255, resample=Image.Resampling.BICUBIC).save(
        out, format="PNG")  # fmt: skip
    return out.getvalue()


def pdf_page_image(data: bytes, page: int) -> bytes:
    """Page ``page`` (from 1) of a PDF as a PNG at ``DPI``, in grey."""
    return pictures.pdf_page(data, page, scale=DPI / 72, grayscale=True)


def frames(image: bytes) -> list[bytes]:
    """Each frame of a multi-page image (a TIFF of several pages), as PNG; one image as
    it is."""
    from PIL import Image, UnidentifiedImageError

    try:
        opened = Image.open(io.BytesIO(image))
    except (UnidentifiedImageError, OSError) as exc:
        raise Unreadable(f"not a readable image ({exc})") from None
    count = getattr(opened, "n_frames", 1)
    if count <= 1:
        return [image]
    out = []
    for number in range(count):
        opened.seek(number)
        buffer = io.BytesIO()
        opened.convert("L").save(buffer, format="PNG")
        out.append(buffer.getvalue())
    return out
