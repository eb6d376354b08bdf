"""Reading a roster file: its columns (one table of aliases), its encoding, its cells.

Registry exports (企查查, 天眼查, 启信宝) and park rosters arrive as CSV in UTF-8, UTF-8 with BOM,
UTF-16 or GB18030/GBK, or as XLSX; a title line may sit above the header. This module turns the
bytes into a :class:`Table` of text cells under recognised fields, and checks single cells
(credit codes, dates, capitals). It knows nothing of the graph: :mod:`graph.ingest.roster` does.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from graph.errors import DataRejectedError, Problem

#: File suffixes read as rosters (the rest of ``chainkg import`` reads RDF).
ROSTER_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm")

# --- columns --------------------------------------------------------------------------------

#: Field → the header names that mean it (Chinese and English; matched after folding width, case,
#: spaces and a trailing unit in brackets). The one table of column aliases: docs/import.md shows it.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("企业名称", "公司名称", "企业全称", "名称", "单位名称", "enterprise name", "company name", "name",
             "legal name"),
    "short_name": ("企业简称", "简称", "short name"),
    "credit_code": ("统一社会信用代码", "社会信用代码", "信用代码", "unified social credit code", "credit code",
                    "uscc"),
    "legal_rep": ("法定代表人", "法人代表", "法人", "legal representative"),
    "established": ("成立日期", "成立时间", "注册日期", "established", "date of establishment", "founded"),
    "capital": ("注册资本", "registered capital", "capital"),
    "status": ("登记状态", "经营状态", "企业状态", "registration status", "status"),
    "province": ("所属省份", "省份", "province"),
    "city": ("所属城市", "城市", "city"),
    "district": ("所属区县", "区县", "district", "county"),
    "address": ("企业地址", "注册地址", "通信地址", "地址", "address"),
    "park": ("园区", "所在园区", "所属园区", "park", "zone"),
    "chain": ("产业链", "所属产业链", "chain", "industry chain"),
    "segment": ("产业链环节", "环节", "segment", "chain segment"),
    "gbt_section": ("国标行业门类", "行业门类", "industry section"),
    "gbt_division": ("国标行业大类", "行业大类", "industry division"),
    "gbt_group": ("国标行业中类", "行业中类", "industry group"),
    "gbt_class": ("国标行业小类", "行业小类", "国标行业", "所属行业", "industry class", "industry"),
    "gbt_code": ("国标行业代码", "行业代码", "industry code", "gb/t 4754 code", "gbt code"),
    "type": ("企业类型", "公司类型", "enterprise type", "company type"),
    "scope": ("经营范围", "business scope"),
}

#: Fields whose text describes where the enterprise is.
PLACE_FIELDS = ("park", "district", "address")
#: The class columns, most specific first.
CLASS_FIELDS = ("gbt_code", "gbt_class", "gbt_group", "gbt_division")

_UNIT_IN_HEADER = re.compile(r"[(（\[【]\s*([^)）\]】]*)\s*[)）\]】]\s*$")


def _fold(text: str) -> str:
    return re.sub(r"[\s*:：_]+", " ", unicodedata.normalize("NFKC", text)).strip().lower()


_ALIAS_TO_FIELD = {_fold(alias): name for name, aliases in COLUMN_ALIASES.items() for alias in aliases}


def header_field(header: str) -> tuple[str | None, str | None]:
    """The field a header names, and the unit written in brackets after it (``注册资本(万元)``).

    >>> header_field("统一社会信用代码"), header_field("Registered Capital (万元)"), header_field("备注")
    (('credit_code', None), ('capital', '万元'), (None, None))
    """
    text = unicodedata.normalize("NFKC", header or "").strip().lstrip("\ufeff")
    unit = None
    match = _UNIT_IN_HEADER.search(text)
    if match:
        unit = match.group(1).strip() or None
        text = text[: match.start()]
    name = _ALIAS_TO_FIELD.get(_fold(text))
    return name, unit if name else None


# --- cell checks ----------------------------------------------------------------------------

_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_char(first17: str) -> str:
    """The 18th character (check character) of a unified social credit code, GB 32100-2015.

    >>> credit_code_check_char("91500114MA5U00001")
    'E'
    """
    total = sum(_CODE_CHARS.index(c) * w for c, w in zip(first17, _CODE_WEIGHTS, strict=True))
    return _CODE_CHARS[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """Why ``code`` is not a valid unified social credit code, or ``None`` when it is.

    >>> credit_code_problem("91500114MA5U00001E") is None
    True
    >>> credit_code_problem("91500114MA5U00001F")
    'check character is F, GB 32100-2015 gives E'
    """
    if len(code) != 18:
        return f"has {len(code)} characters, a credit code has 18"
    bad = sorted({c for c in code if c not in _CODE_CHARS})
    if bad:
        return f"character(s) {''.join(bad)} not allowed (digits and A–Y without I, O, S, V, Z)"
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        return f"check character is {code[17]}, GB 32100-2015 gives {expected}"
    return None


_DATE_FORMS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def parse_date(text: str) -> date:
    """A registry date: ``2012-03-05``, ``2012/3/5``, ``2012.03.05``, ``2012年3月5日``, ``20120305``.

    Raises:
        ValueError: the text is none of these, or not a calendar date.

    >>> parse_date("2012年3月5日"), parse_date("2012/3/5 00:00:00")
    (datetime.date(2012, 3, 5), datetime.date(2012, 3, 5))
    """
    text = unicodedata.normalize("NFKC", text).strip()
    for form in _DATE_FORMS:
        match = form.match(text)
        if match:
            return date(*(int(g) for g in match.groups()))
    raise ValueError("not a date (give YYYY-MM-DD, YYYY/M/D, YYYY年M月D日 or YYYYMMDD)")


_CURRENCIES = {
    "人民币": "CNY", "元人民币": "CNY", "rmb": "CNY", "cny": "CNY", "美元": "USD", "usd": "USD",
    "港元": "HKD", "港币": "HKD", "hkd": "HKD", "欧元": "EUR", "eur": "EUR", "日元": "JPY", "jpy": "JPY",
    "英镑": "GBP", "gbp": "GBP", "新台币": "TWD", "台币": "TWD",
}
_SCALES = {"": None, "元": Decimal("0.0001"), "万": Decimal(1), "万元": Decimal(1), "千万": Decimal(1000),
           "千万元": Decimal(1000), "亿": Decimal(10000), "亿元": Decimal(10000)}
_CAPITAL = re.compile(r"^([0-9][0-9,]*(?:\.[0-9]+)?)\s*(千万元?|万元?|亿元?|元)?\s*(.*?)$")


def parse_capital(text: str, *, header_unit: str | None = None) -> tuple[Decimal, str]:
    """Registered capital as (amount in 万 = 10 thousand units, ISO 4217 currency).

    The unit is the cell's (``5000万元人民币``, ``1.2亿元``, ``300万美元``, ``80000元``) or the
    header's (``注册资本(万元)``); a bare number under a header without a unit is an error.

    Raises:
        ValueError: no number, an unknown currency, or no unit anywhere.

    >>> parse_capital("5,000万元人民币"), parse_capital("1.2亿元"), parse_capital("300万美元")
    ((Decimal('5000'), 'CNY'), (Decimal('12000.0'), 'CNY'), (Decimal('300'), 'USD'))
    >>> parse_capital("800", header_unit="万元")
    (Decimal('800'), 'CNY')
    """
    raw = unicodedata.normalize("NFKC", text).strip().replace(" ", "")
    raw = re.sub(r"[()]", "", raw)
    match = _CAPITAL.match(raw)
    if not match:
        raise ValueError("not an amount (e.g. 5000万元人民币, 1.2亿元, 300万美元)")
    number, unit, rest = match.group(1).replace(",", ""), match.group(2) or "", match.group(3).lower()
    currency = "CNY"
    if rest:
        if rest not in _CURRENCIES:
            raise ValueError(f"unknown currency {match.group(3)!r}")
        currency = _CURRENCIES[rest]
    if not unit and header_unit:
        h_unit, _, h_currency = parse_unit(header_unit)
        unit = h_unit
        currency = h_currency if not rest else currency
    scale = _SCALES.get(unit)
    if scale is None:
        raise ValueError("no unit: write 万元 or 亿元 in the cell or the header, e.g. 注册资本(万元)")
    return Decimal(number) * scale, currency


def parse_unit(text: str) -> tuple[str, str, str]:
    """Split a header unit such as ``万元人民币`` into (unit, '', currency).

    >>> parse_unit("万美元")
    ('万', '', 'USD')
    """
    t = unicodedata.normalize("NFKC", text).strip().lower()
    for unit in sorted(_SCALES, key=len, reverse=True):
        if unit and t.startswith(unit):
            rest = t[len(unit):]
            return unit, "", _CURRENCIES.get(rest, "CNY") if rest else "CNY"
    return "", "", _CURRENCIES.get(t, "CNY")


_EMPTY = {"", "-", "--", "—", "/", "无", "暂无", "n/a", "na", "null", "none"}


def _blank(text: str | None) -> bool:
    return text is None or text.strip().lower() in _EMPTY


# --- reading the table ------------------------------------------------------------------------


@dataclass
class Table:
    """The rows of a roster file under its recognised header."""

    header_row: int  # 1-based line (CSV) or row (XLSX) of the header
    fields: dict[str, int]  # field → column index (0-based)
    units: dict[str, str]  # field → unit written in its header
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (1-based row number, cells)
    ignored: list[str]  # header names not recognised
    encoding: str


def decode_text(data: bytes, *, source: str) -> tuple[str, str]:
    """Decode a text roster: UTF-8 (BOM or not), UTF-16 with BOM, else GB18030 (GBK's superset).

    Raises:
        DataRejectedError: the bytes are none of these encodings.

    >>> decode_text("企业名称".encode("gbk"), source="x.csv")
    ('企业名称', 'gb18030')
    """
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig"), "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    except UnicodeDecodeError as utf8_error:
        try:
            return data.decode("gb18030"), "gb18030"
        except UnicodeDecodeError as gb_error:
            raise DataRejectedError([Problem(
                source,
                f"unknown text encoding: not UTF-8 (byte {data[utf8_error.start]:#04x} at offset "
                f"{utf8_error.start}) and not GB18030/GBK (offset {gb_error.start}); save the file as "
                "UTF-8 or GB18030, or as XLSX")], kind="roster") from None


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _locate_header(rows: Iterable[tuple[int, list[str]]], *, source: str, encoding: str,
                   scan: int = 10) -> Table:
    """Find the header among the first ``scan`` rows (registry exports put a title above it)."""
    it = iter(rows)
    seen: list[tuple[int, list[str]]] = []
    for number, cells in it:
        seen.append((number, cells))
        fields: dict[str, int] = {}
        units: dict[str, str] = {}
        duplicates: list[str] = []
        for i, cell in enumerate(cells):
            name, unit = header_field(cell)
            if name is None:
                continue
            if name in fields:
                duplicates.append(f"{cells[fields[name]]!r} and {cell!r} both mean {name}")
                continue
            fields[name] = i
            if unit:
                units[name] = unit
        if ("name" in fields and len(fields) >= 2) or (set(fields) == {"name"} and len(cells) == 1):
            if duplicates:
                raise DataRejectedError([Problem(source, f"header: {d}", line=number) for d in duplicates],
                                        kind="roster")
            ignored = [c for i, c in enumerate(cells) if c and i not in fields.values()]
            body = [(n, c) for n, c in it if any(x.strip() for x in c)]
            return Table(number, fields, units, cells, body, ignored, encoding)
        if len(seen) >= scan:
            break
    first = seen[0][1] if seen else []
    shown = ", ".join(repr(c) for c in first[:8] if c)
    raise DataRejectedError([Problem(
        source,
        "no roster header found in the first rows: a header needs an enterprise-name column "
        f"(企业名称 / enterprise name) and one more known column; the first row reads {shown or 'nothing'}"
        + (" (this text was read as GB18030: if it is in another encoding, save it as UTF-8)"
           if encoding == "gb18030" else ""))], kind="roster")


def read_table(data: bytes, *, filename: str) -> Table:
    """Read a CSV/TSV text or an XLSX workbook into a :class:`Table` (by the file name's suffix).

    Raises:
        DataRejectedError: unreadable bytes, an unknown encoding or no recognisable header.

    >>> t = read_table("导出数据\\n企业名称,所属区县,备注\\n重庆甲公司,黔江区,-\\n".encode("gbk"), filename="a.csv")
    >>> t.header_row, t.fields, t.rows, t.ignored, t.encoding
    (2, {'name': 0, 'district': 1}, [(3, ['重庆甲公司', '黔江区', '-'])], ['备注'], 'gb18030')
    """
    suffix = PurePath(filename).suffix.lower()
    if suffix in (".xlsx", ".xlsm") or data[:4] == b"PK\x03\x04":
        return _read_xlsx(data, source=filename)
    text, encoding = decode_text(data, source=filename)
    delimiter = _delimiter(text, default="\t" if suffix == ".tsv" else ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return _locate_header(((reader.line_num, [c.strip() for c in row]) for row in reader),
                          source=filename, encoding=encoding)


def _delimiter(text: str, *, default: str) -> str:
    """The separator under which the first lines show the most known header names.

    >>> _delimiter("企业名称;所属区县\\n重庆甲公司;黔江区\\n", default=",")
    ';'
    """
    head = text.splitlines()[:10]
    best, best_score = default, 0
    for delimiter in dict.fromkeys([default, ",", "\t", ";", "|"]):
        score = max((sum(1 for cell in row if header_field(cell)[0]) for row in csv.reader(head, delimiter=delimiter)),
                    default=0)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _read_xlsx(data: bytes, *, source: str) -> Table:
    from zipfile import BadZipFile

    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (BadZipFile, OSError, KeyError, ValueError) as err:
        raise DataRejectedError([Problem(source, f"not a readable XLSX workbook: {err}")], kind="roster") from None
    try:
        problems: list[Problem] = []
        for sheet in book.worksheets:
            rows = ((i, [_cell_text(v) for v in row])
                    for i, row in enumerate(sheet.iter_rows(values_only=True), start=1))
            try:
                return _locate_header(rows, source=f"{source}[{sheet.title}]", encoding="xlsx")
            except DataRejectedError as err:
                problems.extend(err.problems)
        raise DataRejectedError(problems or [Problem(source, "the workbook has no sheet")], kind="roster")
    finally:
        book.close()
