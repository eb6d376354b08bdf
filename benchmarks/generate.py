"""Seeded generator of synthetic chainkg graphs, streamed to disk as N-Quads.

The output follows docs/model.md exactly like the seeds: every fact sits in a claim named graph
whose provenance record (``a ckg:Claim``, ``prov:wasDerivedFrom`` a synthetic
``ckg:SourceDocument``, ``ckg:evidence``, ``ckg:basis``) lives in ``graph:provenance``. The file
starts with the ontology (in ``graph:ontology``), the curated chain templates and the document
descriptions exactly as ``graph.build.loading.build`` would load them, so one file feeds chainkg and the
peer systems alike.

What is generated for ``N`` enterprises (all counts scale with ``N``):

* municipalities → districts → zones → parks (``ckg:partOf``), with labels @zh/@en;
* ``N`` enterprises: ``rdfs:label`` @zh and @en, ``ckg:legalName``, ``ckg:shortName``,
  ``ckg:pinyin`` (built from the same syllables as the Chinese name, so no pypinyin is needed at
  load time), ``ckg:locatedIn`` a park or zone, ``ckg:operatesIn`` 1–3 segments of the curated
  chain templates with Zipf-like skew (and a regional specialisation per district);
* projects (``ckg:forSegment``, ``ckg:projectStatus``, ``ckg:locatedIn``, ``ckg:owner``),
  figures (``ckg:Observation``), 链长制 records (``ckg:ChainChiefSystem`` with regional chain
  programmes) and alliances of districts.

Roughly 10 quads per enterprise: 1M enterprises ≈ 10M quads.

    python -m benchmarks.generate --enterprises 100000 --seed 1 -o out.nq
"""

from __future__ import annotations

import argparse
import bisect
import io
import itertools
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

CKG = "https://w3id.org/chainkg/ontology#"
ID = "https://w3id.org/chainkg/id/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
DCT = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
PROVENANCE = ID + "graph/provenance"

# Name characters, each with exactly one reading in pypinyin's character table, so the pinyin
# written here equals what pypinyin derives (checked by tests/benchmarks).
SYLLABLES: dict[str, str] = {
    "瑞": "rui", "耀": "yao", "磊": "lei", "鑫": "xin", "华": "hua", "锦": "jin", "泰": "tai",
    "丰": "feng", "盛": "sheng", "宏": "hong", "嘉": "jia", "凯": "kai", "恒": "heng", "源": "yuan",
    "森": "sen", "富": "fu", "昌": "chang", "兴": "xing", "明": "ming", "康": "kang", "润": "run",
    "达": "da", "飞": "fei", "峰": "feng", "杰": "jie", "俊": "jun", "坤": "kun", "林": "lin",
    "龙": "long", "美": "mei", "宁": "ning", "鹏": "peng", "琪": "qi", "荣": "rong", "胜": "sheng",
    "腾": "teng", "伟": "wei", "祥": "xiang", "欣": "xin", "旭": "xu", "扬": "yang", "毅": "yi",
    "宇": "yu", "越": "yue", "哲": "zhe", "振": "zhen", "志": "zhi", "卓": "zhuo", "安": "an",
    "博": "bo", "晨": "chen", "诚": "cheng", "川": "chuan", "东": "dong", "芳": "fang", "钢": "gang",
    "光": "guang", "海": "hai", "航": "hang", "浩": "hao", "辉": "hui", "佳": "jia", "江": "jiang",
    "金": "jin", "晶": "jing", "科": "ke", "蓝": "lan", "力": "li", "联": "lian", "铭": "ming",
    "南": "nan", "鸥": "ou", "平": "ping", "秦": "qin", "青": "qing", "泉": "quan", "山": "shan",
    "顺": "shun", "松": "song", "天": "tian", "拓": "tuo", "万": "wan", "威": "wei", "文": "wen",
    "希": "xi", "新": "xin", "亚": "ya", "岩": "yan", "阳": "yang", "益": "yi", "银": "yin",
    "永": "yong", "优": "you", "远": "yuan", "云": "yun", "泽": "ze", "章": "zhang", "正": "zheng",
    "州": "zhou", "竹": "zhu", "紫": "zi", "奥": "ao", "邦": "bang", "驰": "chi", "鼎": "ding",
    "福": "fu", "港": "gang", "贵": "gui", "豪": "hao", "鸿": "hong", "虎": "hu", "吉": "ji",
}
_CHARS = list(SYLLABLES)

