"""The rules that turn an article's sentences into candidate facts, each with its verbatim quote.

Each rule is general (patterns of Chinese news and government writing about parks, firms, chains
and policies), names itself on the candidates it proposes, and sets a confidence: higher where the
sentence states the fact in so many words, lower where it only juxtaposes the names.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pyoxigraph as ox

from graph.index.keys import normalise
from graph.ingest.mentions import (
    COMPANY_SUFFIXES,
    GENERIC,
    SURNAMES,
    ZONE_SUFFIXES,
    H,
    Linker,
    Mention,
    left_trim,
    short_name,
)
from graph.ingest.model import (
    DCT,
    ORG,
    RDFS,
    SKOS,
    Candidate,
    Resource,
    Triple,
    ckg,
    decimal,
    en,
    english,
    iri,
    new_iri,
    slugify,
    typed,
    zh,
)
from graph.ingest.reading import MAX_QUOTE, Article
from graph.store.embedded import KGStore

_CLAUSE_END = ",;。!?\n:"
_SENTENCE_END = ";。!?\n"
_ITEM = rf"[{H}A-Za-z0-9+·]{{2,14}}"
_ENUM = rf"{_ITEM}(?:、{_ITEM})+(?:(?:和|及|以及){_ITEM})?"
_CN_NUM = "一二两三四五六七八九十"
#: Verbs and generic words that never stand inside a proper name of a firm, zone or industry.
_VERBISH = re.compile(
    r"推进|推动|发展|打造|持续|不断|加快|实施|开展|服务|支持|帮助|引导|鼓励|培育|壮大|提升|促进|实现|"
    r"带动|组建|设立|创建|回溯|汇聚起|汇聚|统筹|围绕|依托|引领|构建|部署|转型|升级|聚力|做强|做大|建成|成功|"
    r"谋划|融合|工作|高质量|党建|全力|着力|优化|强化|完善|加强|深化|积极|大力|坚持|聚焦|一批|这些|成立|走进|来到|"
    r"获批|批复|设立|启动|形成|达到|迈向|建设|拥有|通过|汇聚起|建起|兴起"
)


def strip_verbs(name: str, suffix: str) -> str:
    """Drop the words before the last verb in a name's core (``成立正阳工业园区`` → ``正阳工业园区``)."""
    core = name[: len(name) - len(suffix)]
    last = None
    for m in _VERBISH.finditer(core):
        last = m
    if last is not None and len(core) - last.end() >= 2:
        return name[last.end() :]
    return name


_LEAD_VERB = re.compile(
    r"^.*(?:重点发展|集群发展|发展|打造|构建|培育|壮大|围绕|聚焦|形成了|形成|包括|涵盖|做强|做大|推进|"
    r"建设|依托|以|主导|聚力|构成|共同)"
)

#: Status words of a project, first match wins (in operation before building before planned).
PROJECT_STATUS = (
    ("InOperation", r"投产|投用|运行|并网发电|点火|开机|建成投用|竣工|取得了?良好成效"),
    ("UnderConstruction", r"开工|动工|在建|建设中|调试|推进|施工|安装|进展顺利|加快实施"),
    ("Planned", r"签约|计划|拟|规划|将于|储备|落地"),
)


