"""Writers of :class:`graph.export.tables.Table` lists: one per format, and one table from format name to writer.

Both open cleanly in Excel and are safe in it:

* CSV is UTF-8 with a byte-order mark (Excel otherwise reads it in the local code page) and
  holds one table. A text cell that a spreadsheet would take for a formula (it begins with
  ``= + - @``, their full-width forms, a tab or a carriage return) gets a leading ``'``.
* XLSX (openpyxl) holds one sheet per table, headers in bold, frozen and filterable, shares
  shown as percentages. A text cell is always stored as text; one that looks like a formula
  also carries Excel's "quote prefix" style, so it stays text when edited. Characters XML
  cannot hold (control characters) are dropped.

>>> from graph.export.tables import Column, Table
>>> data = FORMATS["csv"].write([Table("t", "T", (Column("名称", "name"),), [["=1+1"], ["黔江"]])])
>>> data.decode("utf-8-sig").splitlines()
['名称 (name)', "'=1+1", '黔江']
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from graph.export.tables import Table

#: First characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection"),
#: with the full-width forms a Chinese input method types.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def looks_like_formula(value: Any) -> bool:
    """Whether a spreadsheet would take this text cell for a formula.

    >>> looks_like_formula("=HYPERLINK(\\"x\\")"), looks_like_formula("-5"), looks_like_formula(-5)
    (True, True, False)
    """
    return isinstance(value, str) and value.startswith(FORMULA_START)


def neutralise(value: Any) -> Any:
    """A text cell that looks like a formula gets a leading ``'``; anything else is unchanged.

    >>> neutralise("@SUM(A1)"), neutralise("黔江"), neutralise(0.5)
    ("'@SUM(A1)", '黔江', 0.5)
    """
    return "'" + value if looks_like_formula(value) else value


def write_csv(tables: Sequence[Table]) -> bytes:
    """The first table as CSV: UTF-8 with BOM, CRLF line ends, formula-like cells neutralised.

    Raises:
        ValueError: no table given.
    """
    if not tables:
        raise ValueError("no table to write")
    table = tables[0]
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([neutralise(h) for h in table.headers])
    w.writerows([["" if v is None else neutralise(v) for v in row] for row in table.rows])
    return buf.getvalue().encode("utf-8-sig")


_NOT_IN_SHEET_TITLES = re.compile(r"[\\*?:/\[\]]")
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_FORMATS = {"int": "0", "number": "General", "percent": "0.0%"}


def sheet_title(title: str, taken: set[str]) -> str:
    """A valid, unused sheet name: no ``\\ * ? : / [ ]``, at most 31 characters.

    >>> sheet_title("地区×产业链", set()), sheet_title("a/b", {"a b"})
    ('地区×产业链', 'a b 2')
    """
    base = _NOT_IN_SHEET_TITLES.sub(" ", title).strip("' ")[:31] or "Sheet"
    name, n = base, 1
    while name.lower() in {t.lower() for t in taken}:
        n += 1
        name = f"{base[:31 - len(str(n)) - 1]} {n}"
    return name


def _width(value: Any) -> int:
    text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def write_xlsx(tables: Sequence[Table]) -> bytes:
    """Every table as a sheet of one workbook (openpyxl).

    Raises:
        ValueError: no table given.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    if not tables:
        raise ValueError("no table to write")
    wb = Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    bold = Font(bold=True)
    for table in tables:
        ws = wb.create_sheet(sheet_title(table.title, taken))
        taken.add(ws.title)
        ws.append(table.headers)
        for cell in ws[1]:
            cell.font = bold
        for row in table.rows:
            ws.append([_NOT_IN_XML.sub("", v) if isinstance(v, str) else v for v in row])
        for col, column in enumerate(table.columns, start=1):
            widths = [_width(column.header)]
            for r, cells in enumerate(ws.iter_rows(min_row=2, min_col=col, max_col=col), start=2):
                cell = cells[0]
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # openpyxl takes "=…" for a formula otherwise
                    if looks_like_formula(cell.value):
                        cell.quotePrefix = True
                elif isinstance(cell.value, int | float) and column.kind in _FORMATS:
                    cell.number_format = _FORMATS[column.kind]
                if r <= 200:
                    widths.append(_width(cell.value))
            ws.column_dimensions[get_column_letter(col)].width = min(max(widths) + 2, 60)
        ws.freeze_panes = "A2"
        if table.columns:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{max(len(table.rows) + 1, 1)}"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@dataclass(frozen=True)
class Format:
    """A table format: media type, file extension, writer, and whether it holds several tables."""

    name: str
    media_type: str
    extension: str
    write: Callable[[Sequence[Table]], bytes]
    multi: bool


#: Format name → writer (``?format=`` and ``--format``).
FORMATS: dict[str, Format] = {
    "csv": Format("csv", "text/csv; charset=utf-8", "csv", write_csv, multi=False),
    "xlsx": Format("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx",
                   write_xlsx, multi=True),
}


def render(tables: Sequence[Table], fmt: str, *, table: str | None = None) -> bytes:
    """Write ``tables`` (or only the one called ``table``) in format ``fmt``.

    CSV holds one table: the one named, else the first.

    Raises:
        KeyError: unknown format or table name (the message lists the known ones).
    """
    from graph.export.tables import pick

    if fmt not in FORMATS:
        raise KeyError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    return FORMATS[fmt].write(pick(tables, table))
