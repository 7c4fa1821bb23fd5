"""Readers: encodings, delimiters, header-less files, XLSX, JSON lines, bad rows."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from casegraph.ingest.encoding import detect_encoding
from casegraph.ingest.readers import ReadOptions, RowError, open_reader


def rows(path: Path, **options: object) -> list[tuple[int, object]]:
    return list(open_reader(path, ReadOptions(**options)))  # type: ignore[arg-type]


def test_cp1252_is_detected_and_decoded(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes("name;city\nJürgen Weiß;Köln\nRenée Dupont;Besançon\n".encode("cp1252"))
    assert detect_encoding(path) in ("cp1252", "latin_1", "iso8859_15", "cp1250")
    got = rows(path)
    assert got == [
        (2, {"name": "Jürgen Weiß", "city": "Köln"}),
        (3, {"name": "Renée Dupont", "city": "Besançon"}),
    ]


def test_utf8_with_bom_and_tsv(tmp_path: Path) -> None:
    path = tmp_path / "people.tsv"
    path.write_bytes("\ufeffname\tphone\nOlga Ivanova\t+49 30 1234567\n".encode())
    assert rows(path) == [(2, {"name": "Olga Ivanova", "phone": "+49 30 1234567"})]


def test_bad_rows_are_reported_with_their_line(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(
        b'id,name\n1,Anna\n2,Bob,extra\n3,Caf\xc3\xa9\n4,Bad \xff byte\n5,"multi\nline"\n6,Eve\n'
    )
    got = rows(path, encoding="utf-8")
    assert got[0] == (2, {"id": "1", "name": "Anna"})
    assert got[1][0] == 3 and isinstance(got[1][1], RowError)
    assert "expected 2 columns, found 3" in got[1][1].reason
    assert got[2] == (4, {"id": "3", "name": "Café"})
    assert got[3][0] == 5 and isinstance(got[3][1], RowError)
    assert "undecodable" in got[3][1].reason and "--encoding" in got[3][1].reason
    assert got[4] == (6, {"id": "5", "name": "multi\nline"})
    assert got[5] == (8, {"id": "6", "name": "Eve"})


def test_headerless_with_null_marker(tmp_path: Path) -> None:
    path = tmp_path / "sdn.csv"
    path.write_text('36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA"\n')
    got = rows(path, fieldnames=["num", "name", "type", "program"], null_values={"-0-"})
    assert got == [(1, {"num": "36", "name": "AEROCARIBBEAN AIRLINES", "program": "CUBA"})]


def test_xlsx_values_become_text(tmp_path: Path) -> None:
    from datetime import datetime

    book = Workbook()
    sheet = book.active
    sheet.append(["name", "amount", "date", "flag"])
    sheet.append(["Nordlicht GmbH", 1500.0, datetime(2021, 3, 4), True])
    sheet.append([None, None, None, None])
    sheet.append(["Azurmere Ltd", 12.5, datetime(2021, 3, 5, 14, 30), None])
    path = tmp_path / "book.xlsx"
    book.save(path)
    assert rows(path) == [
        (2, {"name": "Nordlicht GmbH", "amount": "1500", "date": "2021-03-04", "flag": "true"}),
        (4, {"name": "Azurmere Ltd", "amount": "12.5", "date": "2021-03-05T14:30:00"}),
    ]


def test_json_lines_are_flattened(tmp_path: Path) -> None:
    path = tmp_path / "tips.jsonl"
    path.write_text(
        '{"id": 1, "subject": {"name": "Anna"}, "mentions": [{"name": "Bob"}]}\n'
        "not json\n"
        "\n"
        "[1, 2]\n"
    )
    got = rows(path)
    assert got[0] == (1, {"id": "1", "subject.name": "Anna", "mentions.0.name": "Bob"})
    assert got[1][0] == 2 and isinstance(got[1][1], RowError)
    assert "invalid JSON" in got[1][1].reason
    assert got[2][0] == 4 and isinstance(got[2][1], RowError)
    columns = open_reader(path, ReadOptions()).columns()
    assert columns == {"id", "subject.name", "mentions.0.name"}


def test_utf16_without_bom(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes("name,city\nOlga,Kyiv\n".encode("utf-16-le"))
    assert rows(path, encoding="utf-16-le") == [(2, {"name": "Olga", "city": "Kyiv"})]
