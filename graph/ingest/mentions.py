"""Mentions: names of organisations, zones, districts, industries, policies and people found in an
article's view, and their links to resources the graph already knows (the API's name resolution)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from rdflib import Literal

from graph.index import names as names_mod
from graph.index.keys import normalise, stem
from graph.ingest.model import CKG, RDFS, SKOS, Resource
from graph.store.embedded import KGStore

H = "\u4e00-\u9fff"  # Chinese characters (the view is simplified and half-width)
#: Words after which a name starts (verbs, prepositions, pronouns, role nouns before a name).
BOUNDARY_WORDS = sorted(
    {
        "以下简称",
        "简称",
        "下称",
        "记者走进",
        "走进",
        "来到",
        "位于",
        "落户",
        "引进",
        "引导",
        "鼓励",
        "指导",
        "帮助",
        "协助",
        "支持",
        "推动",
        "据悉",
        "据了解",
        "如",
        "据",
        "是",
        "在",
        "的",
        "了",
        "与",
        "和",
        "同",
        "等",
        "由",
        "被",
        "把",
        "将",
        "对",
        "向",
        "从",
        "让",
        "给",
        "以",
        "于",
        "至",
        "到",
        "其中",
        "包括",
        "其",
        "该",
        "这",
        "我们",
        "企业",
        "还有",
        "近日",
        "目前",
        "联合",
        "携手",
        "共同",
        "入驻",
        "签约",
        "实现",
        "组织",
        "成为",
        "属于",
        "作为",
        "通过",
        "获得",
        "依托",
        "围绕",
        "打造",
        "再到",
        "以及",
        "发挥",
        "全力",
        "加快",
        "推进",
        "聚焦",
        "即",
        "为",
        "就",
        "均",
        "也",
        "都",
        "并",
        "世界500强",
        "强",
        "又",
        "还",
        "已",
        "正",
        "有",
        "更",
        "使",
        "令",
        "及",
        "加速",
        "预计",
        "去年底",
        "年底",
        "底前",
        "已将",
        "今年",
        "去年",
        "明年",
        "上半年",
        "下半年",
        "全年",
    },
    key=len,
    reverse=True,
)
#: Single characters that end the words before a name wherever they stand.
STRONG = set("的了在是与被把对让给由将如")
COMPANY_SUFFIXES = (
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "集团股份有限公司",
    "有限公司",
    "集团公司",
    "集团",
    "公司",
)
ZONE_SUFFIXES = (
    "高新技术产业开发区",
    "经济技术开发区",
    "高新区",
    "经开区",
    "开发区",
    "工业园区",
    "产业园区",
    "产业园",
    "工业园",
    "园区",
    "组团",
    "新区",
    "经济走廊",
)
#: Words that make a name generic, not a proper name.
GENERIC = {
    "国家",
    "国家级",
    "市级",
    "省级",
    "区级",
    "全国",
    "全市",
    "全区",
    "首个",
    "首批",
    "智慧",
    "特色",
    "工业",
    "产业",
    "科技",
    "高新",
    "拓展",
    "平台",
    "子",
    "分",
    "母",
    "上市",
    "国有",
    "民营",
    "重点",
    "链主",
    "龙头",
    "该",
    "本",
    "各",
    "一批",
    "这",
    "新",
    "管理",
    "服务",
    "投资",
    "建设",
    "城投",
    "集团",
    "公司",
    "企业",
    "相关",
    "其他",
    "创建",
    "发展",
    "现代",
    "传统",
    "新兴",
    "优势",
    "主导",
    "核心",
    "支柱",
    "示范",
    "承载",
    "一个",
    "两个",
}
SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜"
    "崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛"
    "樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁"
    "冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米"
    "柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝洪罗"
)


@dataclass
class Mention:
    """A name in the view: ``[start, end)``, its kind and the resource it stands for."""

    start: int
    end: int
    text: str
    kind: str  # enterprise, zone, district, industry, policy, person, alliance, org
    resource: Resource | None = None
    full: str = ""  # the full form (legal name, zone's full name) when the text is a short one
    short: str = ""
    confidence: float = 0.8
    extra: dict[str, Any] = field(default_factory=dict)


def left_trim(view: str, start: int, end: int, *, min_core: int = 2, suffix_len: int = 0) -> int:
    """Move ``start`` right past the last boundary word inside ``view[start:end]``, keeping at least
    ``min_core`` characters before the suffix.

    >>> v = "记者走进重庆科瑞南海制药有限公司"
    >>> v[left_trim(v, 0, len(v), suffix_len=4):]
    '重庆科瑞南海制药有限公司'
    """
    limit = end - suffix_len - min_core
    best = start
    lead = re.match(r"[0-9.]+[年月日个家项名位]?", view[start:end])
    if lead and start + lead.end() <= limit:
        best = start = start + lead.end()
    for i in range(start, limit + 1):
        for w in BOUNDARY_WORDS:
            if view.startswith(w, i) and i + len(w) <= limit:
                if len(w) == 1 and w not in STRONG and i > start:
                    continue  # single characters common inside names (向往, 数据, 华为) only cut at the run's start
                best = max(best, i + len(w))
                break
    return best


def _run_start(view: str, end: int, *, max_len: int = 30) -> int:
    """Start of the run of name characters (Chinese, Latin, digits, brackets) ending at ``end``."""
    i = end
    while i > 0 and end - i < max_len and re.match(rf"[{H}A-Za-z0-9()·]", view[i - 1]):
        i -= 1
    return i


_REGION_PREFIX = re.compile(rf"^(?:重庆市|重庆|[{H}]{{2,3}}省|[{H}]{{2,3}}市|[{H}]{{2}}[区县](?!域))")


def short_name(full: str, region_names: set[str] = frozenset()) -> str:  # type: ignore[assignment]
    """A firm's short name: region prefixes and the legal form dropped.

    >>> short_name("重庆市黔江区花神丝绸公司"), short_name("华芯智造微电子(重庆)股份有限公司")
    ('花神丝绸', '华芯智造微电子')
    """
    name = re.sub(r"\((?:重庆|中国|[^()]{2,3}[省市])\)", "", full)
    for _ in range(3):
        for r in sorted(region_names, key=len, reverse=True):
            if name.startswith(r) and len(name) > len(r) + 3:
                name = name[len(r) :]
                break
        else:
            m = _REGION_PREFIX.match(name)
            if m and len(name) > m.end() + 3:
                name = name[m.end() :]
                continue
            break
    for s in COMPANY_SUFFIXES:
        if name.endswith(s) and len(name) > len(s) + 1:
            return name[: -len(s)]
    return name


class Linker:
    """Links names to resources the graph knows: the API's name index for regions, enterprises and
    industries (full, short and alias names), labels and titles for the other kinds."""

    def __init__(self, store: KGStore) -> None:
        self.store = store
        self.index = names_mod.index_for(store)
        self._types: dict[str, set[str]] = {}
        self._labels: dict[str, str] = {}

    def types(self, iri: str) -> set[str]:
        if iri not in self._types:
            rows = self.store.select("SELECT ?t WHERE { ?s a ?t }", bindings={"s": _uri(iri)})
            self._types[iri] = {str(r["t"]).rsplit("#", 1)[-1].rsplit("/", 1)[-1] for r in rows}
        return self._types[iri]

    def label(self, iri: str) -> str:
        if iri not in self._labels:
            rows = self.store.select(
                "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
                "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
                "PREFIX ckg: <https://w3id.org/chainkg/ontology#> "
                "SELECT ?l ?how WHERE { { ?s rdfs:label ?l BIND(0 AS ?how) } "
                "UNION { ?s ckg:shortName ?l BIND(1 AS ?how) }"
                " UNION { ?s skos:altLabel ?l BIND(2 AS ?how) } FILTER(LANG(?l) = 'zh') }",
                bindings={"s": _uri(iri)},
            )
            best = sorted(rows, key=lambda r: (r["how"], len(str(r["l"])), str(r["l"])))
            self._labels[iri] = str(best[0]["l"]) if best else iri.rsplit("/", 1)[-1]
        return self._labels[iri]

    def resource(self, iri: str) -> Resource:
        types = self.types(iri)
        cls = next(
            (
                t
                for t in (
                    "HighTechZone",
                    "IndustrialPark",
                    "SubPark",
                    "District",
                    "Municipality",
                    "Enterprise",
                    "ChainProgramme",
                    "IndustryCluster",
                    "EconomicCorridor",
                    "Zone",
                )
                if t in types
            ),
            next(iter(sorted(types)), "Thing"),
        )
        return Resource(iri, self.label(iri), cls)

    def find(self, name: str, kinds: tuple[str, ...], *, loose: bool = False) -> Resource | None:
        """The one resource ``name`` names, by full, short or alias name (stem and, when ``loose``,
        prefix or substring of a name too); None when none or several."""
        if len(normalise(name)) < 2:
            return None
        found = self.index.matches(name, kinds=kinds, limit=3)
        ok = ("iri", "slug", "exact", "stem") + (("prefix", "substring") if loose else ())
        if found.total == 1 and found.tier in ok:
            return self.resource(found.candidates[0].iri)
        return None

    def region(self, name: str, *, zone: bool | None = None) -> Resource | None:
        """A region by name; a bare place name (黔江) prefers the district or county, a zone's name
        (…高新区) only matches zones."""
        found = self.index.matches(name, kinds=("region",), limit=10)
        if found.tier not in ("iri", "slug", "exact", "stem") or not found.total:
            return None
        zone_classes = {"Zone", "HighTechZone", "IndustrialPark", "SubPark", "EconomicCorridor"}
        if zone is None:
            zone = bool(re.search(r"(高新区|开发区|园区|产业园|工业园|园|组团|新区)$", name))
        if zone and found.tier == "stem":
            zones = [c for c in found.candidates if zone_classes & self.types(c.iri)]
            return self.resource(zones[0].iri) if len(zones) == 1 else None
        if found.total == 1:
            return self.resource(found.candidates[0].iri)
        if found.tier == "stem":
            districts = [c for c in found.candidates if {"District", "Municipality"} & self.types(c.iri)]
            if len(districts) == 1:
                return self.resource(districts[0].iri)
        return None

    def by_label(self, labels: list[str], classes: tuple[str, ...]) -> Resource | None:
        """A resource of one of ``classes`` whose label, alias or title is one of ``labels``."""
        values = [Literal(x, lang="zh") for x in labels] + [Literal(x) for x in labels]
        rows = self.store.select(
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
            "PREFIX dct: <http://purl.org/dc/terms/> "
            "SELECT DISTINCT ?s ?t WHERE { ?s rdfs:label|skos:altLabel|dct:title ?n . ?s a ?t }",
            bindings={"n": values},
        )
        hits = {str(r["s"]) for r in rows if str(r["t"]).rsplit("#", 1)[-1] in classes}
        return self.resource(next(iter(hits))) if len(hits) == 1 else None

    @cached_property
    def chain_templates(self) -> list[tuple[str, list[str]]]:
        rows = self.store.select(
            "PREFIX ckg: <https://w3id.org/chainkg/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
            "SELECT ?c ?l WHERE { ?c a ckg:ChainTemplate ; rdfs:label ?l FILTER(LANG(?l) = 'zh') }"
        )
        out = []
        for r in rows:
            label = str(r["l"])
            parts = [p for p in re.split(r"[()()及、与和]", label) if len(p) >= 2]
            out.append((str(r["c"]), [normalise(label), *(normalise(p) for p in parts)]))
        return out

    def chain_template(self, item: str) -> str | None:
        """The chain template an industry name stands for, when exactly one fits."""
        key = normalise(re.sub(r"(产业链|产业集群|产业|加工业|工业)$", "", item))
        if len(key) < 2:
            return None
        hits = {c for c, keys in self.chain_templates if key in keys or any(k.startswith(key) for k in keys[:1])}
        return next(iter(hits)) if len(hits) == 1 else None

    def industries_in(self, regions: list[str]) -> list[tuple[str, str, set[str]]]:
        """Regional industries of ``regions``: (iri, class, normalised names)."""
        if not regions:
            return []
        rows = self.store.select(
            "PREFIX ckg: <https://w3id.org/chainkg/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
            "SELECT ?i ?n WHERE { VALUES ?c { ckg:RegionalIndustry ckg:IndustryCluster ckg:ChainProgramme } "
            "?i ckg:region ?r ; a ?c ; rdfs:label|skos:altLabel ?n }",
            bindings={"r": [_uri(r) for r in regions]},
        )
        found: dict[str, set[str]] = {}
        for row in rows:
            found.setdefault(str(row["i"]), set()).add(normalise(str(row["n"])))
        return [(i, "", n) for i, n in found.items()]


def _uri(value: str) -> Any:
    from rdflib import URIRef

    return URIRef(value)


__all__ = [
    "CKG",
    "COMPANY_SUFFIXES",
    "GENERIC",
    "RDFS",
    "SKOS",
    "SURNAMES",
    "ZONE_SUFFIXES",
    "Linker",
    "Mention",
    "left_trim",
    "short_name",
    "stem",
]