class Rules:
    """Runs every rule over one article against one store (for linking) and collects candidates.

    >>> from graph.ingest.reading import Article
    >>> kg = KGStore()
    >>> c = Rules(Article.from_text("2022年,重庆三磊玻纤股份有限公司正式投产。"), kg, doc="urn:d").run()
    >>> sorted({x.kind for x in c})
    ['enterprise']
    """

    def __init__(self, article: Article, store: KGStore, *, doc: str) -> None:
        self.a = article
        self.v = article.view
        self.store = store
        self.doc = doc
        self.linker = Linker(store)
        self.mentions: list[Mention] = []
        self.out: dict[str, Candidate] = {}
        self.new: dict[str, Resource] = {}
        self.used: list[tuple[int, int]] = []  # spans claimed by honours and policy titles

    # --- helpers -------------------------------------------------------------------------------

    def orig_len(self, s: int, e: int) -> int:
        a, b = self.a.span(s, e)
        return b - a

    def bounds(self, i: int, ends: str = _CLAUSE_END) -> tuple[int, int]:
        s = i
        while s > 0 and self.v[s - 1] not in ends:
            s -= 1
        e = i
        while e < len(self.v) and self.v[e] not in ends:
            e += 1
        return s, e

    def sentence(self, i: int) -> tuple[int, int]:
        return self.bounds(i, _SENTENCE_END)

    def evidence(self, s: int, e: int) -> tuple[str, int, int]:
        """The verbatim quote (≤ 50 characters) around the view span ``[s, e)``: its clause when that fits."""
        cs, _ = self.bounds(s)
        _, ce = self.bounds(max(s, e - 1))
        while cs < s and self.v[cs] in " \"'":
            cs += 1
        if e - s <= 0:
            e = s + 1
        if self.orig_len(cs, ce) <= MAX_QUOTE:
            a, b = cs, ce
        else:
            a, b = s, e
            while b - a > 1 and self.orig_len(a, b) > MAX_QUOTE:
                b -= 1
            while a > cs and self.orig_len(a - 1, b) <= MAX_QUOTE:
                a -= 1
            while b < ce and self.orig_len(a, b + 1) <= MAX_QUOTE:
                b += 1
        start, end = self.a.span(a, b)
        return self.a.text[start:end], start, end

    def overlaps_used(self, s: int, e: int) -> bool:
        return any(s < ue and us < e for us, ue in self.used)

    def region_slug(self, r: Resource) -> str:
        return r.iri.rstrip("/").rsplit("/", 1)[-1]

    def region_stem(self, r: Resource) -> str:
        label = r.label
        fd = getattr(self, "focus_district", None)
        if r.cls in ("HighTechZone", "IndustrialPark", "SubPark", "Zone") and fd is not None and fd.iri != r.iri:
            district = self.region_stem(fd)
            if label.startswith(district) or len(label) > 6:
                return district
        for s in _REGION_SUFFIXES:
            if label.endswith(s) and len(label) > len(s) + 1:
                return label[: -len(s)]
        return label

    def resource_for(
        self,
        cls: str,
        label: str,
        *,
        names: dict[str, str] | None = None,
        slug: str | None = None,
        link: tuple[str, ...] | None = None,
    ) -> Resource:
        """The existing resource named ``label`` (when ``link`` kinds are given) or a new one."""
        if link:
            found = self.linker.find(label, link)
            if found is not None:
                return found
        iri_ = new_iri(cls, slug or slugify(label))
        if iri_ in self.new:
            r = self.new[iri_]
            for n, p in (names or {}).items():
                r.names.setdefault(n, p)
            return r
        base, k = iri_, 2
        while self.store.ask("ASK { ?s ?p ?o }", bindings={"s": _u(iri_)}):
            iri_, k = f"{base}-{k}", k + 1
        r = Resource(iri_, label, cls, new=True, names=dict(names or {}))
        self.new[iri_] = r
        return r

    def propose(
        self,
        kind: str,
        summary: str,
        span: tuple[int, int],
        rule: str,
        confidence: float,
        subject: Resource,
        links: list[Resource],
        triples: list[Triple],
        *,
        key: str | None = None,
        quote_span: tuple[int, int] | None = None,
    ) -> Candidate | None:
        if not triples and not subject.new:
            return None
        quote, qs, qe = self.evidence(*(quote_span or span))
        k = f"{self.doc}|{kind}|{key or ''.join(sorted(f'{t[0]}{t[1]}{t[2]}' for t in triples))}"
        cand = Candidate(
            kind=kind,
            summary=summary,
            quote=quote,
            start=qs,
            end=qe,
            rule=rule,
            confidence=round(confidence, 2),
            subject=subject,
            links=links,
            triples=triples,
            key=k,
        )
        if cand.id in self.out:
            return self.out[cand.id]
        self.out[cand.id] = cand
        return cand

    # --- mentions ------------------------------------------------------------------------------

    def find_zones(self) -> None:
        """Zone and park names (…高新区, …工业园区, …产业园, …园, 组团); a bare 高新区 or 园区 after a
        verb or a time word is the article's own zone (resolved once the focus is known)."""
        v = self.v
        alt = "|".join(ZONE_SUFFIXES)
        last_end = 0
        for m in re.finditer(rf"(?:{alt})|(?<=[{H}]{{2}})园(?![区林艺])", v):
            end = m.end()
            start = max(_run_start(v, m.start(), brackets=False), last_end)
            start = left_trim(v, start, end, suffix_len=len(m.group()))
            name = v[start:end]
            core = name[: -len(m.group())]
            if m.group() == "园" and (
                len(core) != 2
                or core[-1] in "公校家花乐庄果菜茶"
                or (start > 0 and v[start - 1] not in "、,从到和与及在\"'")
            ):
                continue
            if self.overlaps_used(start, end):
                continue
            known = self._longest_known(start, end)
            if known is not None:
                start = known
                name = v[start:end]
                core = name[: -len(m.group())]
            else:
                name = strip_verbs(name, m.group())
                start = end - len(name)
                core = name[: -len(m.group())]
                bare = re.sub(r"^(全面|积极|进一步|不断|加快|我们|他们|该|本|整个|全|各)+", "", core)
                if m.group() in ("高新区", "园区") and (not bare or _VERBISH.search(core) or len(bare) < 2):
                    self.mentions.append(
                        Mention(end - len(m.group()), end, m.group(), "zone", confidence=0.6, extra={"anaphor": True})
                    )
                    last_end = end
                    continue
                if _VERBISH.search(core) or (m.group() in ("园区", "组团", "新区", "开发区") and len(core) > 4):
                    continue
            core = re.sub(r"^(重庆市|重庆)", "", core)
            if (
                len(core) < 2
                or core in GENERIC
                or any(core.endswith(g) for g in ("国家", "市级", "首个", "全国"))
                or re.search(r"[0-9]|示范|特色|承接|十佳|级|智慧|该|这", core)
            ):
                continue
            if re.match(r"等(?:[0-9]+个)?项目", v[end : end + 8]) or re.search(
                r"总投资[0-9.]+亿元的$", v[max(0, start - 12) : start]
            ):
                continue  # 总投资40亿元的重庆智能家居产业园等项目: a project, not a zone
            self.mentions.append(Mention(start, end, name, "zone", extra={"suffix": m.group()}))
            last_end = end

    def _longest_known(self, start: int, end: int) -> int | None:
        """The first start in ``[start, end)`` from which the text names a region the graph knows."""
        for i in range(start, end - 2):
            if self.linker.region(self.v[i:end]) is not None and self.linker.index.matches(
                self.v[i:end], kinds=("region",), limit=1
            ).tier in ("exact", "slug"):
                return i
        return None

    def find_districts(self) -> None:
        v = self.v
        seen: dict[str, Resource | None] = {}
        for m in re.finditer(rf"([{H}]{{2}})(区|县)(?![域间内外块别级位])", v):
            if any(x.start <= m.start() < x.end for x in self.mentions):
                continue
            base, suffix = m.group(1), m.group(2)
            if (
                base in GENERIC
                or base[-1] in "城园景社片校辖新市山"
                or base in ("全区", "该区", "本区", "各区", "新区")
            ):
                continue
            name = base + suffix
            if name not in seen:
                r = self.linker.region(name)
                if r is not None and r.cls not in ("District", "Municipality"):
                    r = None
                if r is None and (
                    re.search(rf"(?:重庆市|市){name}", v)
                    or (
                        re.search(rf"{name}(?:委|政府|人民政府|委书记|区长|县长)", v)
                        and len(re.findall(base, v)) >= 3
                        and not re.search(r"[向以在对把将为从与和及等了的是]", base)
                    )
                ):
                    r = self.resource_for("District", name)
                seen[name] = r
            if seen[name] is not None:
                self.mentions.append(Mention(m.start(), m.end(), name, "district", seen[name]))
        # bare place names the graph knows as districts (黔江 for 黔江区)
        known = {r.label: r for r in seen.values() if r is not None}
        for r in list(known.values()):
            bare = self.region_stem(r)
            if len(bare) >= 2:
                for m in re.finditer(re.escape(bare) + r"(?![区县高工园])", v):
                    if not any(x.start <= m.start() < x.end for x in self.mentions):
                        self.mentions.append(Mention(m.start(), m.end(), bare, "district", r, confidence=0.7))

    def link_zones(self) -> None:
        """Zone mentions → existing zones, or new zones (aliases written ``A(B)`` or ``A(以下简称B)``)."""
        zones = [m for m in self.mentions if m.kind == "zone"]
        for m in zones:
            for cut in range(0, max(1, min(3, len(m.text) - 3))):
                m.resource = self.linker.region(m.text[cut:], zone=True) or self.linker.region(
                    re.sub(r"^(重庆市|重庆)", "", m.text[cut:]), zone=True
                )
                if m.resource is not None:
                    m.start += cut
                    m.text = m.text[cut:]
                    break
        # aliases: A(B) / A(以下简称B)
        for a in zones:
            after = self.v[a.end : a.end + 20]
            mm = re.match(r"\((?:以下简称|简称|下称)?\"?([^()]{2,15}?)\"?\)", after)
            if not mm:
                continue
            b = next((z for z in zones if z.start >= a.end and z.end <= a.end + mm.end()), None)
            alias = b.text if b else mm.group(1)
            if not re.search("|".join(ZONE_SUFFIXES), alias):
                continue
            a.extra["alias"] = alias
            res = a.resource or (b.resource if b else None)
            if res is None:
                res = self.resource_for(_zone_class(alias), alias, names={a.text: "altLabel"})
            a.resource = res
            if b:
                b.resource = res
            for z in zones:  # every other mention of either name is the same zone
                if normalise(re.sub(r"^(重庆市|重庆)", "", z.text)) in {
                    normalise(re.sub(r"^(重庆市|重庆)", "", a.text)),
                    normalise(alias),
                }:
                    z.resource = res
            if res.new:
                res.names.setdefault(a.text, "altLabel")
            else:
                self.propose(
                    "zone-alias",
                    f"{alias} = {a.text}",
                    (a.start, a.end + mm.end()),
                    "zone-alias-brackets",
                    0.85,
                    res,
                    [],
                    [
                        (iri(res.iri), iri(SKOS + "altLabel"), zh(n))
                        for n in (a.text, alias)
                        if normalise(n) != normalise(res.label)
                    ],
                )
        stems = {self.region_stem(x.resource) for x in self.mentions if x.kind == "district" and x.resource}
        for m in list(zones):
            if m.resource is None and not m.extra.get("anaphor"):
                full = re.sub(r"^(重庆市|重庆)", "", m.text)
                named_after_place = any(full.startswith(st) for st in stems if len(st) >= 2)
                sub_park = (
                    m.extra.get("suffix") in ("园", "产业园", "工业园")
                    and 2 <= len(full) - len(m.extra.get("suffix", "")) <= 6
                )
                follows_zone = any(x.kind == "zone" and x.end == m.start and x is not m for x in zones)
                if not (named_after_place or sub_park or follows_zone or "alias" in m.extra):
                    self.mentions.remove(m)
                    continue
                same = [z for z in zones if z.resource is not None and z.resource.new and z.resource.label == full]
                names = {m.text: "altLabel"} if full != m.text else {}
                if follows_zone:  # 綦江新区国际新兴产业园: the park's full name takes its zone's
                    parent = next(x for x in zones if x.end == m.start and x is not m)
                    names[parent.text + m.text] = "altLabel"
                m.resource = same[0].resource if same else self.resource_for(_zone_class(full), full, names=names)

    def find_enterprises(self) -> None:
        v = self.v
        region_names = {m.text for m in self.mentions if m.kind in ("zone", "district")}
        alt = "|".join(COMPANY_SUFFIXES)
        taken: list[tuple[int, int]] = []
        for m in re.finditer(alt, v):
            if any(s <= m.start() < e for s, e in taken):
                continue
            end = m.end()
            while end < len(v) and v.startswith(("有限公司", "股份有限公司"), end):
                end = v.index("公司", end) + 2
            start = left_trim(v, _run_start(v, m.start()), end, suffix_len=end - m.start())
            full = strip_verbs(v[start:end], v[m.start() : end])
            start = end - len(full)
            short = short_name(full, region_names)
            core = short
            if (
                len(core) < 2
                or core in GENERIC
                or re.fullmatch(rf"[{H}]?(平台|子|分|母|该|本|上市|国有|民营|投资|全资)", core)
                or re.match(r"我们|他们|你们|本|该|这|那|其|各|每|全资|控股", core)
            ):
                continue
            if core[-1] in "的了在是和与" or re.search(r"发挥|带动|一批|这些|所有|相关|各类|多家", core):
                continue
            if self.overlaps_used(start, end) or (
                _VERBISH.search(core) and not self.linker.find(full, ("enterprise",))
            ):
                continue
            taken.append((start, end))
            # the zone or district written in front of the firm's name
            region = next(
                (
                    z
                    for z in self.mentions
                    if z.kind in ("zone", "district") and z.start == start and z.end <= end - len(short)
                ),
                None,
            )
            res = self.linker.find(full, ("enterprise",)) or self.linker.find(short, ("enterprise",))
            ment = Mention(
                start,
                end,
                full,
                "enterprise",
                res,
                full=full,
                short=short,
                confidence=0.9 if "有限" in m.group() else 0.75,
                extra={"prefix_region": region},
            )
            self.mentions.append(ment)
        # short names already known to the graph, and later mentions of new firms by their short name
        shorts: dict[str, Mention] = {}
        for x in self.mentions:
            if x.kind == "enterprise" and len(x.short) >= 3:
                shorts.setdefault(x.short, x)
        variants: dict[str, Mention] = dict(shorts)
        for short, first in shorts.items():
            if len(short) >= 5:
                for part in {short[:4], short[-4:]}:
                    variants.setdefault(part, first)
        for short, first in variants.items():
            for mm in re.finditer(re.escape(short), v):
                nxt = v[mm.end() : mm.end() + 1]
                if short not in shorts and nxt and re.match(f"[{H}]", nxt) and nxt not in _AFTER_NAME:
                    continue  # 万凯新材 inside 万凯新材料: a part of a name only stands for it alone
                if not any(x.start <= mm.start() < x.end for x in self.mentions if x.kind == "enterprise"):
                    self.mentions.append(
                        Mention(
                            mm.start(),
                            mm.end(),
                            short,
                            "enterprise",
                            first.resource,
                            full=first.full,
                            short=short,
                            confidence=0.8,
                            extra={"same_as": first},
                        )
                    )

    def find_enumerated_firms(self) -> None:
        """Short firm names in enumerations: 以A、B、C等企业为代表的…, 鼓励A、B等一批企业…"""
        v = self.v
        pat = rf"({_ENUM})等(?:一批|[{_CN_NUM}0-9]+家)?(?:重点|龙头|骨干)?(?:企业|公司)"
        for m in re.finditer(pat, v):
            items = _items(m.group(1))
            pos = m.start(1)
            for it in items:
                i = v.index(it, pos)
                pos = i + len(it)
                if any(x.start <= i < x.end for x in self.mentions if x.kind == "enterprise"):
                    continue
                it2 = re.sub(r"^(以|如|鼓励|引导|推动|支持|引进|包括|像)", "", it)
                i += len(it) - len(it2)
                if len(it2) < 2 or it2 in GENERIC:
                    continue
                res = self.linker.find(it2, ("enterprise",), loose=len(it2) >= 4)
                self.mentions.append(
                    Mention(
                        i,
                        i + len(it2),
                        it2,
                        "enterprise",
                        res,
                        full=it2,
                        short=it2,
                        confidence=0.75,
                        extra={"enumerated": m},
                    )
                )
                for mm in re.finditer(re.escape(it2), v):
                    if not any(x.start <= mm.start() < x.end for x in self.mentions if x.kind == "enterprise"):
                        self.mentions.append(
                            Mention(mm.start(), mm.end(), it2, "enterprise", res, full=it2, short=it2, confidence=0.7)
                        )

    FIRM_ENDINGS = (
        "科技|食品|生物|新材料|材料|电子|制药|药业|医药|陶瓷|丝绸|玻纤|铝业|锰业|机器人|金属制品|卫星|微电子|"
        "智造|环境|能源|饲料|机械|汽车|化工|纺织|服饰|农业|牧业|实业|建材|钢铁|电气|光电|物流|电力|环保|纳米"
    )

    def find_firms_by_ending(self) -> None:
        """Short firm names written without a legal form, known by a trade word at their end
        (唯美陶瓷, 南舟科技) and standing where a firm stands (…车间, …等项目, …等企业)."""
        v = self.v
        pat = (
            rf"(鼓励|引进|推动|指导|引导|新投产|新开工|投产|开工|支持|帮助|、|,|如|等)"
            rf"([{H}]{{2,3}}(?:{self.FIRM_ENDINGS}))(?=[^,。;]{{0,30}}?(?:企业|公司|车间|项目)|与|生产)"
        )
        for m in re.finditer(pat, v):
            name = m.group(2)
            i = m.start(2)
            brand = re.sub(f"({self.FIRM_ENDINGS})$", "", name)
            if brand in GENERIC or _VERBISH.search(brand) or re.search(r"[的和与及等个大新高]$|^[新高全各]", brand):
                continue
            if any(x.start <= i < x.end for x in self.mentions):
                continue
            res = self.linker.find(name, ("enterprise",), loose=len(name) >= 4)
            self.mentions.append(
                Mention(
                    i,
                    i + len(name),
                    name,
                    "enterprise",
                    res,
                    full=name,
                    short=name,
                    confidence=0.6,
                    extra={"enumerated": m, "by_ending": True},
                )
            )

    def find_municipalities(self) -> None:
        rows = self.store.select(
            "PREFIX ckg: <https://w3id.org/chainkg/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
            "SELECT ?m ?n WHERE { ?m a ckg:Municipality ; rdfs:label|skos:altLabel ?n FILTER(LANG(?n) = 'zh') }"
        )
        names = sorted({(str(r["n"]), str(r["m"])) for r in rows}, key=lambda x: -len(x[0]))
        taken: list[tuple[int, int]] = []
        for name, iri_ in names:
            if len(name) < 2:
                continue
            for m in re.finditer(re.escape(name), self.v):
                if any(a <= m.start() < b for a, b in taken):
                    continue
                taken.append((m.start(), m.end()))
                self.mentions.append(Mention(m.start(), m.end(), name, "municipality", self.linker.resource(iri_)))

    def rule_district_part_of(self) -> None:
        munis = [m for m in self.mentions if m.kind == "municipality" and m.resource]
        distinct = {m.resource.iri for m in munis if m.resource}
        done: set[str] = set()
        for d in sorted((x for x in self.mentions if x.kind == "district" and x.resource), key=lambda x: x.start):
            r = d.resource
            assert r is not None
            if r.iri in done or r.cls != "District" or (not r.new and self._has(r.iri, "partOf")):
                continue
            stem_ = self.region_stem(r)
            before = next(
                (
                    m
                    for m in munis
                    if m.end == d.start
                    or (m.end < len(self.v) and self.v.startswith(stem_, m.end) and m.end + len(stem_) <= len(self.v))
                ),
                None,
            )
            if before is not None:
                muni, conf, rule, span = before.resource, 0.8, "municipality-before-district", (before.start, d.end)
            elif len(distinct) == 1:
                muni, conf, rule, span = munis[0].resource, 0.55, "only-municipality-in-article", (d.start, d.end)
            else:
                continue
            assert muni is not None
            done.add(r.iri)
            self.propose(
                "part-of",
                f"{r.label} ⊂ {muni.label}",
                span,
                rule,
                conf,
                r,
                [muni],
                [(iri(r.iri), ckg("partOf"), iri(muni.iri))],
            )

    def link_enterprises(self) -> None:
        by_name: dict[str, Resource] = {}
        firms = sorted((m for m in self.mentions if m.kind == "enterprise"), key=lambda m: m.start)
        for m in firms:
            if m.resource is None:
                same = m.extra.get("same_as")
                if same is not None and same.resource is not None:
                    m.resource = same.resource
                    continue
                key = m.short or m.text
                if key in by_name:
                    m.resource = by_name[key]
                    continue
                names = {}
                if m.full and m.full != key:
                    names[m.full] = "legalName" if "有限公司" in m.full else "altLabel"
                names[key] = "shortName"
                cls = "Enterprise"
                m.resource = self.resource_for(cls, key, names=names)
            else:
                r = m.resource
                if r.new and m.full and m.full != r.label:
                    r.names.setdefault(m.full, "legalName" if "有限" in m.full else "altLabel")
            by_name.setdefault(m.short or m.text, m.resource)

    # --- focus ---------------------------------------------------------------------------------

    def focus(self) -> None:
        zones = Counter(m.resource.iri for m in self.mentions if m.kind == "zone" and m.resource)
        districts = Counter(m.resource.iri for m in self.mentions if m.kind == "district" and m.resource)
        res = {m.resource.iri: m.resource for m in self.mentions if m.resource}
        self.focus_zone = res[zones.most_common(1)[0][0]] if zones else None
        self.focus_district = res[districts.most_common(1)[0][0]] if districts else None
        if self.focus_zone and self.focus_district and zones.most_common(1)[0][1] < 3:
            self.focus_zone = (
                None if districts.most_common(1)[0][1] > 2 * zones.most_common(1)[0][1] else self.focus_zone
            )
        self.focus_region = self.focus_zone or self.focus_district
        for m in [x for x in self.mentions if x.extra.get("anaphor")]:
            if self.focus_zone is None:
                self.mentions.remove(m)
            else:
                m.resource = self.focus_zone

    def region_at(self, i: int, *, zone_first: bool = False, parks: bool = False) -> Resource | None:
        """The region named last before ``i`` in its sentence (a sub-park only when ``parks``), else
        the article's focus."""
        s, _ = self.sentence(i)
        before = [
            m
            for m in self.mentions
            if m.kind in ("zone", "district")
            and s <= m.start < i
            and m.resource
            and (parks or m.resource.cls != "SubPark")
        ]
        if before:
            return max(before, key=lambda m: m.start).resource
        return self.focus_zone if zone_first and self.focus_zone else self.focus_region

    # --- rules ---------------------------------------------------------------------------------

    def run(self) -> list[Candidate]:
        self.rule_honours_spans()
        self.find_zones()
        self.find_districts()
        self.link_zones()
        self.find_enterprises()
        self.find_enumerated_firms()
        self.find_firms_by_ending()
        self.find_municipalities()
        self.link_enterprises()
        self.focus()
        self.rule_zone_identity()
        self.rule_district_part_of()
        self.rule_enterprise_identity()
        self.rule_located_in()
        self.rule_industries()
        self.rule_trade_word_members()
        self.rule_chain_chief()
        self.rule_policy_documents()
        self.rule_alliances()
        self.rule_people()
        self.rule_honours()
        self.rule_projects()
        self.rule_products()
        self.rule_figures()
        return list(self.out.values())

    def rule_zone_identity(self) -> None:
        done: set[str] = set()
        for m in self.mentions:
            if m.kind != "zone" or m.resource is None or m.resource.iri in done or m.extra.get("anaphor"):
                continue
            r = m.resource
            done.add(r.iri)
            triples: list[Triple] = []
            links: list[Resource] = []
            parent = self._zone_parent(m)
            if parent is not None and not self._has(r.iri, "partOf"):
                triples.append((iri(r.iri), ckg("partOf"), iri(parent.iri)))
                links.append(parent)
            if r.new and parent is None:
                munis = {x.resource.iri: x.resource for x in self.mentions if x.kind == "municipality" and x.resource}
                if len(munis) == 1 and not re.match(PROVINCES, r.label):
                    parent = next(iter(munis.values()))
                    triples.append((iri(r.iri), ckg("partOf"), iri(parent.iri)))
                    links.append(parent)
                else:
                    continue  # a zone must say which region it is part of (SHACL); the text does not
            if r.new or triples:
                p = links[0].label if links else ""
                self.propose(
                    "zone" if r.new else "part-of",
                    f"{r.label} ⊂ {p}",
                    (m.start, m.end),
                    "zone-name" if r.new else "zone-part-of",
                    0.8 if links else 0.6,
                    r,
                    links,
                    triples,
                )

    def _zone_parent(self, m: Mention) -> Resource | None:
        r = m.resource
        assert r is not None
        # written right before the zone: 綦江高新区北渡产业园 / 黔江区…
        before = [
            x
            for x in self.mentions
            if x.kind in ("zone", "district") and x.end == m.start and x.resource and x.resource.iri != r.iri
        ]
        if before and (r.cls == "SubPark" or before[0].kind == "district"):
            return before[0].resource
        # the zone's name starts with a district's name (荣昌高新区 → 荣昌区)
        for x in self.mentions:
            if x.kind == "district" and x.resource and x.resource.cls == "District":
                bare = self.region_stem(x.resource)
                if r.label.startswith(bare) and r.label != x.resource.label:
                    return x.resource
        if r.cls == "SubPark" and self.focus_zone and self.focus_zone.iri != r.iri:
            return self.focus_zone
        return None

    def _has(self, s: str, prop: str) -> bool:
        return self.store.ask(
            "PREFIX ckg: <https://w3id.org/chainkg/ontology#> ASK { ?s ckg:" + prop + " ?o }", bindings={"s": _u(s)}
        )

    def rule_enterprise_identity(self) -> None:
        seen: set[str] = set()
        for m in sorted(self.mentions, key=lambda x: x.start):
            if m.kind != "enterprise" or m.resource is None or m.resource.iri in seen:
                continue
            r = m.resource
            if r.new:
                seen.add(r.iri)
                self.propose(
                    "enterprise",
                    f"企业 {r.label}",
                    (m.start, m.end),
                    "firm-name" if "公司" in m.full or "集团" in m.full else "firm-in-enumeration",
                    m.confidence,
                    r,
                    [],
                    [],
                    key=r.iri,
                )
            elif m.full and "有限公司" in m.full and not self.linker.find(m.full, ("enterprise",)):
                seen.add(r.iri)
                prop = "legalName" if not self._has(r.iri, "legalName") else None
                t = (iri(r.iri), ckg(prop) if prop else iri(SKOS + "altLabel"), zh(m.full))
                self.propose(
                    "enterprise", f"{r.label}: 全称 {m.full}", (m.start, m.end), "firm-legal-name", 0.85, r, [], [t]
                )

    def rule_located_in(self) -> None:
        firms = [m for m in self.mentions if m.kind == "enterprise" and m.resource]
        placed: dict[str, tuple[Resource, float]] = {}
        for m in firms:
            r = m.resource
            assert r is not None
            s, e = self.bounds(m.start)
            region, rule, conf = None, "", 0.0
            pre: Mention | None = m.extra.get("prefix_region")
            if pre is not None and pre.resource is not None:
                region, rule, conf = pre.resource, "region-before-firm-name", 0.85
            else:
                clause = self.v[s:e]
                near = [x for x in self.mentions if x.kind in ("zone", "district") and s <= x.start < e and x.resource]
                verb = re.search(r"是|落户|位于|入驻|扎根|坐落|深耕|在", clause)
                if near and verb:
                    best = min(near, key=lambda x: abs(x.start - m.end))
                    region, rule, conf = best.resource, "firm-and-region-in-clause", 0.75
                elif m.extra.get("enumerated") is not None:
                    region, rule, conf = self.region_at(m.start, zone_first=True), "firm-in-region-enumeration", 0.6
            if region is None:
                continue
            if r.iri in placed and placed[r.iri][1] >= conf:
                continue
            placed[r.iri] = (region, conf)
            conflict = self._location_conflict(r, region)
            c = self.propose(
                "located-in",
                f"{r.label} 位于 {region.label}",
                (m.start, m.end),
                rule,
                conf,
                r,
                [region],
                [(iri(r.iri), ckg("locatedIn"), iri(region.iri))],
                key=f"{r.iri}|{region.iri}",
            )
            if c is not None and conflict:
                c.conflict = conflict
        for iri_, res in self.new.items():
            if res.cls == "Enterprise" and iri_ not in placed:
                res.names.setdefault("__notStated_locatedIn", "")

    def _location_conflict(self, firm: Resource, region: Resource) -> str | None:
        if firm.new:
            return None
        rows = self.store.select(
            "PREFIX ckg: <https://w3id.org/chainkg/ontology#> "
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
            "SELECT DISTINCT ?z WHERE { ?f ckg:locatedIn ?z . ?z a/rdfs:subClassOf* ckg:Zone }",
            bindings={"f": _u(firm.iri)},
        )
        zones = {str(r["z"]) for r in rows}
        if (
            not zones
            or region.iri in zones
            or ("Zone" not in region.cls and region.cls not in ("HighTechZone", "IndustrialPark", "SubPark"))
        ):
            return None
        related = bool(
            self.store.query(
                "PREFIX ckg: <https://w3id.org/chainkg/ontology#> "
                "ASK { { ?a ckg:partOf+ ?b } UNION { ?b ckg:partOf+ ?a } }",
                bindings={"a": _u(region.iri), "b": [_u(z) for z in zones]},
            )
        )
        if related:
            return None
        return f"{firm.label} is already located in " + ", ".join(self.linker.label(z) for z in sorted(zones))

    # industries ---------------------------------------------------------------------------------

    def industry(self, item: str, region: Resource, *, chain: bool, suffix: str = "") -> Resource:
        key = normalise(re.sub(r"(产业链|产业集群|产业|加工业|工业)$", "", item)) or normalise(item)
        stem_ = normalise(self.region_stem(region))
        regions = [region.iri] + [x.iri for x in (self.focus_district, self.focus_zone) if x is not None]
        for iri_, _, names in self.linker.industries_in(regions):
            bare = {n.removeprefix(stem_) for n in names} | names
            stripped = {re.sub(r"(产业链|产业集群|产业|加工业|工业)$", "", n) for n in bare}
            if normalise(item) in bare or key in stripped:
                return self.linker.resource(iri_)
        for iri_, _, names in self.linker.industries_in(regions):
            stripped = {re.sub(r"(产业链|产业集群|产业|加工业|工业)$", "", n.removeprefix(stem_)) for n in names}
            if len(key) >= 2 and any(n.endswith(key) and len(n) <= len(key) + 2 for n in stripped):
                return self.linker.resource(iri_)
        # an industry this article already named (材料产业 after 新材料)
        for r in self.new.values():
            if r.cls in ("ChainProgramme", "IndustryCluster") and len(key) >= 2:
                names = {
                    normalise(
                        re.sub(r"(产业链|产业集群|产业|加工业|工业)$", "", n.removeprefix(self.region_stem(region)))
                    )
                    for n in [r.label, *r.names]
                }
                if key in names or any(n.endswith(key) and len(n) <= len(key) + 2 for n in names):
                    return r
        written = suffix or ("产业链" if chain else "产业")
        label = self.region_stem(region) + item
        if not re.search(r"(产业链|产业集群|产业|工业|加工业|业)$", item):
            label += written
        cls = "ChainProgramme" if chain or label.endswith("产业链") else "IndustryCluster"
        written_names = {item: "altLabel"} if item != label else {}
        if not re.search(r"(产业链|产业集群|产业|业)$", item):
            written_names[item + written] = "altLabel"  # the name as the article writes it
        return self.resource_for(cls, label, names=written_names, slug=f"{self.region_slug(region)}-{slugify(key)}")

    def industry_triples(self, ind: Resource, region: Resource) -> list[Triple]:
        if not ind.new:
            return []
        out: list[Triple] = [(iri(ind.iri), ckg("region"), iri(region.iri))]
        tpl = self.linker.chain_template((ind.names and next(iter(ind.names))) or ind.label)
        if tpl is None:
            tpl = self.linker.chain_template(ind.label.removeprefix(self.region_stem(region)))
        if tpl:
            out.append((iri(ind.iri), ckg("coversChain"), iri(tpl)))
        else:
            out.append((iri(ind.iri), ckg("notStated"), ckg("coversChain")))
        return out

    def rule_industries(self) -> None:
        v = self.v
        self.enumerated_industries: list[tuple[int, int, list[Resource]]] = []
        # A、B、C(等)(N大|N个)(…)产业(链|集群)
        pat = (
            rf"({_ENUM})(?:等)?[\"']?(?:[{_CN_NUM}0-9]+(?:大|个)|\"?[0-9+]+\"?)?[\"']?(?:的)?"
            rf"([{H}]{{0,8}}?)(产业链|产业集群|产业|集群|加工业)(?=[^{H}]|$|加快|迅速|发展|实现|分别|形成|重点|建设|等|和|为|的|"
            rf"基地|集聚|规模|总产值|产值|集群|格局)"
        )
        for m in re.finditer(pat, v):
            items = _items(m.group(1))
            mid = m.group(2)
            if items:
                items[0] = _LEAD_VERB.sub("", items[0]) or items[0]
            if len(items) < 2 or any(
                it in GENERIC or len(it) > 10 or len(it) < 2 or _VERBISH.search(it) for it in items
            ):
                continue
            if "企业" in m.group(1) or any(
                x.kind == "enterprise" and m.start(1) <= x.start < m.end(1) for x in self.mentions
            ):
                continue
            if re.search(r"[0-9]", "".join(items)) or self.overlaps_used(m.start(), m.end()):
                continue
            chain = m.group(3) == "产业链"
            if chain and mid == "" and not re.search(r"[大个]", v[m.end(1) : m.start(3)]):
                items[-1] = items[-1]  # "玻璃纤维、铝加工产业链": every item is a chain
            region = self.region_at(m.start())
            if region is None:
                continue
            portfolio = None
            head = v[m.end(1) : m.end()]
            pm = re.search(rf"([{_CN_NUM}0-9]+大|[0-9]\+[0-9])", head)
            if pm:
                plabel = self.region_stem(region) + re.sub(r"[\"']", "", head).lstrip("等的").replace("的", "")
                portfolio = self.linker.by_label([plabel], ("IndustryPortfolio",)) or self.resource_for(
                    "IndustryPortfolio", plabel
                )
            inds = []
            for it in items:
                ind = self.industry(it, region, chain=chain, suffix=m.group(3))
                inds.append(ind)
                triples = self.industry_triples(ind, region)
                links: list[Resource] = [region]
                if portfolio is not None:
                    triples.append((iri(ind.iri), ckg("memberOfPortfolio"), iri(portfolio.iri)))
                    if portfolio.new:
                        triples.append((iri(portfolio.iri), ckg("region"), iri(region.iri)))
                    links.append(portfolio)
                i = v.index(it, m.start(1))
                self.propose(
                    "industry",
                    f"{region.label}: {ind.label}" + (f" ∈ {portfolio.label}" if portfolio else ""),
                    (i, i + len(it)),
                    "industry-enumeration",
                    0.75,
                    ind,
                    links,
                    triples,
                    quote_span=(m.start(1), m.end()),
                )
            self.enumerated_industries.append((m.start(), m.end(), inds))
        # 以A、B、C等企业为代表的X产业 → firms in the industry
        pat2 = (
            rf"以({_ENUM})等(?:一批)?(?:重点|龙头|骨干)?(?:企业|公司)?为(?:代表|龙头|主体|骨干|支撑)的"
            rf"([{H}]{{2,10}}?(?:产业链|产业集群|产业|加工业|工业|集群))"
        )
        for m in re.finditer(pat2, v):
            region = self.region_at(m.start(), zone_first=True)
            if region is None:
                continue
            item = m.group(2)
            ind = self.industry(item, region, chain=item.endswith("产业链"))
            itriples = self.industry_triples(ind, region)
            if ind.new:
                self.propose(
                    "industry",
                    f"{region.label}: {ind.label}",
                    (m.start(2), m.end(2)),
                    "industry-of-firms",
                    0.7,
                    ind,
                    [region],
                    itriples,
                )
            for f in self.mentions:
                if f.kind == "enterprise" and m.start(1) <= f.start < m.end(1) and f.resource:
                    self.propose(
                        "industry-member",
                        f"{f.resource.label} ∈ {ind.label}",
                        (f.start, f.end),
                        "firms-representing-industry",
                        0.8,
                        f.resource,
                        [ind],
                        [(iri(f.resource.iri), ckg("partOfIndustry"), iri(ind.iri)), *itriples],
                        quote_span=(m.start(), m.end()),
                        key=f"{f.resource.iri}|{ind.iri}",
                    )
        # single X产业链 written as a name (蚕丝绸产业链形成…)
        for m in re.finditer(rf"(?<![{H}])?([{H}]{{2,6}})产业链(?!条)", v):
            s = left_trim(v, _run_start(v, m.start(1) + len(m.group(1))), m.start(1) + len(m.group(1)))
            item = v[s : m.start(1) + len(m.group(1))]
            item = _LEAD_VERB.sub("", item)
            if (
                len(item) < 2
                or item in GENERIC
                or _VERBISH.search(item)
                or any(
                    g in item
                    for g in (
                        "现代化",
                        "等",
                        "传统",
                        "全",
                        "重点",
                        "核心",
                        "区域",
                        "特色",
                        "一批",
                        "相关",
                        "各",
                        "主导",
                        "供应",
                        "部署",
                    )
                )
            ):
                continue
            if any(a <= m.start() < b for a, b, _ in self.enumerated_industries):
                continue
            region = self.region_at(m.start())
            if region is None:
                continue
            ind = self.industry(item, region, chain=True)
            if ind.new:
                self.propose(
                    "industry",
                    f"{region.label}: {ind.label}",
                    (s, m.end()),
                    "named-chain",
                    0.65,
                    ind,
                    [region],
                    self.industry_triples(ind, region),
                )

        # 从X产业到Y产业再到Z产业: industries listed one by one
        for m in re.finditer(rf"从([{H}]{{2,8}}?)(产业)(?:到|再到)", v):
            s, e = self.sentence(m.start())
            region = self.region_at(m.start())
            if region is None:
                continue
            for im in re.finditer(
                rf"(?:从|到|再到|、)([{H}]{{2,8}}?)(产业|产业集群)(?=到|再到|、|,|。|等)", v[m.start() : e]
            ):
                item = im.group(1)
                if item in GENERIC or _VERBISH.search(item):
                    continue
                i = m.start() + im.start(1)
                ind = self.industry(item, region, chain=False, suffix=im.group(2))
                self.propose(
                    "industry",
                    f"{region.label}: {ind.label}",
                    (i, i + len(item) + 2),
                    "industry-from-to",
                    0.7,
                    ind,
                    [region],
                    self.industry_triples(ind, region),
                    quote_span=(m.start(), e),
                )
                self.enumerated_industries.append((i, i + len(item), [ind]))
        # X产业 naming a chain the templates know (玻纤产业, 新能源产业)
        for m in re.finditer(rf"([{H}]{{2,6}})产业(?!链|集群|园|工人|发展|基础|体系|结构|基地)", v):
            item = m.group(1)
            s0 = m.start(1)
            for cut in range(len(item) - 1):
                tail = item[cut:]
                if self.linker.chain_template(_TRADE.get(tail, tail)):
                    item, s0 = tail, m.start(1) + cut
                    break
            else:
                continue
            if item in GENERIC or _VERBISH.search(item) or any(a <= s0 < b for a, b, _ in self.enumerated_industries):
                continue
            region = self.region_at(m.start())
            if region is None:
                continue
            ind = self.industry(item, region, chain=False, suffix="产业")
            if ind.new:
                self.propose(
                    "industry",
                    f"{region.label}: {ind.label}",
                    (s0, m.end()),
                    "named-industry-of-template",
                    0.65,
                    ind,
                    [region],
                    self.industry_triples(ind, region),
                )
            self.enumerated_industries.append((s0, m.end(), [ind]))

    def rule_trade_word_members(self) -> None:
        """A firm whose name holds a trade word (丝绸, 玻纤, 铝业, 食品) is proposed for the article's
        industry whose name holds the same word, when exactly one does."""
        industries = {r.iri: r for _, _, inds in getattr(self, "enumerated_industries", []) for r in inds}
        if not industries:
            return
        done = {
            (c.subject.iri, t[2].value)
            for c in self.out.values()
            if c.kind == "industry-member"
            for t in c.triples
            if t[1].value.endswith("partOfIndustry")
        }
        for f in sorted((x for x in self.mentions if x.kind == "enterprise" and x.resource), key=lambda x: x.start):
            firm = f.resource
            assert firm is not None
            if any(d[0] == firm.iri for d in done):
                continue
            word = next((w for w in sorted(_TRADE, key=len, reverse=True) if w in (f.short or f.text)), None)
            if word is None:
                continue
            target = _TRADE[word]
            hits = [r for r in industries.values() if target in r.label or any(target in n for n in r.names)]
            if len(hits) != 1:
                continue
            ind = hits[0]
            done.add((firm.iri, ind.iri))
            self.propose(
                "industry-member",
                f"{firm.label} ∈ {ind.label}",
                (f.start, f.end),
                "firm-trade-word-in-industry",
                0.5,
                firm,
                [ind],
                [(iri(firm.iri), ckg("partOfIndustry"), iri(ind.iri))],
                key=f"{firm.iri}|{ind.iri}",
            )

    def rule_chain_chief(self) -> None:
        v = self.v
        for m in re.finditer(r"链长制", v):
            s, e = self.sentence(m.start())
            region = self.region_at(m.start())
            if (
                self.focus_district is not None
                and region is not None
                and region.cls not in ("District", "Municipality")
            ):
                region = (
                    self.focus_district
                    if not any(x.kind == "zone" and s <= x.start < m.start() for x in self.mentions)
                    else region
                )
            if region is None:
                continue
            applies: list[Resource] = []
            before = [
                (a, b, inds)
                for a, b, inds in getattr(self, "enumerated_industries", [])
                if b <= m.start() and (a >= s or m.start() - b <= 40) and len(inds) > 1
            ]
            if before:
                applies = list(max(before, key=lambda x: x[1])[2])
            label = f"{self.region_stem(region)}产业链“链长制”"
            system = self.resource_for(
                "ChainChiefSystem",
                label,
                slug=f"{self.region_slug(region)}-chain-chief-" + self.doc.rsplit("-", 1)[-1][:8],
            )
            post = self.resource_for(
                "ChainChiefPost",
                f"{self.region_stem(region)}产业链链长",
                slug=f"{self.region_slug(region)}-chain-chief-post-" + self.doc.rsplit("-", 1)[-1][:8],
            )
            S = iri(system.iri)
            triples: list[Triple] = [
                (S, ckg("region"), iri(region.iri)),
                (S, ckg("chiefPost"), iri(post.iri)),
                (iri(post.iri), ckg("notStated"), iri(ORG + "heldBy")),
                (S, ckg("notStated"), ckg("since")),
            ]
            if not re.search(r"链主", v[s:e]):
                triples.append((S, ckg("notStated"), ckg("chainLeader")))
            for ind in applies:
                triples.append((S, ckg("appliesTo"), iri(ind.iri)))
            everything = not applies and bool(re.search(r"全面(施行|推行|实行|实施)", v[s:e]))
            if applies or everything:
                triples.append((S, ckg("appliesToAllIndustries"), typed("true" if everything else "false", "boolean")))
            what = "、".join(i.label for i in applies) or ("全部产业" if everything else "未说明")
            self.propose(
                "chain-chief",
                f"{region.label} 推行链长制: {what}",
                (m.start(), m.end()),
                "chain-chief-system",
                0.85,
                system,
                [region, post, *applies],
                triples,
                key=f"{region.iri}|{m.start()}",
            )

    def rule_policy_documents(self) -> None:
        v = self.v
        for m in re.finditer(r"《([^《》\n]{3,60})》", v):
            title = m.group(1)
            label = f"《{title}》"
            self.used.append((m.start(), m.end()))
            orig_title = self.a.quote(m.start(1), m.end(1))
            existing = self.linker.by_label([label, title, orig_title], ("PolicyDocument", "Policy", "Measure"))
            s, _ = self.bounds(m.start())
            issuer_m = re.search(
                r"(出台|印发|发布|制定|编制|施行|公布|研究通过|通过)(?:了)?(?:[^,。]{0,12})?$", v[s : m.start()]
            )
            region = self.region_at(m.start())
            if existing is not None:
                continue
            doc = self.resource_for("PolicyDocument", label)
            D = iri(doc.iri)
            triples: list[Triple] = [(D, iri(DCT + "title"), zh(orig_title))]
            links: list[Resource] = []
            if region is not None:
                triples.append((D, ckg("region"), iri(region.iri)))
                links.append(region)
            if issuer_m is None:
                triples.append((D, ckg("notStated"), ckg("issuedBy")))
            self.propose(
                "policy-document",
                f"政策文件 {label}",
                (m.start(), m.end()),
                "policy-title-brackets",
                0.9 if issuer_m else 0.75,
                doc,
                links,
                triples,
            )

    def rule_alliances(self) -> None:
        v = self.v
        for m in re.finditer(r"联盟", v):
            start = left_trim(v, _run_start(v, m.start(), max_len=25), m.end(), suffix_len=2)
            while start > 0 and v[start - 1] in "\"'" and start >= 2 and re.match(rf"[{H}]", v[start - 2]) is None:
                start -= 1
            if v[start - 1 : start] == '"':
                q = v.rfind('"', 0, start - 1)
                if q >= 0 and start - q < 12:
                    start = q
            name = v[start : m.end()].strip()
            core = re.sub(r"[\"']", "", name)[:-2]
            if len(core) < 2 or core in GENERIC or (core.endswith(("产业", "国家", "战略")) and len(core) <= 4):
                continue
            quoted = re.search(r"\"([^\"]{2,10})\"", name)
            stems = {self.region_stem(x.resource) for x in self.mentions if x.kind == "district" and x.resource}
            if not quoted and not any(st and st in core for st in stems):
                continue  # no proper name: 国家高新区产业联盟 in general
            same = next(
                (r for r in self.new.values() if r.cls == "Alliance" and quoted and quoted.group(1) in r.label), None
            )
            existing = self.linker.by_label([name, name.replace('"', "“", 1).replace('"', "”", 1)], ("Alliance",))
            alliance = existing or same or self.resource_for("Alliance", name.replace('"', "“", 1).replace('"', "”", 1))
            s, _e = self.sentence(m.start())
            members: list[Resource] = []
            mm = re.search(
                rf"([{H}]{{2,12}})与((?:[{H}]{{2,6}}、)*[{H}]{{2,6}})(?:签订|签署|共同|联合)", v[s : m.start()]
            )
            if mm:
                for nm in [mm.group(1), *mm.group(2).split("、")]:
                    nm2 = re.sub(r"^(今年\d+月|\d+月|,)", "", nm)
                    r = next(
                        (x.resource for x in self.mentions if x.text == nm2 and x.resource), None
                    ) or self.linker.region(nm2)
                    if r is None and 2 <= len(nm2) <= 4:
                        r = self.resource_for("Region", nm2)
                    if r is not None:
                        members.append(r)
            triples: list[Triple] = [(iri(alliance.iri), ckg("allianceMember"), iri(x.iri)) for x in members]
            if not members and alliance.new:
                triples.append((iri(alliance.iri), ckg("notStated"), ckg("allianceMember")))
            if not triples:
                continue
            self.propose(
                "alliance",
                f"联盟 {alliance.label}" + (": " + "、".join(x.label for x in members) if members else ""),
                (start, m.end()),
                "alliance-members" if members else "alliance-name",
                0.8 if members else 0.7,
                alliance,
                members,
                triples,
                key=alliance.iri,
            )

    def rule_honours_spans(self) -> None:
        """Mark honour enumerations first, so their words (…工业园, …示范园) are not taken for zones."""
        v = self.v
        self.honour_items: list[tuple[int, int, str, int]] = []  # (start, end, text, verb position)
        for m in re.finditer(r"获评|荣获|被评为|评为|认定为|被授予|授予|获批|入选|获得|先后获得", v):
            _s, e = self.sentence(m.start())
            tail = v[m.end() : e]
            tm = re.search(r"等?(?:荣誉称号|称号|殊荣|荣誉|定位|称谓)", tail)
            if not tm and not re.match(r"[^,]{2,30}(企业|示范区|示范园区|基地)", tail):
                continue
            body_end = m.end() + (tm.start() if tm else len(tail.split(",", 1)[0]))
            body = v[m.end() : body_end]
            quoted = re.findall(r"\"([^\"]{3,40})\"", body)
            if quoted and len(quoted) >= 2 and not re.search(r"\"[^\"]{0,4}\"", body.replace('""', "")):
                items, pos = [], m.end()
                for q in quoted:
                    i = v.index(q, pos)
                    items.append((i, i + len(q), q))
                    pos = i + len(q)
            else:
                items, pos = [], m.end()
                for part in re.split(r"、", body):
                    p = part.strip()
                    p = re.sub(r"^(为|了|或被授予|被授予)", "", p)
                    i = v.index(p, pos) if p else pos
                    pos = i + len(p)
                    if 4 <= len(p) <= 40:
                        items.append((i, i + len(p), p))
            for a, b, text in items:
                self.honour_items.append((a, b, text, m.start()))
                self.used.append((a, b))
        for m in re.finditer(rf"通过([{H}]{{3,16}}?)(?:认定|认证|评审|验收)", v):
            self.honour_items.append((m.start(1), m.end(1), m.group(1), m.start()))
            self.used.append((m.start(1), m.end(1)))

    def rule_honours(self) -> None:
        for a, b, text, verb in self.honour_items:
            s, _ = self.sentence(verb)
            kinds = ("enterprise", "zone", "district", "person")
            subj_m = [
                x
                for x in self.mentions
                if x.kind in kinds and s <= x.start < verb and x.resource and not (a <= x.start < b)
            ]
            prev = [
                x for x in self.mentions if x.kind in ("enterprise", "zone") and x.resource and s - 150 <= x.start < s
            ]
            if subj_m:
                subject = max(subj_m, key=lambda x: x.start).resource
            elif re.search(r"高新区|园区", self.v[s:verb]) and self.focus_zone:
                subject = self.focus_zone
            elif prev:  # 先后获得…称号 right after the firm's own words
                subject = max(prev, key=lambda x: x.start).resource
            else:
                continue
            assert subject is not None
            label = text.replace('"', "“", 1).replace('"', "”", 1)
            honour = self.linker.by_label([label, text], ("Honour",)) or self.resource_for("Honour", label)
            award = self.resource_for(
                "HonourAward",
                f"{subject.label}获评{label}",
                slug=f"{self.region_slug(subject)}--{self.region_slug(honour)}",
            )
            A = iri(award.iri)
            triples: list[Triple] = [(A, ckg("honour"), iri(honour.iri)), (iri(subject.iri), ckg("hasHonour"), A)]
            by = re.search(rf"被([{H}]{{2,12}}?)(?:认定|评为|授予)", self.v[s : verb + 4])
            if by:
                org = self.linker.by_label([by.group(1)], ("GovernmentBody", "Organization"))
                if org is not None:
                    triples.append((A, ckg("awardedBy"), iri(org.iri)))
            self.propose(
                "honour",
                f"{subject.label} 获 {label}",
                (a, b),
                "honour-list",
                0.75,
                honour,
                [award, subject],
                triples,
                key=f"{subject.iri}|{normalise(text)}",
            )

    def rule_people(self) -> None:
        v = self.v
        roles = (
            r"(书记|副书记|主任|副主任|区长|副区长|县长|副县长|市长|董事长|总经理|副总经理|经理|负责人|部长|局长|主席|"
            r"院长|所长|委员|总裁|董事|厂长|站长|运行部|办公室|管委会)"
        )
        for m in re.finditer(roles + rf"([{H}]{{2,3}}?)(说|表示|介绍|指出|称|认为|坦言|透露|获得|强调|谈到|,|\n|$)", v):
            name = m.group(2)
            if name[0] not in SURNAMES or name in GENERIC or re.search(r"[的了在是和与等将]", name):
                continue
            s, _ = self.bounds(m.start())
            head = v[s : m.start()].strip("\"' ")
            head = re.sub(r"^(据|由|经|对此|其中|目前)", "", head)
            role = m.group(1)
            orgtext = head
            # several roles: 正阳工业园区党工委委员、管委会副主任 → the last one names its organisation
            parts = orgtext.split("、")
            last = parts[-1]
            role_label = last + role
            org_name = re.sub(r"(副)?$", "", last)
            org_name = re.sub(r"(相关)$", "", org_name)
            if len(parts) > 1 and not re.match(rf"[{H}]{{2}}(区|县|市|园区|高新区)", org_name):
                prefix = re.match(rf"^([{H}]+?(?:园区|高新区|区|县|市))", parts[0])
                if prefix and not org_name.startswith(prefix.group(1)):
                    org_name = prefix.group(1) + org_name
            org_res: Resource | None = None
            firm = next(
                (x for x in self.mentions if x.kind == "enterprise" and s <= x.start < m.start() and x.resource), None
            )
            if firm is not None:
                org_res = firm.resource
            elif len(org_name) >= 3:
                org_res = self.linker.by_label(
                    [org_name],
                    (
                        "GovernmentBody",
                        "ManagementCommittee",
                        "Organization",
                        "PartyWorkingCommittee",
                        "OrganizationalUnit",
                        "TaskForce",
                    ),
                ) or self.resource_for("Organization", org_name)
            if org_res is None:
                continue
            person = self.linker.by_label([name], ("Person",)) or self.resource_for("Person", name)
            self.mentions.append(Mention(m.start(2), m.end(2), name, "person", person))
            ms = self.resource_for(
                "Membership", f"{name}—{org_res.label}", slug=f"{self.region_slug(person)}--{self.region_slug(org_res)}"
            )
            M = iri(ms.iri)
            triples: list[Triple] = [
                (M, iri(ORG + "member"), iri(person.iri)),
                (M, iri(ORG + "organization"), iri(org_res.iri)),
                (M, ckg("roleLabel"), zh(role_label if len(role_label) <= 20 else role)),
            ]
            ms.names["__no_labels"] = ""
            self.propose(
                "person-role",
                f"{name}: {role_label}",
                (s, m.end(2)),
                "person-with-role",
                0.8,
                person,
                [org_res, ms],
                triples,
                key=f"{name}|{org_res.iri}",
            )

    def rule_projects(self) -> None:
        """Projects named with their kind (…项目, …生产线, …基地, …工程, …厂, S02线), their status from the
        words that follow (投产, 开工, 签约 …), owner (the firm written before) and place."""
        v = self.v
        suffixes = r"项目|生产线|生产基地|发电厂|饲料厂|工程|[A-Z][0-9]{2}线"
        last_end = 0
        for m in re.finditer(
            rf"([{H}A-Za-z0-9]{{2,30}}?)({suffixes})(?![{H}]{{0,1}}(建设|数|个|部|库|经理|师|实验))", v
        ):
            end = m.end()
            start = left_trim(v, max(last_end, _run_start(v, m.start(2), max_len=30)), end, suffix_len=len(m.group(2)))
            last_end = end
            owner = next(
                (
                    x
                    for x in self.mentions
                    if x.kind == "enterprise" and x.resource and start <= x.start and x.end <= m.start(2)
                ),
                None,
            )
            if owner is not None:  # 重庆三磊玻纤股份有限公司50万吨…基地 → 三磊玻纤50万吨…基地
                start = owner.end
            label = strip_verbs(v[start:end], m.group(2))
            start = end - len(label)
            if v[start - 1 : start] == "、" and owner is None:
                continue  # an item of a list (…口服液、颗粒剂现代化标准生产线), not a project's name
            label = re.sub(rf"^(?:[{H}]{{2}}[区县市])?(?:首个|首条|首家)", "", label)
            start = end - len(label)
            written = v[start:end]
            if owner is not None and owner.resource is not None:
                label = (owner.short or owner.resource.label) + label
            core = written[: -len(m.group(2))]
            if len(core) < 2 or re.search(
                r"重点|重大|这|该|一批|各类|招商|市外|智能化改造|亿元以上|在建|储备|"
                r"前期|已建|示范|相关|科研|区级|市级|所有|本|多个|数字化|等|经理|组成|"
                r"加快|来自|一个|[0-9]+个|政府|高技术|产业项目|系统|一号|服务|大$|^第|实施|"
                r"全线|主体",
                core,
            ):
                continue
            if not re.search(
                r"年产|万吨|发电|焚烧|生产线|基地|厂|园|中心|小镇|工程|技改|扩能|制造|[A-Z][0-9]{2}", label
            ):
                continue
            s, e = self.sentence(m.start())
            tail = v[end : min(e, end + 30)]
            status = next((st for st, pat in PROJECT_STATUS if re.search(pat, tail)), None)
            if owner is None:
                owner = next(
                    (
                        x
                        for x in self.mentions
                        if x.kind == "enterprise"
                        and x.resource
                        and s <= x.start
                        and x.end <= start
                        and start - x.end <= 8
                    ),
                    None,
                )
            names = {written: "altLabel"} if written != label else {}
            if owner is not None and owner.full and owner.full != owner.short:
                names[owner.full + written] = "altLabel"
            proj = self.linker.by_label([label, written], ("Project",)) or self.resource_for(
                "Project", label, names=names
            )
            P = iri(proj.iri)
            triples: list[Triple] = [(P, ckg("projectStatus"), ckg(status))] if status else []
            links: list[Resource] = []
            if owner is not None and owner.resource is not None:
                triples.append((P, ckg("owner"), iri(owner.resource.iri)))
                links.append(owner.resource)
            region = self.region_at(m.start(), parks=True)
            if region is not None:
                triples.append((P, ckg("locatedIn"), iri(region.iri)))
                links.append(region)
            cap = re.search(r"年产(?:能)?([0-9.]+万?吨)", label)
            if cap:
                triples.append((P, ckg("capacity"), zh("年产" + cap.group(1))))
            if status and self.a.meta.date:
                triples.append((P, ckg("statusAsOf"), typed(self.a.meta.date, "date")))
            if not status and not (owner or cap):
                continue  # a name alone, with nothing said about it
            self.propose(
                "project",
                f"项目 {label}: {status or '状态未说明'}",
                (start, end),
                "project-status",
                0.7 if status else 0.55,
                proj,
                links,
                triples,
                key=proj.iri,
                quote_span=(start, min(e, end + len(tail))),
            )

    def rule_products(self) -> None:
        v = self.v
        for m in re.finditer(rf"(?:搭建起|建成|建起|拥有)(?:了)?({_ENUM})(?:等)?(?:现代化)?(?:标准)?(?:化)?生产线", v):
            _s, _ = self.sentence(m.start())
            firm = [
                x
                for x in self.mentions
                if x.kind == "enterprise" and x.resource and x.start < m.start() and m.start() - x.start < 200
            ]
            if not firm:
                continue
            f = max(firm, key=lambda x: x.start).resource
            assert f is not None
            for it in _items(m.group(1)):
                it = re.sub(r"(现代化|标准化|标准|自动化|智能化)+$", "", it)
                if re.search(r"[0-9第条万吨]", it):
                    continue
                i = v.index(it, m.start(1))
                self.propose(
                    "product",
                    f"{f.label} 产品 {it}",
                    (i, i + len(it)),
                    "production-lines",
                    0.7,
                    f,
                    [],
                    [(iri(f.iri), ckg("product"), zh(it))],
                    quote_span=(m.start(), m.end()),
                )
        for m in re.finditer(rf"(?:主要|主营|专业)(?:从事|生产|研发)([{H}]{{2,20}}?)(?:等|的|,|。)", v):
            firm = [
                x
                for x in self.mentions
                if x.kind == "enterprise" and x.resource and x.start < m.start() and m.start() - x.start < 40
            ]
            if firm:
                f = max(firm, key=lambda x: x.start).resource
                assert f is not None
                self.propose(
                    "product",
                    f"{f.label} 主营 {m.group(1)}",
                    (m.start(), m.end()),
                    "business-scope",
                    0.65,
                    f,
                    [],
                    [(iri(f.iri), ckg("businessScope"), zh(m.group(1)))],
                )

    # figures ------------------------------------------------------------------------------------

    def rule_figures(self) -> None:
        from graph.ingest.figures import find_figures

        for fig in find_figures(self):
            subject: Resource = fig["subject"]
            obs = self.resource_for(
                "Observation",
                f"{subject.label}{fig['indicator_label']}({fig['period'] or '未说明时期'})",
                slug=f"{self.region_slug(subject)}-{fig['indicator_slug']}-{slugify(fig['period'] or 'na')}-"
                f"{fig['kind'].lower()}-{slugify(str(fig['value']))}",
            )
            obs_node = iri(obs.iri)
            triples: list[Triple] = [
                (obs_node, ckg("subject"), iri(subject.iri)),
                (obs_node, ckg("indicator"), iri(fig["indicator"])),
                (obs_node, ckg("value"), decimal(fig["value"])),
                (obs_node, ckg("unit"), iri(fig["unit"])),
                (obs_node, ckg("figureKind"), ckg(fig["kind"])),
            ]
            if fig.get("max") is not None:
                triples.append((obs_node, ckg("valueMax"), decimal(fig["max"])))
            if fig.get("qualifier"):
                triples.append((obs_node, ckg("valueQualifier"), zh(fig["qualifier"])))
            if fig.get("growth") is not None:
                triples.append((obs_node, ckg("growthRate"), decimal(fig["growth"])))
            triples.append((obs_node, ckg("periodLabel"), zh(fig["period"] or "时期未说明")))
            if subject.new and subject.cls in ("ChainProgramme", "IndustryCluster") and self.focus_region is not None:
                triples += self.industry_triples(subject, fig.get("region") or self.focus_region)
            for p in ("periodStart", "periodEnd"):
                if fig.get(p):
                    triples.append((obs_node, ckg(p), typed(fig[p], "date")))
            links = [subject] + ([fig["indicator_res"]] if fig.get("indicator_res") else [])
            c = self.propose(
                "figure",
                f"{subject.label} {fig['indicator_label']} = {fig['text']}"
                f" ({'目标' if fig['kind'] == 'Target' else '预计' if fig['kind'] == 'Estimate' else '实际'}"
                f"{', ' + fig['period'] if fig['period'] else ''})",
                fig["span"],
                fig["rule"],
                fig["confidence"],
                obs,
                links,
                triples,
                quote_span=fig.get("quote_span"),
                key=f"{subject.iri}|{fig['indicator']}|{fig['value']}|{fig['unit']}|{fig['kind']}|{fig['period']}",
            )
            if c is not None and fig.get("conflict"):
                c.conflict = fig["conflict"]


