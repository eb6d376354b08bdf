"""Reading an article: bytes → text (plain or HTML), its metadata, and a simplified view with an offset map.

Matching runs on :attr:`Article.view`: the text converted to simplified Chinese (OpenCC ``t2s``),
folded to half-width (NFKC, one character for one), with spaces between Chinese characters dropped
(line breaks inside words in copied newspaper text). :meth:`Article.quote` maps a span of the view
back to the article's own characters, so every evidence quote is verbatim.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from graph.errors import DataRejectedError, Problem

#: Largest article accepted (bytes). News articles are tens of kilobytes.
MAX_BYTES = 2_000_000
#: Longest evidence quote (characters of the article).
MAX_QUOTE = 50
#: Encodings an article may be in (besides UTF-8 and UTF-16 with a byte-order mark).
ENCODINGS = ("utf-8", "gb18030", "big5hkscs")
NOT_STATED = "not stated"

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"


def reject(source: str, message: str) -> DataRejectedError:
    """The error for an article that cannot be read (nothing is proposed or written)."""
    return DataRejectedError([Problem(source, message)], kind="article")


def decode(data: bytes, *, source: str = "<article>", encoding: str | None = None) -> str:
    """Decode an article's bytes: the given encoding, else UTF-8/UTF-16 (by byte-order mark),
    GB18030 or Big5-HKSCS, whichever decodes it whole into text with Chinese in it.

    Raises:
        DataRejectedError: empty, too large, binary, or in no known encoding (kind ``article``).

    >>> decode("黔江高新区".encode("gb18030"))
    '黔江高新区'
    """
    if not data.strip():
        raise reject(source, "the article is empty")
    if len(data) > MAX_BYTES:
        raise reject(source, f"the article is {len(data):,} bytes; the limit is {MAX_BYTES:,}")
    if encoding:
        try:
            return _checked(data.decode(encoding), source)
        except (LookupError, UnicodeDecodeError) as err:
            raise reject(source, f"cannot decode as {encoding}: {err}") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _checked(data.decode("utf-16"), source)
    if b"\x00" in data[:4096]:
        raise reject(source, "binary data (NUL bytes), not a text or HTML article")
    try:
        return _checked(data.decode("utf-8").removeprefix("\ufeff"), source)
    except UnicodeDecodeError:
        pass
    # GB18030 decodes most Big5 bytes too (into rare characters): keep the reading whose
    # characters are the common ones of Chinese text.
    best: tuple[float, str] | None = None
    for enc in ENCODINGS[1:]:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _looks_chinese(text):
            score = _common_share(text)
            if score >= 0.15 and (best is None or score > best[0]):
                best = (score, text)
    if best is not None:
        return _checked(best[1], source)
    raise reject(
        source,
        "unknown text encoding: not UTF-8, UTF-16, GB18030 or Big5 (give --encoding, or save the article as UTF-8)",
    )


_COMMON = set(
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定"
    "行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些"
    "然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公"
    "无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将"
    "组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金"
    "增争济阶油思术极交受联认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八"
    "离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验"
    "连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯"
    "院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞企园链项目亿元"
)


def _common_share(text: str) -> float:
    chars = re.findall(f"[{_CJK}]", to_simplified(text[:5000]))
    return sum(ch in _COMMON for ch in chars) / len(chars) if chars else 0.0


def _looks_chinese(text: str) -> bool:
    """Most letters are CJK and few are controls or private-use: a legacy decode that makes sense."""
    sample = text[:20000]
    cjk = len(re.findall(f"[{_CJK}]", sample))
    odd = sum(1 for ch in sample if unicodedata.category(ch) in ("Cc", "Co", "Cn") and ch not in "\r\n\t")
    return cjk >= 2 and odd == 0 and cjk >= 0.2 * len(re.findall(r"\w", sample))


def _checked(text: str, source: str) -> str:
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\r\n\t\f\v")
    if controls > max(8, len(text) // 100):
        raise reject(source, "binary data (control characters), not a text or HTML article")
    return text


def looks_html(text: str) -> bool:
    """Whether ``text`` is an HTML page rather than plain text.

    >>> looks_html("<!doctype html><html><body><p>x</p></body></html>"), looks_html("黔江 <3")
    (True, False)
    """
    head = text.lstrip()[:2000].lower()
    return head.startswith(("<!doctype html", "<html")) or bool(re.search(r"<(body|p|div|article)[\s>]", head))


@dataclass
class Metadata:
    """What the article says about itself (``None``: not stated)."""

    title: str | None = None
    publisher: str | None = None
    date: str | None = None  # ISO date
    url: str | None = None


def html_to_text(html: str, *, source: str = "<article>") -> tuple[str, Metadata]:
    """The main text of an HTML page, navigation and boilerplate dropped (trafilatura), and the
    metadata the page declares.

    Raises:
        DataRejectedError: the page has no article text.
    """
    import trafilatura

    doc = trafilatura.bare_extraction(
        _without_chrome(html), with_metadata=True, include_comments=False, include_tables=True
    )
    text = (getattr(doc, "text", None) or "").strip() if doc is not None else ""
    if not re.search(f"[{_CJK}A-Za-z]", text):
        raise reject(source, "the HTML page has no article text")
    meta = Metadata(
        title=getattr(doc, "title", None) or None,
        publisher=getattr(doc, "sitename", None) or None,
        date=getattr(doc, "date", None) or None,
        url=getattr(doc, "url", None) or None,
    )
    return text, meta


_CHROME = re.compile(
    r"(^|[\s_-])(nav|navbar|menu|breadcrumbs?|footer|sidebar|header|topbar|share|copyright)($|[\s_-])", re.I
)


def _without_chrome(html: str) -> str:
    """The page without its navigation, header, footer and side bars (trafilatura keeps them on a
    short page, where its boilerplate statistics have too little to go on)."""
    import lxml.html

    try:
        root = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return html
    for el in list(root.iter("nav", "footer", "aside", "script", "style", "noscript", "form")):
        el.drop_tree()
    for el in list(root.iter()):
        if not isinstance(el.tag, str) or el.getparent() is None or el.tag in ("html", "body", "article", "main"):
            continue
        if any(a.tag in ("article", "main") for a in el.iterancestors()):
            continue  # an article's own header keeps its headline
        marks = f"{el.get('class', '')} {el.get('id', '')} {el.get('role', '')}"
        if el.tag == "header" or el.get("role") == "navigation" or _CHROME.search(marks):
            el.drop_tree()
    return lxml.html.tostring(root, encoding="unicode")


_DATE = re.compile(r"((?:19|20)\d{2})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})\s*日?")
_SOURCE_LINE = re.compile(r"(?:来源|來源|稿源|出处|出處|发布机构|發布機構)\s*[::]\s*([^\s|/,,。]{2,30})")
_DATE_LINE = re.compile(r"(?:时间|時間|日期|发布时间|發布時間|发布日期|發布日期|发表时间)\s*[::]\s*")


def text_metadata(text: str) -> Metadata:
    """Headline, publisher and date from the first lines of a plain-text article, where stated.

    >>> m = text_metadata("主页 > 正文\\n攀高逐新二十载_环球头条\\n时间 : 2023-05-04 10:17   来源 : 武陵都市报\\n正文")
    >>> m.title, m.publisher, m.date
    ('攀高逐新二十载', '武陵都市报', '2023-05-04')
    """
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    meta = Metadata()
    head = lines[:8]
    for ln in head:
        if meta.publisher is None and (m := _SOURCE_LINE.search(ln)):
            meta.publisher = m.group(1)
        if meta.date is None and (dm := _DATE_LINE.search(ln)) and (d := _DATE.search(ln, dm.end())):
            meta.date = f"{int(d.group(1)):04d}-{int(d.group(2)):02d}-{int(d.group(3)):02d}"
    for ln in head[:4]:
        if re.search(r"[。!?!?]$", ln) or len(ln) > 60:
            break  # the body has begun: a headline comes before it
        if _SOURCE_LINE.search(ln) or _DATE_LINE.search(ln) or ">" in ln:
            continue
        if len(ln) >= 4 and re.search(f"[{_CJK}]", ln):
            meta.title = re.sub(r"_[^_]{1,12}$", "", ln).strip()  # "headline_site section"
            break
    return meta


@lru_cache(maxsize=1)
def _t2s() -> object:
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Simplified Chinese of ``text`` (OpenCC ``t2s``), same length (per character where a phrase
    conversion would change the length).

    >>> to_simplified("黔江區產業鏈")
    '黔江区产业链'
    """
    conv = _t2s().convert  # type: ignore[attr-defined]
    out = conv(text)
    if len(out) == len(text):
        return str(out)
    parts = []
    for line in text.splitlines(keepends=True):
        c = conv(line)
        parts.append(c if len(c) == len(line) else "".join(ch2 if len(ch2 := conv(ch)) == 1 else ch for ch in line))
    return "".join(parts)


