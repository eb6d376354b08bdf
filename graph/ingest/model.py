"""Candidate facts and the resources they link to or would create, as RDF in the graph's own model."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from graph.index.keys import normalise
from graph.ns import CKG, ID_BASE

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
XSD = "http://www.w3.org/2001/XMLSchema#"
DCT = "http://purl.org/dc/terms/"
ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"

#: Namespace of new resources by class (docs/model.md).
NAMESPACE = {
    "Enterprise": "enterprise/",
    "EnterpriseGroup": "enterprise/",
    "HighTechZone": "place/",
    "IndustrialPark": "place/",
    "SubPark": "place/",
    "Zone": "place/",
    "District": "place/",
    "Municipality": "place/",
    "EconomicCorridor": "place/",
    "IndustryCluster": "industry/",
    "ChainProgramme": "industry/",
    "IndustryPortfolio": "industry/",
    "ChainChiefSystem": "policy/",
    "ChainChiefPost": "policy/",
    "PolicyDocument": "policy/",
    "Measure": "policy/",
    "Alliance": "org/",
    "GovernmentBody": "org/",
    "ManagementCommittee": "org/",
    "Organization": "org/",
    "Project": "project/",
    "Region": "place/",
    "Person": "person/",
    "Membership": "person/",
    "Honour": "honour/",
    "HonourAward": "honour/",
    "Observation": "observation/",
    "Indicator": "indicator/",
}
CLASS_IRI = {name: (ORG + name if name in ("Organization", "Membership") else CKG[name]) for name in NAMESPACE}
#: Classes whose new resources need no label of their own (SHACL asks labels of named things only).
UNLABELLED = {"Membership"}


def iri(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


def ckg(local: str) -> ox.NamedNode:
    return ox.NamedNode(str(CKG[local]))


def zh(text: str) -> ox.Literal:
    return ox.Literal(text, language="zh")


def en(text: str) -> ox.Literal:
    return ox.Literal(text, language="en")


def typed(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))


def decimal(value: float) -> ox.Literal:
    text = f"{value:.6f}".rstrip("0")
    return typed(text + ("0" if text.endswith(".") else ""), "decimal")


Triple = tuple[ox.NamedNode, ox.NamedNode, Any]


def _words(text: str) -> list[str]:
    """Pinyin words of a name: Chinese syllables in pairs, other runs as they are."""
    from pypinyin import lazy_pinyin

    words: list[str] = []
    pending: list[str] = []
    for item in lazy_pinyin(text, errors="default"):
        if re.fullmatch(r"[a-z]+", item) and len(pending) < 2:
            pending.append(item)
            if len(pending) == 2:
                words.append("".join(pending))
                pending = []
            continue
        if pending:
            words.append("".join(pending))
            pending = []
        if re.fullmatch(r"[a-z]+", item):
            pending.append(item)
        else:
            words += [w for w in re.split(r"[^A-Za-z0-9]+", item) if w]
    if pending:
        words.append("".join(pending))
    return words


def slugify(text: str) -> str:
    """ASCII slug of a Chinese or English name (pinyin, two syllables a word, joined by ``-``).

    >>> slugify("三磊玻纤"), slugify("Luzhou City")
    ('sanlei-boxian', 'luzhou-city')
    """
    return "-".join(w.lower() for w in _words(text))[:60].strip("-") or "x"


def english(text: str) -> str:
    """English label of a Chinese name: its pinyin, capitalised (docs/model.md allows pinyin).

    >>> english("重庆三磊玻纤")
    'Chongqing Sanlei Boxian'
    """
    return " ".join(w[:1].upper() + w[1:] for w in _words(text)) or text


@dataclass
class Resource:
    """A resource a candidate links to (``new`` False) or would create (``new`` True)."""

    iri: str
    label: str
    cls: str  # class local name, e.g. Enterprise
    new: bool = False
    names: dict[str, str] = field(default_factory=dict)  # extra name → property (legalName, shortName, altLabel)

    def defining(self) -> list[Triple]:
        """Type, labels and names of a new resource (empty for an existing one)."""
        if not self.new:
            return []
        s = iri(self.iri)
        out: list[Triple] = [(s, iri(RDF_TYPE), iri(str(CLASS_IRI[self.cls])))]
        if self.cls not in UNLABELLED:
            out += [(s, iri(RDFS + "label"), zh(self.label)), (s, iri(RDFS + "label"), en(english(self.label)))]
        for name, prop in sorted(self.names.items()):
            if name == "__notStated_locatedIn":
                out.append((s, iri(str(CKG["notStated"])), iri(str(CKG["locatedIn"]))))
                continue
            if name.startswith("__") or normalise(name) == normalise(self.label):
                continue
            p = SKOS + "altLabel" if prop == "altLabel" else str(CKG[prop])
            out.append((s, iri(p), zh(name)))
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"iri": self.iri, "label": self.label, "class": self.cls, "new": self.new}


def new_iri(cls: str, slug: str) -> str:
    return f"{ID_BASE}{NAMESPACE[cls]}{slug}"


@dataclass
class Candidate:
    """One proposed fact: what it says, the quote that states it, and the RDF it would add."""

    kind: str
    summary: str
    quote: str
    start: int  # the quote's span in the article's own text
    end: int
    rule: str
    confidence: float
    subject: Resource
    links: list[Resource] = field(default_factory=list)
    triples: list[Triple] = field(default_factory=list)
    conflict: str | None = None
    key: str = ""

    @property
    def id(self) -> str:
        """Stable identity: the same fact from the same article gets the same id."""
        return "c" + hashlib.sha1(self.key.encode()).hexdigest()[:10]

    def all_triples(self) -> list[Triple]:
        """The fact's triples plus the definitions of the new resources it relies on."""
        seen: set[tuple[str, str, str]] = set()
        out: list[Triple] = []
        for r in [self.subject, *self.links]:
            for t in r.defining():
                k = (str(t[0]), str(t[1]), str(t[2]))
                if k not in seen:
                    seen.add(k)
                    out.append(t)
        for t in self.triples:
            k = (str(t[0]), str(t[1]), str(t[2]))
            if k not in seen:
                seen.add(k)
                out.append(t)
        return out

    def ntriples(self) -> str:
        """The candidate's RDF as N-Triples (what accepting it adds, inside its claim graph)."""
        return "".join(f"{s} {p} {o} .\n" for s, p, o in self.all_triples())