# Trade words per chain (zh, pinyin, English); names read as "<core><trade>".
TRADES: dict[str, list[tuple[str, str, str]]] = {
    "glass-fibre": [("玻纤", "boxian", "Glass Fibre"), ("复材", "fucai", "Composites")],
    "aluminium": [("铝业", "lvye", "Aluminium"), ("金属", "jinshu", "Metals")],
    "silk": [("丝绸", "sichou", "Silk"), ("茧丝", "jiansi", "Cocoon Silk")],
    "biomedicine": [("制药", "zhiyao", "Pharmaceutical"), ("生物", "shengwu", "Biotech")],
    "cigarettes": [("烟草", "yancao", "Tobacco"), ("烟叶", "yanye", "Leaf Tobacco")],
    "new-energy": [("能源", "nengyuan", "Energy"), ("电池", "dianchi", "Batteries")],
    "smart-culture-tourism": [("文旅", "wenlv", "Culture and Tourism"), ("旅游", "lvyou", "Tourism")],
    "big-health": [("健康", "jiankang", "Health"), ("养生", "yangsheng", "Wellness")],
    "consumer-goods": [("食品", "shipin", "Foods"), ("日化", "rihua", "Daily Chemicals")],
    "equipment-manufacturing": [("机械", "jixie", "Machinery"), ("装备", "zhuangbei", "Equipment")],
    "ceramics": [("陶瓷", "taoci", "Ceramics"), ("瓷业", "ciye", "Porcelain")],
    "agri-livestock": [("农业", "nongye", "Agriculture"), ("牧业", "muye", "Livestock")],
    "next-gen-it": [("电子", "dianzi", "Electronics"), ("信息", "xinxi", "Information")],
    "energy-saving-environmental": [("环保", "huanbao", "Environmental"), ("节能", "jieneng", "Energy Saving")],
    "satellite": [("航天", "hangtian", "Aerospace"), ("卫星", "weixing", "Satellite")],
}
FORMS = [("科技", "keji", "Technology"), ("实业", "shiye", "Industries"), ("", "", "")]

DISTRICT_SUFFIX = ("区", "District")
ZONE_KINDS = [("高新区", "High-tech Zone", "HighTechZone"), ("工业园区", "Industrial Park", "IndustrialPark")]
PARK_SUFFIX = ("产业园", "Industrial Park")
STATUSES = ("Planned", "UnderConstruction", "InOperation")
INDICATORS = [("annual-tax", "unit-10k-yuan"), ("annual-profit", "unit-10k-yuan"),
              ("production-capacity", "unit-10k-tonnes"), ("gross-output", "unit-100m-yuan")]


def iri(local: str) -> str:
    return ID + local


def lit(text: str, lang: str | None = None, datatype: str | None = None) -> str:
    """An N-Quads literal (escaping quotes, backslashes and line breaks)."""
    body = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    if lang:
        return f'"{body}"@{lang}'
    if datatype:
        return f'"{body}"^^<{datatype}>'
    return f'"{body}"'


@dataclass
class Place:
    iri: str
    kind: str  # ckg class local name
    zh: str
    en: str
    parent: str | None
    district: int = -1  # index of the district it lies in (for regional specialisation)


@dataclass
class Templates:
    """Chain templates read from seeds/templates.trig (reused, never re-invented)."""

    chains: list[str] = field(default_factory=list)  # slugs, e.g. "glass-fibre"
    segments: dict[str, list[str]] = field(default_factory=dict)  # chain slug → segment IRIs


def read_templates(path: Path | None = None) -> Templates:
    import pyoxigraph as ox

    path = path or Path(__file__).resolve().parent.parent / "seeds" / "templates.trig"
    seg_of = CKG + "segmentOf"
    t = Templates()
    for q in ox.parse(path=str(path), format=ox.RdfFormat.TRIG):
        if q.predicate.value == seg_of:
            chain = q.object.value.rsplit("/", 1)[-1]
            t.segments.setdefault(chain, []).append(q.subject.value)
    for chain in t.segments:
        t.segments[chain].sort()
    t.chains = sorted(t.segments)
    return t