#: Region suffixes dropped to name a region's industries (荣昌高新区 → 荣昌).
_REGION_SUFFIXES = (
    "高新技术产业开发区",
    "经济技术开发区",
    "高新区",
    "经开区",
    "工业园区",
    "开发区",
    "新区",
    "区",
    "县",
    "市",
)

#: Characters that may follow a firm's name (a part of a name followed by anything else is inside a longer name).
_AFTER_NAME = set("等和与的是在将已正于从对为被把向以及并也都还又就董总副公企集有一年累计先后研发生产投产自主")

#: Provinces and regions outside the municipality an article is about (their zones are not its parts).
PROVINCES = (
    "^(北京|天津|上海|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|海南|四川|贵州|"
    "云南|陕西|甘肃|青海|台湾|内蒙古|广西|西藏|宁夏|新疆|香港|澳门)"
)

#: Trade words in firm names → the word an industry's or chain's name uses for the same trade.
_TRADE = {
    "丝绸": "丝绸",
    "玻纤": "玻璃纤维",
    "铝业": "铝",
    "制药": "医药",
    "药业": "医药",
    "胶囊": "医药",
    "食品": "食品",
    "陶瓷": "陶瓷",
    "新材料": "新材料",
    "电子": "电子",
    "机器人": "装备",
    "微电子": "信息技术",
    "卫星": "卫星",
    "锰业": "新材料",
    "环境": "环保",
    "能源": "能源",
    "饲料": "农牧",
    "畜牧": "农牧",
}


