"""Documents per second: ``casegraph ingest-docs`` against the extraction library alone,
on the same files, in one run.

From the shared corpus (``../shared/data/docs``), three sets, each made of distinct
files (a copy of a corpus file gets a few bytes of its own, so that no two files share
a hash and every one is read):

* text PDFs -- the corpus PDFs that have a text layer; baseline: pypdfium2 reading the
  text of every page;
* e-mails -- the corpus ``.eml`` files; baseline: the standard library's parser, the
  body and every attachment's bytes;
* OCR pages -- four scans (TIFF, JPEG); baseline: the ``tesseract`` command on each.

casegraph runs as a user runs it: ``casegraph ingest-docs FOLDER --source ...`` in a
process of its own on a new SQLite workspace (storing each file, reading it, writing its
text and the full-text index, one transaction per document), timed from start to exit;
its peak resident memory is read by polling the process. The e-mails run at two sizes,
to show that memory does not grow with the number of files.

    python benchmarks/documents.py [--pdfs 200] [--emails 1000,4000] [--ocr 12]
"""

from __future__ import annotations

import argparse
import email
import email.policy
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import pypdfium2 as pdfium

sys.path.insert(0, str(Path(__file__).resolve().parent))
from doc_corpus import corpus_dir

SCANS = ("phototest.tif", "eurotext.tif", "tika_testOCR.jpg", "pyt_test-european.jpg")


def distinct(
    files: list[Path], target: Path, count: int, mark: Callable[[bytes, int], bytes]
) -> int:
    """``count`` files in ``target``, copies of ``files`` in turn, each made distinct by
    ``mark``; their total size."""
    total = 0
    target.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        original = files[n % len(files)]
        data = mark(original.read_bytes(), n)
        (target / f"{n:06d}-{original.name}").write_bytes(data)
        total += len(data)
    return total


def text_pdfs() -> list[Path]:
    out = []
    for path in sorted((corpus_dir() / "pdf").glob("*.pdf")):
        try:
            document = pdfium.PdfDocument(path.read_bytes())
        except pdfium.PdfiumError:
            continue  # the password-protected one
        try:
            texts = [document[i].get_textpage().get_text_bounded() for i in range(len(document))]
        finally:
            document.close()
        if any(t.strip() for t in texts) and len(texts) <= 20:
            out.append(path)
    return out


def bare_pdf(folder: Path) -> int:
    pages = 0
    for path in sorted(folder.iterdir()):
        document = pdfium.PdfDocument(path.read_bytes())
        for i in range(len(document)):
            page = document[i]
            textpage = page.get_textpage()
            textpage.get_text_bounded()
            textpage.close()
            page.close()
            pages += 1
        document.close()
    return pages


def bare_email(folder: Path) -> int:
    parts = 0
    for path in sorted(folder.iterdir()):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        body = message.get_body(preferencelist=("plain", "html"))
        if body is not None:
            body.get_content()
        for part in message.walk():
            if not part.is_multipart():
                part.get_payload(decode=True)
                parts += 1
    return parts


def bare_ocr(folder: Path) -> int:
    for path in sorted(folder.iterdir()):
        subprocess.run(["tesseract", str(path), "stdout", "-l", "eng"], capture_output=True,
                       check=True)  # fmt: skip
    return len(list(folder.iterdir()))


def casegraph(folder: Path, work: Path, ocr: bool) -> tuple[float, float]:
    """``casegraph ingest-docs`` on a new workspace: seconds, peak RSS in MB."""
    env = dict(os.environ, CASEGRAPH_DATA_DIR=str(work / "ws"))
    env.pop("CASEGRAPH_DATABASE_URL", None)
    cli = [sys.executable, "-m", "casegraph.cli"]
    subprocess.run([*cli, "init"], env=env, check=True, capture_output=True)
    source = ["source", "add", "bench", "--title", "Benchmark documents", "--team", "bench",
              "--marking", "PUBLIC", "--legal-basis", "benchmark", "--retention-days", "30"]
    subprocess.run([*cli, *source], env=env, check=True, capture_output=True)
    command = [*cli, "ingest-docs", str(folder), "--source", "bench"]
    command += ["--ocr-languages", "eng"] if ocr else ["--no-ocr"]
    started = time.perf_counter()
    run = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    watched, peak = psutil.Process(run.pid), 0
    while run.poll() is None:
        try:
            peak = max(peak, watched.memory_info().rss)
        except psutil.NoSuchProcess:
            break
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    if run.returncode != 0:
        raise SystemExit(f"casegraph failed: {run.stderr.read().decode() if run.stderr else ''}")
    shutil.rmtree(work / "ws")
    return seconds, peak / 1024**2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pdfs", type=int, default=200)
    parser.add_argument("--emails", default="1000,4000", help="sizes, comma-separated")
    parser.add_argument("--ocr", type=int, default=12, help="scanned pages")
    args = parser.parse_args()
    root = corpus_dir()
    pdf_mark = lambda d, n: d + f"\n%casegraph-benchmark {n}\n".encode()  # noqa: E731
    mail_mark = lambda d, n: f"X-Benchmark-Copy: {n}\n".encode() + d  # noqa: E731
    image_mark = lambda d, n: d + f"casegraph-benchmark {n}".encode()  # noqa: E731
    sets = [("text PDFs", text_pdfs(), args.pdfs, pdf_mark, bare_pdf, False)]
    emails = sorted((root / "email").glob("*.eml"))
    for size in (int(s) for s in args.emails.split(",")):
        sets.append((f"e-mails ({size:,})", emails, size, mail_mark, bare_email, False))
    scans = [root / "scanned" / name for name in SCANS]
    sets.append(("OCR pages", scans, args.ocr, image_mark, bare_ocr, True))
    rows = []
    with tempfile.TemporaryDirectory(prefix="casegraph-docs-bench-") as tmp:
        for label, files, count, mark, bare, ocr in sets:
            folder = Path(tmp) / label.split()[0]
            shutil.rmtree(folder, ignore_errors=True)
            size = distinct(files, folder, count, mark)
            started = time.perf_counter()
            bare(folder)
            baseline = time.perf_counter() - started
            ours, peak = casegraph(folder, Path(tmp), ocr)
            rows.append({"set": label, "files": count, "megabytes": round(size / 1024**2, 1),
                         "casegraph_s": round(ours, 2), "casegraph_per_s": round(count / ours, 1),
                         "baseline_s": round(baseline, 2),
                         "baseline_per_s": round(count / baseline, 1),
                         "ratio": round(ours / baseline, 2),
                         "peak_rss_mb": round(peak)})  # fmt: skip
            print(f"{label}: {rows[-1]}", file=sys.stderr)
    print("| set | files | casegraph | files/s | library alone | files/s | ratio | peak RSS |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['set']} | {r['files']:,} | {r['casegraph_s']} s | {r['casegraph_per_s']} | "
              f"{r['baseline_s']} s | {r['baseline_per_s']} | {r['ratio']} | "
              f"{r['peak_rss_mb']} MB |")  # fmt: skip
    print(json.dumps({"benchmark": "documents", "results": rows}))


if __name__ == "__main__":
    main()