def base_quads() -> Iterator[str]:
    """The ontology, chain templates, indicator vocabulary and documents, as chainkg loads them."""
    import pyoxigraph as ox

    from graph.build.loading import ontology_dir, read_files, seed_files

    seeds = [p for p in seed_files() if p.name in ("templates.trig", "documents.trig")]
    quads = read_files([ontology_dir() / "chainkg.ttl", *seeds])
    out = io.BytesIO()
    ox.serialize(quads, out, format=ox.RdfFormat.N_QUADS)
    yield out.getvalue().decode()


class Writer:
    """Buffered N-Quads writer that counts quads."""

    def __init__(self, out: io.TextIOBase) -> None:
        self.out = out
        self.buf: list[str] = []
        self.count = 0

    def q(self, s: str, p: str, o: str, g: str) -> None:
        self.buf.append(f"<{s}> <{p}> {o} <{g}> .\n")
        self.count += 1
        if len(self.buf) >= 50_000:
            self.flush()

    def raw(self, text: str) -> None:
        self.flush()
        self.out.write(text)
        self.count += text.count("\n")

    def flush(self) -> None:
        if self.buf:
            self.out.write("".join(self.buf))
            self.buf.clear()


class Generator:
    """Generates one synthetic world; ``write`` streams it."""

    def __init__(self, enterprises: int, seed: int = 1) -> None:
        self.n = enterprises
        self.rng = random.Random(seed)
        self.templates = read_templates()
        self.n_docs = max(20, enterprises // 2000)
        self.claim_no = itertools.count()
        self.places: list[Place] = []
        self.districts: list[Place] = []
        self.sites: list[Place] = []  # zones and parks where enterprises sit
        self.municipalities: list[Place] = []
        # Zipf-like weights over every segment (in a seeded random order).
        segs = [(c, s) for c in self.templates.chains for s in self.templates.segments[c]]
        self.rng.shuffle(segs)
        self.all_segments = segs
        self.seg_cum = list(itertools.accumulate(1.0 / (r + 1) ** 0.9 for r in range(len(segs))))

    # --- helpers ------------------------------------------------------------------------------

    def core(self, length: int) -> tuple[str, str]:
        chars = [self.rng.choice(_CHARS) for _ in range(length)]
        return "".join(chars), "".join(SYLLABLES[c] for c in chars)

    def doc(self) -> str:
        return iri(f"document/syn-{self.rng.randrange(self.n_docs):05d}")

    def claim(self, w: Writer, evidence: str, *, inferred: str | None = None) -> str:
        g = iri(f"claim/syn-{next(self.claim_no):08d}")
        w.q(g, RDF_TYPE, f"<{CKG}Claim>", PROVENANCE)
        w.q(g, PROV_DERIVED, f"<{self.doc()}>", PROVENANCE)
        w.q(g, CKG + "evidence", lit(evidence[:50]), PROVENANCE)
        if inferred:
            w.q(g, CKG + "basis", f"<{CKG}Inferred>", PROVENANCE)
            w.q(g, CKG + "reasoning", lit(inferred, "en"), PROVENANCE)
        else:
            w.q(g, CKG + "basis", f"<{CKG}Stated>", PROVENANCE)
        return g

    def pick_segment(self) -> tuple[str, str]:
        x = self.rng.random() * self.seg_cum[-1]
        return self.all_segments[bisect.bisect_left(self.seg_cum, x)]

    # --- parts --------------------------------------------------------------------------------

    def documents(self, w: Writer) -> None:
        for k in range(self.n_docs):
            d = iri(f"document/syn-{k:05d}")
            title = f"合成报道第{k}号"
            w.q(d, RDF_TYPE, f"<{CKG}SourceDocument>", PROVENANCE)
            w.q(d, RDFS_LABEL, lit(title, "zh"), PROVENANCE)
            w.q(d, RDFS_LABEL, lit(f"Synthetic report {k}", "en"), PROVENANCE)
            w.q(d, CKG + "fileName", lit(f"syn_{k:05d}.txt"), PROVENANCE)
            w.q(d, DCT + "title", lit(title, "zh"), PROVENANCE)
            w.q(d, DCT + "publisher", lit("合成日报", "zh"), PROVENANCE)
            w.q(d, DCT + "date", lit(f"202{k % 4}-0{1 + k % 9}-1{k % 10}", datatype=XSD + "date"), PROVENANCE)

    def place(self, w: Writer, p: Place) -> None:
        g = self.claim(w, f"{p.zh}位于{self.by_iri[p.parent].zh}" if p.parent else f"{p.zh}概况")
        w.q(p.iri, RDF_TYPE, f"<{CKG}{p.kind}>", g)
        w.q(p.iri, RDFS_LABEL, lit(p.zh, "zh"), g)
        w.q(p.iri, RDFS_LABEL, lit(p.en, "en"), g)
        if p.parent:
            w.q(p.iri, CKG + "partOf", f"<{p.parent}>", g)

    def geography(self, w: Writer) -> None:
        n_mun = max(2, round(self.n / 50_000))
        self.by_iri: dict[str, Place] = {}
        used: set[str] = set()

        def name(length: int) -> tuple[str, str]:
            while True:
                zh, py = self.core(length)
                if zh not in used:
                    used.add(zh)
                    return zh, py

        for m in range(n_mun):
            zh, py = name(2)
            mun = Place(iri(f"place/syn-m{m:02d}"), "Municipality", zh + "市", py.title() + " City", None)
            self.municipalities.append(mun)
            self.places.append(mun)
            for d in range(12):
                zh, py = name(2)
                dist = Place(f"{mun.iri}-d{d:02d}", "District", zh + DISTRICT_SUFFIX[0],
                             f"{py.title()} {DISTRICT_SUFFIX[1]}", mun.iri, len(self.districts))
                self.districts.append(dist)
                self.places.append(dist)
                for z in range(2):
                    zk = ZONE_KINDS[z % 2]
                    zone = Place(f"{dist.iri}-z{z}", zk[2], dist.zh[:-1] + zk[0], f"{py.title()} {zk[1]}",
                                 dist.iri, dist.district)
                    self.places.append(zone)
                    self.sites.append(zone)
                    for k in range(3):
                        pzh, ppy = name(2)
                        park = Place(f"{zone.iri}-p{k}", "SubPark", pzh + PARK_SUFFIX[0],
                                     f"{ppy.title()} {PARK_SUFFIX[1]}", zone.iri, dist.district)
                        self.places.append(park)
                        self.sites.append(park)
        for p in self.places:
            self.by_iri[p.iri] = p
        for p in self.places:
            self.place(w, p)
        # District specialities: three favourite chains per district.
        self.specialities = [self.rng.sample(self.templates.chains, 3) for _ in self.districts]
        # Zipf-like district sizes.
        self.district_cum = list(itertools.accumulate(1.0 / (r + 1) ** 0.7 for r in range(len(self.districts))))
        self.sites_by_district: dict[int, list[Place]] = {}
        for s in self.sites:
            self.sites_by_district.setdefault(s.district, []).append(s)

    def enterprises(self, w: Writer) -> None:
        batch: list[int] = []
        for i in range(self.n):
            batch.append(i)
            if len(batch) >= self.rng.randint(1, 5):
                self.enterprise_claim(w, batch)
                batch = []
        if batch:
            self.enterprise_claim(w, batch)

    def enterprise_claim(self, w: Writer, ids: list[int]) -> None:
        rows = []
        for i in ids:
            x = self.rng.random() * self.district_cum[-1]
            district = bisect.bisect_left(self.district_cum, x)
            site = self.rng.choice(self.sites_by_district[district])
            if self.rng.random() < 0.6:
                chain = self.rng.choice(self.specialities[district])
                seg = self.rng.choice(self.templates.segments[chain])
                segs = {seg}
            else:
                chain, seg = self.pick_segment()
                segs = {seg}
            for _ in range(self.rng.choice((0, 0, 0, 1, 1, 2))):
                segs.add(self.rng.choice(self.templates.segments[chain]))
            rows.append((i, site, chain, sorted(segs)))
        quote = "、".join(self.enterprise_names(i, chain)[0] for i, _, chain, _ in rows)
        g = self.claim(w, f"{quote}等企业入驻")
        for i, site, chain, segs in rows:
            e = iri(f"enterprise/syn-{i:07d}")
            zh, en, legal, short, pinyin = self.enterprise_names(i, chain)
            w.q(e, RDF_TYPE, f"<{CKG}Enterprise>", g)
            w.q(e, RDFS_LABEL, lit(zh, "zh"), g)
            w.q(e, RDFS_LABEL, lit(en, "en"), g)
            w.q(e, CKG + "legalName", lit(legal, "zh"), g)
            w.q(e, CKG + "shortName", lit(short, "zh"), g)
            w.q(e, CKG + "pinyin", lit(pinyin), g)
            w.q(e, CKG + "locatedIn", f"<{site.iri}>", g)
            for s in segs:
                w.q(e, CKG + "operatesIn", f"<{s}>", g)
            if i % 50 == 7:
                w.q(e, SKOS_ALT, lit(short + "集团", "zh"), g)

    def enterprise_names(self, i: int, chain: str) -> tuple[str, str, str, str, str]:
        """Names of enterprise ``i`` (deterministic in ``i`` and the chain, independent of the rng)."""
        r = random.Random(i * 7919 + 17)
        chars = [r.choice(_CHARS) for _ in range(2 if r.random() < 0.3 else 3)]
        core = "".join(chars)
        core_py = "".join(SYLLABLES[c] for c in chars)
        trade = r.choice(TRADES[chain])
        form = r.choice(FORMS)
        zh = core + trade[0]
        pinyin = core_py + trade[1]
        en = f"{core_py.title()} {trade[2]}" + (f" {form[2]}" if form[2] else "")
        legal = f"{core}{trade[0]}{form[0]}有限公司"
        return zh, en, legal, core + trade[0][:1], pinyin

    def projects(self, w: Writer) -> None:
        for k in range(max(10, self.n // 20)):
            chain, seg = self.pick_segment()
            site = self.rng.choice(self.sites)
            owner = self.rng.randrange(self.n)
            zh_core, py = self.core(2)
            p = iri(f"project/syn-{k:06d}")
            zh = f"{site.zh}{zh_core}{TRADES[chain][0][0]}项目"
            g = self.claim(w, f"{zh}开工建设")
            w.q(p, RDF_TYPE, f"<{CKG}Project>", g)
            w.q(p, RDFS_LABEL, lit(zh, "zh"), g)
            w.q(p, RDFS_LABEL, lit(f"{py.title()} {TRADES[chain][0][2]} project", "en"), g)
            w.q(p, CKG + "forSegment", f"<{seg}>", g)
            w.q(p, CKG + "projectStatus", f"<{CKG}{self.rng.choice(STATUSES)}>", g)
            w.q(p, CKG + "locatedIn", f"<{site.iri}>", g)
            w.q(p, CKG + "owner", f"<{iri(f'enterprise/syn-{owner:07d}')}>", g)

    def figures(self, w: Writer) -> None:
        for k in range(max(10, self.n // 20)):
            subject = (iri(f"enterprise/syn-{self.rng.randrange(self.n):07d}") if k % 4
                       else self.rng.choice(self.sites).iri)
            ind, unit = self.rng.choice(INDICATORS)
            year = 2019 + k % 5
            o = iri(f"observation/syn-{k:06d}")
            value = round(self.rng.lognormvariate(5, 1.2), 1)
            g = self.claim(w, f"{year}年实现{value}")
            w.q(o, RDF_TYPE, f"<{CKG}Observation>", g)
            w.q(o, CKG + "subject", f"<{subject}>", g)
            w.q(o, CKG + "indicator", f"<{iri('indicator/' + ind)}>", g)
            w.q(o, CKG + "value", lit(str(value), datatype=XSD + "decimal"), g)
            w.q(o, CKG + "unit", f"<{iri('indicator/' + unit)}>", g)
            w.q(o, CKG + "figureKind", f"<{CKG}Actual>", g)
            w.q(o, CKG + "periodLabel", lit(f"{year}年", "zh"), g)
            w.q(o, CKG + "periodEnd", lit(f"{year}-12-31", datatype=XSD + "date"), g)

    def chain_chiefs(self, w: Writer) -> None:
        for d, dist in enumerate(self.districts):
            if d % 3 == 2:
                continue
            chains = self.specialities[d]
            g = self.claim(w, f"{dist.zh}全面推行“链长制”")
            pol = dist.iri.replace("/place/", "/policy/") + "-chain-chief"
            post = pol + "-post"
            w.q(pol, RDF_TYPE, f"<{CKG}ChainChiefSystem>", g)
            w.q(pol, RDFS_LABEL, lit(f"{dist.zh}产业链“链长制”", "zh"), g)
            w.q(pol, RDFS_LABEL, lit(f"{dist.en} chain-chief system", "en"), g)
            w.q(pol, CKG + "region", f"<{dist.iri}>", g)
            w.q(pol, CKG + "since", lit(f"202{d % 4}", datatype=XSD + "gYear"), g)
            w.q(pol, CKG + "chiefPost", f"<{post}>", g)
            w.q(post, RDF_TYPE, f"<{CKG}ChainChiefPost>", g)
            w.q(post, RDFS_LABEL, lit(f"{dist.zh}产业链链长", "zh"), g)
            w.q(post, RDFS_LABEL, lit(f"{dist.en} chain chief", "en"), g)
            w.q(post, CKG + "notStated", "<http://www.w3.org/ns/org#heldBy>", g)
            for chain in chains:
                ind = dist.iri.replace("/place/", "/industry/") + f"-{chain}"
                w.q(pol, CKG + "appliesTo", f"<{ind}>", g)
                w.q(ind, RDF_TYPE, f"<{CKG}ChainProgramme>", g)
                w.q(ind, RDFS_LABEL, lit(f"{dist.zh}{TRADES[chain][0][0]}产业链", "zh"), g)
                w.q(ind, RDFS_LABEL, lit(f"{dist.en} {TRADES[chain][0][2]} chain", "en"), g)
                w.q(ind, CKG + "region", f"<{dist.iri}>", g)
                w.q(ind, CKG + "coversChain", f"<{iri('chain/' + chain)}>", g)

    def alliances(self, w: Writer) -> None:
        for m, mun in enumerate(self.municipalities):
            for k in range(2):
                a = iri(f"org/syn-alliance-{m:02d}-{k}")
                members = self.rng.sample(self.districts, min(4, len(self.districts)))
                g = self.claim(w, f"{mun.zh}等地组建产业联盟")
                w.q(a, RDF_TYPE, f"<{CKG}Alliance>", g)
                w.q(a, RDFS_LABEL, lit(f"{mun.zh}产业协作联盟{k + 1}", "zh"), g)
                w.q(a, RDFS_LABEL, lit(f"{mun.en} industrial alliance {k + 1}", "en"), g)
                for d in members:
                    w.q(a, CKG + "allianceMember", f"<{d.iri}>", g)

    def write(self, out: io.TextIOBase) -> int:
        w = Writer(out)
        for text in base_quads():
            w.raw(text)
        self.documents(w)
        self.geography(w)
        self.enterprises(w)
        self.projects(w)
        self.figures(w)
        self.chain_chiefs(w)
        self.alliances(w)
        w.flush()
        return w.count


def generate(path: str | Path, enterprises: int, seed: int = 1) -> int:
    """Write the synthetic graph to ``path`` (N-Quads); return the number of quads."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".part")
    with tmp.open("w", encoding="utf-8", buffering=1 << 20) as out:
        n = Generator(enterprises, seed).write(out)
    tmp.replace(path)
    return n


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--enterprises", type=int, default=10_000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("-o", "--output", required=True)
    args = p.parse_args(argv)
    t = time.perf_counter()
    n = generate(args.output, args.enterprises, args.seed)
    print(f"{n} quads, {args.enterprises} enterprises -> {args.output} in {time.perf_counter() - t:.1f}s",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
