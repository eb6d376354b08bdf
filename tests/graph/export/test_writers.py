"""CSV and XLSX writers: BOM, headers, types, sheet names, and no formula gets through."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from graph.export.tables import Column, Table
from graph.export.writers import FORMATS, neutralise, render, sheet_title, write_csv, write_xlsx

HOSTILE = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "＝1+1", "＠A1"]


def _table(rows: list[list[object]], name: str = "t", title: str = "测试") -> Table:
    return Table(name, title, (Column("名称", "name"), Column("得分", "score", "percent"), Column("数", "n", "int")),
                 rows)


def test_csv_has_a_bom_crlf_and_round_trips() -> None:
    t = _table([["黔江区", 0.4286, 3], ["含,逗号\"引号\n换行", None, -1]])
    data = write_csv([t])
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with the BOM
    assert b"\r\n" in data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["名称 (name)", "得分 (score)", "数 (n)"]
    assert rows[1] == ["黔江区", "0.4286", "3"]
    assert rows[2] == ["含,逗号\"引号\n换行", "", "-1"]  # a negative number is a number, left alone


@pytest.mark.parametrize("value", HOSTILE)
def test_csv_neutralises_formula_like_text(value: str) -> None:
    rows = list(csv.reader(io.StringIO(write_csv([_table([[value, 0.5, 1]])]).decode("utf-8-sig"), newline="")))
    assert rows[1][0] == "'" + value


@pytest.mark.parametrize("value", ["黔江", "a=b", "1-2", "'quoted", "", "（注）"])
def test_ordinary_text_is_left_alone(value: str) -> None:
    assert neutralise(value) == value


@pytest.mark.parametrize("value", HOSTILE)
def test_xlsx_stores_formula_like_text_as_quoted_text(value: str) -> None:
    wb = load_workbook(io.BytesIO(write_xlsx([_table([[value, 0.5, 1]])])))
    cell = wb["测试"]["A2"]
    assert cell.data_type == "s"  # text, never a formula
    # the text comes back as written; an XML parser may read a bare CR as a line feed (the standard
    # library's does, lxml keeps it: openpyxl reads with lxml when it is installed)
    assert cell.value in (value, value.replace("\r", "\n"))
    assert cell.quotePrefix  # Excel keeps it text when the cell is edited


def test_xlsx_sheets_headers_and_number_formats() -> None:
    a = _table([["黔江区", 0.4286, 3], ["控\x01制", None, 2]], "a", "地区×产业链")
    b = _table([["x", 1.0, 1]], "b", "bad/name:[1]?*")
    wb = load_workbook(io.BytesIO(write_xlsx([a, b])))
    assert wb.sheetnames == ["地区×产业链", "bad name  1"]
    ws = wb["地区×产业链"]
    assert [c.value for c in ws[1]] == a.headers and all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:C3"
    assert ws["B2"].value == 0.4286 and ws["B2"].number_format == "0.0%"
    assert ws["C2"].value == 3 and ws["C2"].number_format == "0"
    assert ws["A3"].value == "控制"  # control characters cannot go into XML
    assert ws["B3"].value is None


def test_sheet_titles_are_valid_and_unique() -> None:
    taken: set[str] = set()
    names = []
    for _ in range(3):
        names.append(sheet_title("一个非常长的工作表名称" * 4, taken))
        taken.add(names[-1])
    assert len(set(names)) == 3 and all(len(n) <= 31 for n in names)


def test_render_picks_a_table_and_refuses_unknown_names() -> None:
    a, b = _table([["a", 0, 0]], "a"), _table([["b", 0, 0]], "b")
    assert "b" in render([a, b], "csv", table="b").decode("utf-8-sig").splitlines()[1]
    assert render([a, b], "csv").decode("utf-8-sig").splitlines()[1].startswith("a")  # CSV: the first
    assert load_workbook(io.BytesIO(render([a, b], "xlsx"))).sheetnames == ["测试", "测试 2"]
    with pytest.raises(KeyError, match="choose one of: a, b"):
        render([a, b], "csv", table="c")
    with pytest.raises(KeyError, match="choose one of: csv, xlsx"):
        render([a, b], "pdf")


def test_formats_declare_media_types() -> None:
    assert FORMATS["csv"].media_type == "text/csv; charset=utf-8"
    assert FORMATS["xlsx"].media_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
