"""The benchmark's questions: how chainkg is asked (REST) and how a careful SPARQL user asks a
peer for the same answer (``benchmarks/queries/*.rq``, a ``plain`` and, where a careful user
would write it differently, a ``tuned`` variant).

Each question names the canonical form (:mod:`benchmarks.equivalence`) in which both answers are
compared before anything is timed. A question may rotate over a few subjects (three
enterprises for the lookups); chainkg and the peers are asked about the same subject each time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.equivalence import literal, stem_names
from benchmarks.generate import Generator
from graph.index.keys import to_pinyin

QUERIES = Path(__file__).resolve().parent / "queries"
ID = "https://w3id.org/chainkg/id/"


def rq(name: str, **params: str) -> str:
    """The query ``benchmarks/queries/<name>.rq`` with ``%(param)s`` filled in (IRIs from the
    generator, texts escaped with :func:`benchmarks.equivalence.literal`)."""
    return (QUERIES / f"{name}.rq").read_text(encoding="utf-8") % params


Rest = Callable[[int], tuple[str, dict[str, str]]]  # subject number → (path, params)
Sparql = Callable[[int], str]  # subject number → query


@dataclass
class Question:
    """One question, as chainkg's REST call and as the peers' SPARQL variants."""

    key: str
    label: str
    heavy: bool  # fewer samples (completeness, matrix)
    kind: str | None  # canonical form for the equivalence check; None: no peer form
    rest: Rest | None  # None: a SPARQL-only question (the mix), asked on every system's endpoint
    peers: dict[str, Sparql] = field(default_factory=dict)  # "plain" / "tuned" → query
    subjects: int = 1  # how many subjects it rotates over
    in_mix: bool = False  # part of the throughput mix
    note: str = ""  # why there is no peer form

    @property
    def best(self) -> list[str]:
        """Variant names, the one a throughput mix prefers first."""
        return sorted(self.peers, key=lambda v: v != "tuned")


def first_alias(data: Path) -> str:
    """The first ``skos:altLabel`` of an enterprise in the data file (an alias to search for)."""
    with data.open(encoding="utf-8") as f:
        for line in f:
            if "/enterprise/" in line and "#altLabel>" in line:
                return line.split('"')[1]
    return "集团"


def names_of(data: Path, iri: str) -> dict[str, str]:
    """The Chinese label (``zh``) and stored pinyin (``pinyin``) of ``iri`` in the data file: the
    names are read from the data, as the enterprise's chain (which shapes its name) is drawn
    by the generator's random stream."""
    head = f"<{iri}> "
    found: dict[str, str] = {}
    with data.open(encoding="utf-8") as f:
        for line in f:
            if not line.startswith(head):
                continue
            if "#label> " in line and line.split(" ", 3)[2].endswith("@zh"):
                found.setdefault("zh", line.split('"')[1])
            elif "#pinyin> " in line:
                found.setdefault("pinyin", line.split('"')[1])
            if len(found) == 2:
                break
    return found