_FOLD = {
    "“": '"',
    "”": '"',
    "‘": "'",
    "’": "'",
    "〔": "(",
    "〕": ")",
    "【": "[",
    "】": "]",
    "—": "-",
    "「": '"',
    "」": '"',
    "『": '"',
    "』": '"',
}


def _fold(ch: str) -> str:
    if ch in _FOLD:
        return _FOLD[ch]
    n = unicodedata.normalize("NFKC", ch)
    return n if len(n) == 1 else ch


@dataclass
class Article:
    """An article's text as written, its matching view, and its metadata.

    >>> a = Article.from_text("重庆三磊玻纤 股份有限公司在黔江區。")
    >>> a.view
    '重庆三磊玻纤股份有限公司在黔江区。'
    >>> a.quote(0, 12)
    '重庆三磊玻纤 股份有限公司'
    """

    text: str
    view: str = ""
    offsets: list[int] = field(default_factory=list)  # view index → text index
    meta: Metadata = field(default_factory=Metadata)
    source: str = "<article>"

    @classmethod
    def from_text(cls, text: str, *, meta: Metadata | None = None, source: str = "<article>") -> Article:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        simple = to_simplified(text)
        view: list[str] = []
        offsets: list[int] = []
        n = len(simple)
        for i, ch in enumerate(simple):
            if ch in " \t\u3000\u00a0" and view:
                # a space between two Chinese characters (or CJK punctuation) is a line-break artefact
                nxt = next((simple[j] for j in range(i + 1, min(n, i + 4)) if simple[j] not in " \t\u3000\u00a0"), "")
                if _is_cjkish(view[-1]) and _is_cjkish(nxt):
                    continue
            view.append(_fold(ch))
            offsets.append(i)
        return cls(text=text, view="".join(view), offsets=offsets, meta=meta or Metadata(), source=source)

    @property
    def digest(self) -> str:
        """A short hash of the text (the document's identity)."""
        return hashlib.sha256(self.text.encode()).hexdigest()[:16]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The article's character span of the view span ``[start, end)``."""
        return self.offsets[start], self.offsets[end - 1] + 1

    def quote(self, start: int, end: int) -> str:
        """The article's own characters behind the view span ``[start, end)``."""
        a, b = self.span(start, end)
        return self.text[a:b]


def _is_cjkish(ch: str) -> bool:
    return bool(ch) and (bool(re.match(f"[{_CJK}]", ch)) or ch in "\"'()、,。:;!?%")


def read_article(
    data: bytes, *, source: str = "<article>", encoding: str | None = None, html: bool | None = None
) -> Article:
    """Decode and parse an article (plain text or HTML) into an :class:`Article`.

    Raises:
        DataRejectedError: empty, binary, too large, unknown encoding, or HTML without text.

    >>> read_article("时间:2023-05-04 来源:武陵都市报\\n黔江高新区入住工贸企业140余家。".encode()).meta.date
    '2023-05-04'
    """
    text = decode(data, source=source, encoding=encoding)
    meta = Metadata()
    if html or (html is None and looks_html(text)):
        text, meta = html_to_text(text, source=source)
    if not re.search(f"[{_CJK}]", text):
        raise reject(source, "no Chinese text in the article")
    found = text_metadata(text)
    meta = Metadata(
        title=found.title or meta.title,
        publisher=found.publisher or meta.publisher,
        date=found.date or meta.date,
        url=meta.url,
    )
    return Article.from_text(text, meta=meta, source=source)