def _zone_class(name: str) -> str:
    if re.search(r"高新技术产业开发区|高新区", name):
        return "HighTechZone"
    if re.search(r"工业园区|开发区|经开区|新区", name):
        return "IndustrialPark"
    return "SubPark"


def _items(text: str) -> list[str]:
    parts = re.split(rf"、|以及|(?<=[{H}])和(?=[{H}])", text)
    items = [p.strip("\"' ") for p in parts if p.strip("\"' ")]
    if items:  # "消费品三大百亿级", "大健康等4个": the last item ends where the count begins
        items[-1] = re.sub(rf"(?<=[{H}]{{2}})[{_CN_NUM}0-9]+大.*$", "", items[-1])
        items[-1] = re.sub(rf"(?<=[{H}]{{2}})等?(?:[0-9]+|[{_CN_NUM}]+)?[个项条家大]?$", "", items[-1])
        items[-1] = re.sub(rf"(?<=[{H}]{{2}})等$", "", items[-1])
    return items


def _run_start(view: str, end: int, *, max_len: int = 30, brackets: bool = True) -> int:
    chars = rf"[{H}A-Za-z0-9()·]" if brackets else rf"[{H}A-Za-z0-9·]"
    i = end
    while i > 0 and end - i < max_len and re.match(chars, view[i - 1]):
        i -= 1
    return i


def _u(value: str) -> Any:
    from rdflib import URIRef

    return URIRef(value)


__all__ = ["RDFS", "Rules", "en", "english", "ox"]