def questions(n: int, data: Path) -> tuple[list[Question], list[Question]]:
    """The REST questions and the SPARQL mix for a world of ``n`` enterprises (same seed as the
    generated data in ``data``)."""
    g = Generator(n, 1)
    chain = "new-energy"
    # A district of middling size (Zipf rank 3) with its zones and parks.
    region = f"{ID}place/syn-m00-d03"
    ents = [f"syn-{i:07d}" for i in (7, n // 3 + 1, (2 * n) // 3 + 5)]
    # Names of an enterprise for the name questions (as in the data; the generator's formula
    # when the data file is not there yet).
    zh, _en, legal, _short, pinyin = g.enterprise_names(n // 3 + 1, "new-energy")
    if data.exists():
        found = names_of(data, f"{ID}enterprise/{ents[1]}")
        zh, pinyin = found.get("zh", zh), found.get("pinyin", pinyin)
    core = zh[:2]

    def ent(i: int) -> str:
        return f"{ID}enterprise/{ents[i % len(ents)]}"

    def fixed(name: str, **params: str) -> Sparql:
        query = rq(name, **params)
        return lambda i: query

    def per_enterprise(name: str) -> Sparql:
        return lambda i: rq(name, e=ent(i))

    def search(role: str, text: str, *, mix: bool = True) -> Question:
        # the key names the role: the text varies by size
        stems = ", ".join(f'"{literal(s)}"' for s in stem_names(text))
        return Question(f"search:{role}", f"search “{text}”", False, "search",
                        lambda i: ("/api/search", {"q": text}),
                        {v: fixed(f"search_{v}", text=literal(text), stems=stems) for v in ("plain", "tuned")},
                        in_mix=mix)

    def exact(role: str, label: str, text: str) -> Question:
        return Question(role, f"{label} “{text}”", False, "name_exact",
                        lambda i: ("/api/search", {"q": text}),
                        {"plain": lambda i: rq("name_exact", text=literal(text))}, in_mix=True)

    def rest_only(role: str, text: str, why: str) -> Question:
        return Question(f"search:{role}", f"search “{text}”", False, None,
                        lambda i: ("/api/search", {"q": text}), note=why)

    lookup = Question("lookup", "enterprise lookup by id", False, "lookup",
                      lambda i: (f"/api/enterprises/{ent(i).rsplit('/', 1)[-1]}/chains", {}),
                      {"plain": lambda i: rq("lookup", e=ent(i))}, subjects=len(ents), in_mix=True)
    neighbours = Question("neighbours", "lookup with local suppliers/customers", False, "neighbours",
                          lookup.rest,
                          {v: per_enterprise(f"neighbours_{v}") for v in ("plain", "tuned")},
                          subjects=len(ents))
    no_pinyin = ("no peer form: the data stores pinyin for enterprises only; chainkg derives it for "
                 "every name (pypinyin), which SPARQL cannot")
    qs = [
        lookup,
        exact("name", "lookup by exact name", zh),
        exact("alias", "lookup by alias", first_alias(data)),
        search("zh-prefix", core),  # Chinese prefix (first two characters of a name)
        search("zh-inside", zh[1:3]),  # Chinese substring inside names (not at their start)
        search("legal-suffix", legal[-4:]),  # a substring of most legal names (有限公司): very many matches
        rest_only("pinyin-prefix", pinyin[:6], no_pinyin),
        rest_only("pinyin-inside", to_pinyin(zh[1:3]), no_pinyin),
        neighbours,
        Question("completeness", f"completeness {chain} in a district", True, "completeness",
                 lambda i: (f"/api/chains/{chain}/completeness", {"region": region.rsplit('/', 1)[-1]}),
                 {v: fixed(f"completeness_{v}", chain=f"{ID}chain/{chain}", region=region)
                  for v in ("plain", "tuned")}),
        Question("matrix", "regions × chains matrix", True, "matrix",
                 lambda i: ("/api/completeness/matrix", {}),
                 {v: fixed(f"matrix_{v}") for v in ("plain", "tuned")}),
    ]
    mix = [
        Question("sparql:chain_counts", "SPARQL: enterprises per chain", True, "rows", None,
                 {"plain": lambda i: rq("mix_chain_counts")}),
        Question("sparql:describe", "SPARQL: facts of an enterprise", False, "rows", None,
                 {"plain": lambda i: rq("mix_describe", e=ent(0))}),
        Question("sparql:projects", "SPARQL: projects in a municipality", False, "rows", None,
                 {"plain": lambda i: rq("mix_projects", region=region.rsplit("-", 1)[0])}),
        Question("sparql:provenance", "SPARQL: provenance of a fact", False, "rows", None,
                 {"plain": lambda i: rq("mix_provenance", e=ent(1))}),
    ]
    return qs, mix
