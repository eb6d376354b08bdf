"""Figures: numbers with units in a sentence, read as observations (subject, indicator, value, unit,
period, actual/target/estimate), the indicator and unit taken from the graph's own vocabulary."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from graph.index.keys import normalise
from graph.ingest.mentions import H
from graph.ingest.model import Resource, slugify
from graph.store.embedded import KGStore

if TYPE_CHECKING:
    from graph.ingest.rules import Rules

ID = "https://w3id.org/chainkg/id/indicator/"
#: Written unit → unit slug in the curated vocabulary (``indicator:unit-…``) and a multiplier note.
UNITS = {
    "亿元": "unit-100m-yuan",
    "万元": "unit-10k-yuan",
    "家": "unit-firms",
    "%": "unit-percent",
    "个": "unit-items",
    "项": "unit-items",
    "件": "unit-items",
    "条": "unit-items",
    "万吨": "unit-10k-tonnes",
    "万度": "unit-10k-kwh",
    "平方公里": "unit-km2",
    "公里": "unit-km",
    "亩": "unit-mu",
    "名": "unit-persons",
    "人": "unit-persons",
    "位": "unit-persons",
    "人次": "unit-person-times",
    "万平方米": "unit-10k-m2",
    "万人": "unit-10k-persons",
    "颗": "unit-items",
}
_NUM = (
    r"(?P<q1>近|超过|超|约|达|逾)?(?P<v>\d+(?:\.\d+)?)(?:\s*(?:亿|万)?(?:元)?\s*[~～\-—至]\s*(?P<max>\d+(?:\.\d+)?))?"
    r"(?P<q3>余|多)?\s*(?P<u>万平方米|平方公里|万亿元|亿元|万元|万吨|万度|万人|人次|公里|家|个|项|件|条|亩|名|人|位|颗|%)"
    r"(?P<q2>以上|余|多|左右)?"
)
#: Keywords (as written) → indicator slug, beyond the indicator labels the graph holds.
SYNONYMS = {
    "工业产值": "industrial-output",
    "工业总产值": "industrial-output",
    "实现产值": "industry-output",
    "产值": "industry-output",
    "科技型企业": "tech-smes",
    "高新技术企业": "hitech-enterprises",
    "高企": "hitech-enterprises",
    "入住工贸企业": "resident-enterprises",
    "入驻企业": "resident-enterprises",
    "工贸企业": "resident-enterprises",
    "研发投入强度": "rd-intensity",
    "研发投入占比": "rd-intensity",
    "研发投入": "rd-intensity",
    "合同额": "contract-value",
    "签约": "contract-value",
    "合同签约": "contract-value",
    "签约投资": "contract-value",
    "到位资金": "funds-in-place",
    "利润": "annual-profit",
    "税收": "annual-tax",
    "产能": "production-capacity",
    "建成区面积": "built-up-area",
    "发明专利": "invention-patents",
    "专业研发机构": "rd-institutions",
    "科技服务机构": "sci-tech-service-institutions",
    "高新技术产品": "hitech-products",
    "新开工": "projects-started",
    "开工建设": "projects-started",
    "开工": "projects-started",
    "投产": "projects-commissioned",
    "在建": "projects-under-construction",
    "储备": "projects-in-reserve",
    "落地": "landed-projects",
    "新签约": "new-contracted-projects",
    "规上工业": "above-scale-industrial-output",
    "授信": "bank-credit-lines",
    "累计投入研发费用": "rd-spending-cumulative",
    "研发费用": "rd-spending-cumulative",
    "孵化器": "incubators",
    "院士专家工作站": "academician-workstations",
    "科技研发平台": "rd-platforms",
    "数字化车间": "digital-workshops",
    "累计实现工业产值": "industrial-output-cumulative",
    "入孵企业": "incubated-firms",
    "外贸进出口": "foreign-trade",
    "货运总量": "freight-volume",
    "企业入驻": "resident-enterprises",
    "年产能": "production-capacity",
    "年利润": "annual-profit",
}
_TARGET = re.compile(r"力争|目标|计划|到20\d\d年|争取|将达|将提升|将实现|届时|拟|预期|拓展至")
_ESTIMATE = re.compile(r"预计|可处理|可实现|可产生|每年可|建成投用后")
_SKIP_BEFORE = re.compile(r"(增长|同比|增速|下降|占[^,。]{0,12}的|提高|提升|比重|占比)$")


@lru_cache(maxsize=8)
def _lexicon_cached(store_id: int, version: int, rows: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    lex: dict[str, str] = {}
    for slug_, full in rows:
        for label in full.split("/"):
            for key in {label, re.sub(r"(数|人数|数量)$", "", label)}:
                k = normalise(key)
                if len(k) >= 3:
                    lex.setdefault(k, slug_)
            measure = re.sub(r"(面积|里程|人次|总量|金额)$", "", label)  # 平场面积 → 平场
            if measure != label and len(measure) >= 2:
                lex.setdefault(normalise(measure), slug_)
    for k, s in SYNONYMS.items():
        lex.setdefault(normalise(k), s)
    return sorted(lex.items(), key=lambda kv: -len(kv[0]))


def lexicon(store: KGStore) -> list[tuple[str, str]]:
    """Indicator keywords (longest first) → indicator slug, from the graph's indicators and synonyms."""
    rows = store.select(
        "PREFIX ckg: <https://w3id.org/chainkg/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        "SELECT ?i ?l WHERE { ?i a ckg:Indicator ; rdfs:label ?l FILTER(LANG(?l) = 'zh') }"
    )
    pairs = tuple(sorted((str(r["i"]).removeprefix(ID), str(r["l"])) for r in rows))
    return _lexicon_cached(id(store), store.version, pairs)


