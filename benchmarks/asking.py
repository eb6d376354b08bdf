"""Asking one running system the benchmark's questions: first the equivalence check, then the
timing, then the throughput over the same mix of questions.

For every question chainkg's REST answer (one per subject) is the *reference*. Each peer query
variant is fetched once per subject and compared with it (:mod:`benchmarks.equivalence`); only a
variant whose check passed is timed. A failed check is printed and kept in the results with its
differences, never timed. chainkg in remote mode is checked against the embedded chainkg's
answers the same way.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx

from benchmarks.equivalence import Canonical, canonical_peer, canonical_rest, compare
from benchmarks.questions import Question

#: Reference answers of one size: question key → canonical form per subject.
References = dict[str, list[Canonical]]


@dataclass
class Settings:
    reps: int  # latency samples per question
    heavy_reps: int  # for completeness and matrix
    time_bound: float  # seconds per (system, question)
    request_timeout: float
    clients: int
    requests: int  # throughput: requests in total
    load_bound: float  # throughput: seconds at most


class Target:
    """How to ask one running system."""

    def __init__(self, system: str, base: str, sparql_path: str, timeout: float) -> None:
        self.system = system
        self.base = base
        self.sparql_path = sparql_path
        self.client = httpx.Client(base_url=base, timeout=timeout)
        #: called after a request timed out, for a server that keeps working on abandoned queries
        self.recover: Callable[[], None] | None = None

    @property
    def is_chainkg(self) -> bool:
        return self.system.startswith("chainkg")

    def _get(self, q: Question, i: int) -> httpx.Response:
        assert q.rest is not None
        path, params = q.rest(i)
        r = self.client.get(path, params=params)
        if r.status_code != 200:
            raise RuntimeError(f"{self.system} {q.key}: HTTP {r.status_code}: {r.text[:200]}")
        return r

    def _post(self, query: str, key: str) -> httpx.Response:
        r = self.client.post(self.sparql_path, data={"query": query},
                             headers={"Accept": "application/sparql-results+json"})
        if r.status_code != 200:
            raise RuntimeError(f"{self.system} {key}: HTTP {r.status_code}: {r.text[:200]}")
        return r

    def call(self, q: Question, variant: str) -> Callable[[int], int]:
        """A function asking ``q`` about subject ``i`` (REST for ``variant == "rest"``, else that
        SPARQL variant) and returning the response size in bytes. Raises on a non-200 answer."""
        if variant == "rest":
            return lambda i: len(self._get(q, i).content)
        query = q.peers[variant]
        return lambda i: len(self._post(query(i), q.key).content)

    def answer(self, q: Question, variant: str, i: int) -> Any:
        """The parsed JSON answer to ``q`` about subject ``i``."""
        if variant == "rest":
            return self._get(q, i).json()
        return self._post(q.peers[variant](i), q.key).json()

    def close(self) -> None:
        self.client.close()


def measure(call: Callable[[int], int], q: Question, s: Settings) -> dict[str, Any]:
    """Median and p99 latency (ms) of ``call``: one warm-up, then up to ``reps`` samples (the
    subjects in turn) within the time bound."""
    reps = s.heavy_reps if q.heavy else s.reps
    out: dict[str, Any] = {}
    try:
        t = time.perf_counter()
        out["bytes"] = call(0)
        out["first_ms"] = round((time.perf_counter() - t) * 1000, 2)
        samples: list[float] = []
        bound = time.perf_counter() + s.time_bound
        while len(samples) < reps and time.perf_counter() < bound:
            t = time.perf_counter()
            call(len(samples) % q.subjects)
            samples.append((time.perf_counter() - t) * 1000)
        if not samples:
            samples = [out["first_ms"]]
        samples.sort()
        out["n"] = len(samples)
        out["median_ms"] = round(statistics.median(samples), 2)
        out["p99_ms"] = round(samples[min(len(samples) - 1, math.ceil(0.99 * len(samples)) - 1)], 2)
    except (httpx.HTTPError, RuntimeError) as err:
        out["error"] = f"{type(err).__name__}: {str(err)[:200]}"
    return out


def check(target: Target, q: Question, variant: str, refs: References) -> dict[str, Any]:
    """Fetch the answer of every subject and compare it with the reference.

    chainkg's REST answer (and, for the SPARQL mix, chainkg's /sparql answer) becomes the
    reference when there is none yet; any other answer must hold the same content.
    Returns ``{"passed": bool, "detail": str}``.
    """
    assert q.kind is not None
    canon = canonical_rest if variant == "rest" else canonical_peer
    try:
        found = [canon(q.kind, target.answer(q, variant, i)) for i in range(q.subjects)]
    except (httpx.HTTPError, RuntimeError, ValueError) as err:
        return {"passed": False, "answered": False, "detail": f"no answer: {type(err).__name__}: {str(err)[:200]}"}
    except (KeyError, TypeError) as err:
        return {"passed": False, "detail": f"answer not in the expected shape: {type(err).__name__}: {err}"}
    if q.key not in refs:
        if not target.is_chainkg:
            return {"passed": False, "detail": "no reference: chainkg did not answer at this size"}
        if all(not any(part for part in canon_.values()) for canon_ in found):
            # an empty answer would make every peer "equivalent": the question proves nothing
            return {"passed": False, "detail": "chainkg's answer is empty: nothing to compare"}
        refs[q.key] = found
        return {"passed": True, "detail": "reference"}
    problems = [f"subject {i}: {d}" for i, (ref, got) in enumerate(zip(refs[q.key], found, strict=True))
                for d in compare(ref, got)]
    if problems:
        return {"passed": False, "detail": "; ".join(problems[:8]) + (" …" if len(problems) > 8 else "")}
    return {"passed": True, "detail": f"same content as chainkg ({q.subjects} subject(s))"}


def ask(target: Target, qs: list[Question], s: Settings, refs: References, *,
        sparql_only: bool = False) -> dict[str, dict[str, Any]]:
    """Check, then time, every question on ``target``: chainkg by REST (the SPARQL mix through
    its /sparql), a peer by each SPARQL variant. ``sparql_only``: the questions are the mix."""
    out: dict[str, dict[str, Any]] = {}
    for q in qs:
        entry: dict[str, Any] = {"question": q.key, "label": q.label, "variants": {}, "checks": {}}
        if target.is_chainkg and not sparql_only:
            variants = ["rest"]
        else:
            variants = list(q.peers)
            if not variants:
                entry["note"] = q.note
        for v in variants:
            if q.kind is not None:
                c = check(target, q, v, refs)
                if "Timeout" in c["detail"]:
                    _recover(target)
                entry["checks"][v] = c
                if not c["passed"] and c.get("answered", True) is False:
                    # no answer at all (time-out, HTTP error): nothing to compare or time
                    print(f"    NO ANSWER {target.system} {q.key} [{v}]: {c['detail']}", flush=True)
                    entry["variants"][v] = {"error": c["detail"]}
                    continue
                if not c["passed"]:
                    print(f"    EQUIVALENCE FAILED {target.system} {q.key} [{v}]: {c['detail']}", flush=True)
                    entry["variants"][v] = {"skipped": "equivalence check failed: not timed"}
                    continue
            entry["variants"][v] = m = measure(target.call(q, v), q, s)
            if "Timeout" in m.get("error", ""):
                _recover(target)
        out[q.key] = entry
    return out


def _recover(target: Target) -> None:
    if target.recover is not None:
        print(f"    (restarting {target.system} after a time-out)", flush=True)
        target.recover()


def throughput(target: Target, qs: list[Question], asked: dict[str, dict[str, Any]], s: Settings) -> dict[str, Any]:
    """Requests per second with ``clients`` concurrent clients over the mix (the ``in_mix``
    questions, subjects in turn): chainkg by REST, a peer by its fastest-written variant that
    passed the check (tuned, else plain). At most ``requests`` requests and ``load_bound`` s."""
    calls: list[tuple[Question, str]] = []
    for q in qs:
        if not q.in_mix:
            continue
        passed = [v for v in (["rest"] if target.is_chainkg else q.best)
                  if asked.get(q.key, {}).get("checks", {}).get(v, {}).get("passed")]
        if passed:
            calls.append((q, passed[0]))
    if not calls:
        return {"clients": s.clients, "requests": 0, "errors": 0, "seconds": 0.0, "rps": 0.0, "mix": []}
    deadline = time.perf_counter() + s.load_bound
    done = errors = timeouts = 0

    def worker(k: int) -> tuple[int, int, int]:
        ok = bad = late = 0
        client = Target(target.system, target.base, target.sparql_path, s.request_timeout)
        try:
            for i in range(k, s.requests, s.clients):
                if time.perf_counter() > deadline:
                    break
                q, v = calls[i % len(calls)]
                try:
                    client.call(q, v)((i // len(calls)) % q.subjects)
                    ok += 1
                except httpx.TimeoutException:  # no answer within the request time-out: not counted as done
                    late += 1
                except (httpx.HTTPError, RuntimeError):
                    bad += 1
        finally:
            client.close()
        return ok, bad, late

    t = time.perf_counter()
    with ThreadPoolExecutor(s.clients) as pool:
        for ok, bad, late in pool.map(worker, range(s.clients)):
            done += ok
            errors += bad
            timeouts += late
    elapsed = time.perf_counter() - t
    return {"clients": s.clients, "requests": done, "errors": errors, "timeouts": timeouts,
            "seconds": round(elapsed, 2),
            "rps": round(done / elapsed, 1) if elapsed else 0.0, "mix": [f"{q.key} [{v}]" for q, v in calls]}