def usual_units(store: KGStore) -> dict[str, list[tuple[str, str]]]:
    """Indicator slug → the units (slug, zh label) its figures use in the graph, most used first."""
    rows = store.select(
        "PREFIX ckg: <https://w3id.org/chainkg/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        "SELECT ?i ?u ?l (COUNT(?o) AS ?n) WHERE { ?o ckg:indicator ?i ; ckg:unit ?u . "
        "?u rdfs:label ?l FILTER(LANG(?l) = 'zh') } GROUP BY ?i ?u ?l ORDER BY DESC(?n)"
    )
    out: dict[str, list[tuple[str, str]]] = {}
    for r in rows:
        out.setdefault(str(r["i"]).removeprefix(ID), []).append((str(r["u"]).removeprefix(ID), str(r["l"])))
    return out


def _unit(written: str, indicator: str, before: str, usual: dict[str, list[tuple[str, str]]]) -> str:
    """The unit slug of a written unit for an indicator: the one the graph's figures of that indicator
    use when it is written the same way (个 → 个(平台) for platforms), else the plain one."""
    for slug_, label in usual.get(indicator, []):
        if label.startswith(written) or written in label.split("/"):
            return slug_
    if written in ("个", "项") and "项目" in before:
        return "unit-projects"
    if written in ("个", "家"):
        for pattern, unit in (
            (r"孵化器|工作站|平台|实验室|研发中心", "unit-platforms"),
            (r"车间|工厂", "unit-workshops"),
            (r"部门", "unit-departments"),
            (r"银行", "unit-banks"),
        ):
            if re.search(pattern, before[-16:]):
                return unit
    if written == "万吨" and re.search(r"年产|产能|每年|/年", before):
        return "unit-10k-tonnes-per-year"
    return UNITS.get(written, "unit-items")


_DISTRIBUTED = re.compile(
    rf"((?:[{H}]{{2,8}}、)+[{H}]{{2,8}})(?:等)?(?:[一二两三四五六七八九十]大(?:产业|产业集群)?)?分别"
)


def _fits(unit: str, key: str) -> bool:
    """Whether a written unit can measure what the indicator word names (no 亿元 of a 集中度)."""
    if unit in ("亿元", "万元", "万亿元") and re.search(r"度|率|数$|企业|项目|机构|平台", key):
        return False
    return not (
        unit in ("家", "个", "项", "件", "名", "人")
        and re.search(r"值|额|资金|投入|收入|利润|税|补贴|融资|授信|度|率", key)
    )


def _subsequence_end(text: str, key: str, *, max_gap: int = 4) -> int:
    """End of the last place where ``key``'s characters stand in order in ``text`` with at most
    ``max_gap`` other characters between them in all (兑现企业补贴 holds 兑现补贴), else -1."""
    best = -1
    for start in [i for i, ch in enumerate(text) if ch == key[0]]:
        j, gaps, ok = start + 1, 0, True
        for ch in key[1:]:
            k = text.find(ch, j)
            if k < 0 or gaps + (k - j) > max_gap:
                ok = False
                break
            gaps += k - j
            j = k + 1
        if ok:
            best = max(best, j)
    return best


def _period(text: str, doc_date: str | None) -> dict[str, Any]:
    """The period a clause gives a figure: a year (到2025年, 2022年), a half year, or 目前 (as of the article)."""
    m = re.search(r"(?:到|至|力争|在)?(20\d\d)年(上半年|下半年|全年|底|前)?", text)
    if m:
        year = m.group(1)
        label = m.group(0).lstrip("在力争")
        out = {"period": label, "periodEnd": f"{year}-12-31"}
        if m.group(2) == "上半年":
            out.update(periodStart=f"{year}-01-01", periodEnd=f"{year}-06-30")
        elif not m.group(2) and not label.startswith(("到", "至")):
            out["periodStart"] = f"{year}-01-01"
        return out
    m = re.search(r"截至目前|目前|现有|近五年来?|近年来|今年上半年|上半年|全年|去年|今年|每年|累计", text)
    if m:
        out = {"period": m.group(0)}
        if m.group(0) in ("截至目前", "目前", "现有") and doc_date:
            out["periodEnd"] = doc_date
        return out
    return {"period": None}


def find_figures(rules: Rules) -> list[dict[str, Any]]:
    """Every figure the article states about a zone, district, firm, industry or project."""
    v = rules.v
    lex = lexicon(rules.store)
    known_ind = {slug for _, slug in lex}
    usual = usual_units(rules.store)
    figures: list[dict[str, Any]] = []
    distributed: dict[int, Resource] = {}  # number position → the enumerated industry it belongs to
    regions_of: dict[int, Resource] = {}
    for dm in _DISTRIBUTED.finditer(v):
        items = [x for x in dm.group(1).split("、") if x]
        region = rules.region_at(dm.start())
        if region is None or len(items) < 2:
            continue
        _, se = rules.sentence(dm.end())
        found = list(re.finditer(_NUM, v[dm.end() : se]))
        numbers = [n for n in found if found and n.group("u") == found[0].group("u")][: len(items)]
        units = {n.group("u") for n in numbers}
        if len(numbers) == len(items) and len(units) == 1 and "%" not in units:
            for item, n in zip(items, numbers, strict=True):
                distributed[dm.end() + n.start()] = rules.industry(item, region, chain=False)
                regions_of[dm.end() + n.start()] = region
    for m in re.finditer(_NUM, v):
        if rules.overlaps_used(m.start(), m.end()):
            continue
        s, _e = rules.bounds(m.start())
        ss, _ = rules.sentence(m.start())
        before = v[s : m.start()]
        if _SKIP_BEFORE.search(before) or re.match(r"[年月日号级届倍]", v[m.end() : m.end() + 1]):
            continue
        if m.group("u") == "%" and not re.search(r"强度|占比|集中度|率|研发投入", before):
            continue
        # the indicator: the longest keyword in the clause before the number
        nb = normalise(before)
        listed = nb.endswith("等")  # 高端研发平台、博士后科研工作站…等20多个
        best: tuple[int, int, str, str] | None = None
        for key, slug_ in lex:
            i = nb.rfind(key)
            end_ = i + len(key) if i >= 0 else _subsequence_end(nb, key) if len(key) >= 4 else -1
            if end_ < 0:
                continue
            gap = nb[end_:]
            values_only = bool(
                re.fullmatch(r"(?:[0-9.~～\-]+[余多]?[亿万]?[^、,]{0,4}、)+", gap)
            )  # 产值120亿元、100亿元、
            if (
                values_only or (len(gap) <= (40 if listed else 12) and (listed or not re.search(r"[、\"'()]", gap)))
            ) and (best is None or (end_, len(key)) > best[:2]):
                best = (end_, len(key), slug_, key)
        ind_slug, ind_label = (best[2], best[3]) if best else (None, "")
        if ind_slug is None:  # 吸引180余家企业入驻, 3家市级科技企业孵化器: the indicator after the number
            after = normalise(v[m.end() : m.end() + 16])
            hit = next(((k, sl) for k, sl in lex if 0 <= after.find(k) <= 3 and len(k) >= 3), None)
            if hit:
                ind_slug, ind_label = hit[1], hit[0]
        if m.start() in distributed and ind_slug is None:
            ind_slug, ind_label = ("industry-output", "产值") if "产值" in v[ss : m.start()] else (None, "")
        if ind_slug is None or ind_slug not in known_ind:
            continue
        if not _fits(m.group("u"), ind_label):
            continue
        unit = m.group("u")
        value = float(m.group("v"))
        if unit == "万亿元":
            unit, value = "亿元", value * 10000
        unit_slug = _unit(unit, ind_slug, before + v[m.end() : m.end() + 3] + ind_label, usual)
        # subject: the last zone, district, firm or project named in the sentence before the number
        subj = [
            x
            for x in rules.mentions
            if x.kind in ("zone", "district", "enterprise") and x.resource and ss <= x.start < m.start()
            # A车间、B车间等6个车间: a count after 等 is not the listed firm's
            and not (x.kind == "enterprise" and "等" in v[x.end : m.start()])
        ]
        subject: Resource | None = max(subj, key=lambda x: x.start).resource if subj else None
        if subject is None and re.search(r"该企业|该公司|该项目|届时|其|企业|公司", v[ss : m.start()]):
            prev = [
                x
                for x in rules.mentions
                if x.kind in ("zone", "enterprise") and x.resource and ss - 150 <= x.start < ss
            ]
            if prev:
                subject = max(prev, key=lambda x: x.start).resource
        if re.search(r"全区|全县|全市", v[ss : m.start()][-40:]) and rules.focus_district is not None:
            subject = rules.focus_district
        if m.start() in distributed:
            subject = distributed[m.start()]
            ind_slug = "industry-output" if "产值" in before else ind_slug
        if subject is None:
            subject = rules.focus_region
        if subject is None:
            continue
        clause_text = v[ss : m.end()]
        kind = "Actual"
        if _ESTIMATE.search(clause_text):
            kind = "Estimate"
        else:
            ctx = v[max(0, m.start() - 150) : m.start()]
            ctx = ctx[ctx.rfind("。") + 1 :]
            if _TARGET.search(ctx) and not re.search(r"已|实现了|完成了|达到了", v[s : m.start()]):
                kind = "Target"
        period = _period(v[s : m.start()], rules.a.meta.date)
        if period["period"] is None:
            period = _period(v[ss : m.start()], rules.a.meta.date)
        if kind == "Actual" and (period["period"] or "").startswith(("到", "至")):
            kind = "Target"
        growth = None
        gm = re.match(r"[,、]?\s*同比(?:增长|增加)\s*(\d+(?:\.\d+)?)%", v[m.end() : m.end() + 16])
        if gm:
            growth = float(gm.group(1))
        qual = m.group("q1") or m.group("q3") or m.group("q2")
        if qual in ("达",):
            qual = None
        conflict = _conflict(rules.store, subject.iri, ID + ind_slug, value, period.get("period"), kind)
        if conflict == "known":
            continue
        figures.append(
            {
                "subject": subject,
                "indicator": ID + ind_slug,
                "indicator_slug": ind_slug,
                "indicator_label": ind_label,
                "value": value,
                "max": float(m.group("max")) if m.group("max") else None,
                "unit": ID + unit_slug,
                "kind": kind,
                "qualifier": qual,
                "growth": growth,
                "text": m.group(0),
                "span": (m.start(), m.end()),
                "quote_span": (max(s, m.start() - 30), m.end()),
                "rule": "figure-with-indicator",
                "confidence": 0.7 if subj else 0.55,
                "conflict": conflict,
                "region": regions_of.get(m.start()),
                **period,
            }
        )
    return figures


def _conflict(store: KGStore, subject: str, indicator: str, value: float, period: str | None, kind: str) -> str | None:
    """``known`` when the graph has this figure, a description of the other value when it has a
    different one for the same subject, indicator, period and kind, else None."""
    from rdflib import Literal, URIRef

    rows = store.select(
        "PREFIX ckg: <https://w3id.org/chainkg/ontology#> "
        "SELECT ?o ?v ?p ?k WHERE { ?o ckg:subject ?s ; ckg:indicator ?i ; ckg:value ?v ; ckg:figureKind ?k . "
        "OPTIONAL { ?o ckg:periodLabel ?p } }",
        bindings={"s": URIRef(subject), "i": URIRef(indicator)},
    )
    for r in rows:
        same_kind = str(r["k"]).endswith("#" + kind)
        if abs(float(r["v"]) - value) < 1e-9 and same_kind:
            return "known"
    for r in rows:
        if str(r["k"]).endswith("#" + kind) and period and str(r.get("p", "")) == period:
            return f"the graph has {r['v']} for this indicator and period ({r['o']})"
    del Literal
    return None


__all__ = ["find_figures", "lexicon", "slugify"]
