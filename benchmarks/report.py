"""Tables, plot and JSON of the benchmark results."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PEERS = ("oxigraph", "rdflib-endpoint")


def _fmt(x: Any) -> str:
    if x is None:
        return "—"
    if isinstance(x, float):
        return f"{x:.2f}" if x < 100 else f"{x:.0f}"
    return str(x)


def _timed(entry: dict[str, Any] | None, variant: str) -> dict[str, Any] | None:
    """The measurement of one variant when it was timed (check passed, no error)."""
    m = ((entry or {}).get("variants") or {}).get(variant)
    return m if m and "median_ms" in m else None


def _cell(entry: dict[str, Any] | None, variant: str) -> str:
    m = ((entry or {}).get("variants") or {}).get(variant)
    if not m:
        return "—"
    if "median_ms" in m:
        return f"{m['median_ms']:.2f} / {m['p99_ms']:.2f}"
    if "skipped" in m:
        return "not timed (check failed)"
    return "failed: " + str(m.get("error", ""))[:60].replace("|", "/")


def best_peer(entry: dict[str, Any] | None) -> tuple[str, dict[str, Any]] | None:
    """The fastest timed variant of a peer's entry: (variant, measurement)."""
    timed = [(v, m) for v in ("plain", "tuned") if (m := _timed(entry, v))]
    return min(timed, key=lambda vm: vm[1]["median_ms"]) if timed else None


def ratio(ours: dict[str, Any] | None, entry: dict[str, Any] | None) -> str:
    """Fastest timed peer variant's median ÷ chainkg's median, with the variant's name."""
    found = best_peer(entry)
    if not ours or found is None:
        return "—"
    variant, m = found
    return f"{m['median_ms'] / ours['median_ms']:.1f}× ({variant})"


def print_system(r: dict[str, Any]) -> None:
    """Print one system's figures as soon as they are known."""
    name = r["system"]
    if "skipped" in r:
        print(f"  {name}: skipped: {r['skipped']}", flush=True)
        return
    if "error" in r:
        print(f"  {name}: ERROR: {r['error']}", flush=True)
    print(f"  {name}: build {_fmt(r.get('build_s'))} s, build peak {_fmt(r.get('build_peak_mib'))} MiB, "
          f"start {_fmt(r.get('start_s'))} s, serve peak {_fmt(r.get('serve_peak_mib'))} MiB", flush=True)
    for group in ("latency", "sparql"):
        for e in (r.get(group) or {}).values():
            if not e.get("variants"):
                print(f"    {e['label']:<44} {e.get('note', 'not asked')}", flush=True)
            for v, m in e["variants"].items():
                check = (e.get("checks") or {}).get(v)
                mark = "" if check is None else ("  check: passed" if check["passed"] else "  check: FAILED")
                head = f"    {e['label'] + ' [' + v + ']':<44}"
                if "median_ms" in m:
                    print(f"{head} median {m['median_ms']:>10.2f} ms   p99 {m['p99_ms']:>10.2f} ms"
                          f"   n={m['n']}  {m['bytes']} B{mark}", flush=True)
                else:
                    print(f"{head} {m.get('skipped') or 'ERROR ' + str(m.get('error'))}{mark}", flush=True)
    t = r.get("throughput")
    if t:
        print(f"    throughput: {t['rps']} req/s ({t['requests']} requests, {t['errors']} errors, "
              f"{t.get('timeouts', 0)} timed out, "
              f"{t['clients']} clients, {t['seconds']} s; mix: {', '.join(t.get('mix', []))})", flush=True)


def _checks(size: dict[str, Any], group: str, key: str) -> tuple[str, list[str]]:
    """The equivalence column of one question, and the failures spelled out."""
    passed, failed, silent, notes = 0, [], [], []
    for name, r in size["systems"].items():
        e = (r.get(group) or {}).get(key) or {}
        for v, c in (e.get("checks") or {}).items():
            if c["detail"] == "reference":
                continue
            if c["passed"]:
                passed += 1
            elif c.get("answered", True) is False:
                silent.append(f"{name} [{v}]")
            else:
                failed.append(f"{name} [{v}]")
                notes.append(f"{e.get('label', key)}: {name} [{v}]: {c['detail']}")
    verdict = "FAILED: " + ", ".join(failed) if failed else (f"passed ({passed})" if passed else "—")
    if silent:
        verdict += "; no answer: " + ", ".join(silent)
    return verdict, notes


def markdown(results: dict[str, Any]) -> str:
    """The results as Markdown tables (one section per size)."""
    m = results["machine"]
    lines = [f"Machine: {m['cpus']} CPUs, {m['memory_gib']} GiB, Python {m['python']}; mode: {results['mode']}.",
             "Latencies are median / p99 in ms over HTTP on 127.0.0.1 (client on the same machine). chainkg "
             "is asked through its REST API; each peer through the SPARQL query a careful user would write for "
             "the same answer (`benchmarks/queries/`: plain, and tuned where a careful user would write it "
             "differently). A peer variant is timed only after its answer was shown to hold the same content "
             "as chainkg's (“equivalence”: passed checks counted; chainkg-remote is checked against chainkg). "
             "“÷ chainkg” = the peer's fastest timed variant's median ÷ chainkg's median (>1: chainkg is "
             "faster).", ""]
    for size in results["sizes"]:
        systems = size["systems"]
        peers = [p for p in PEERS if p in systems]
        ours_names = [n for n in ("chainkg", "chainkg-remote") if n in systems]
        lines.append(f"### {size['enterprises']:,} enterprises ({size['quads']:,} quads)")
        lines.append("")
        lines.append("| | " + " | ".join(s for s in systems) + " |")
        lines.append("|---|" + "---|" * len(systems))

        def row(label: str, fn: Any, systems: dict[str, Any] = systems) -> None:
            lines.append(f"| {label} | " + " | ".join(fn(r) for r in systems.values()) + " |")

        def note(r: dict[str, Any]) -> str | None:
            return "skipped" if "skipped" in r else None

        row("load/build (s)", lambda r: note(r) or _fmt(r.get("build_s")))
        row("build peak memory (MiB)", lambda r: note(r) or _fmt(r.get("build_peak_mib")))
        row("server start (s)", lambda r: note(r) or _fmt(r.get("start_s")))
        row("server peak memory (MiB)", lambda r: note(r) or _fmt(r.get("serve_peak_mib")))
        row("throughput, same mix (req/s)", lambda r: note(r) or _fmt((r.get("throughput") or {}).get("rps")))
        lines.append("")
        ref = systems.get("chainkg") or {}
        notes: list[str] = []
        for group, title in (("latency", "Questions"), ("sparql", "SPARQL mix (the same query on every system)")):
            keys = list((ref.get(group) or {}).keys())
            if not keys:
                continue
            head = ["question"] + [f"{n} {'/sparql' if group == 'sparql' else 'REST'}" for n in ours_names]
            for p in peers:
                if group == "sparql":
                    head += [p, f"{p} ÷ chainkg"]
                else:
                    head += [f"{p} plain", f"{p} tuned", f"{p} ÷ chainkg"]
            head.append("equivalence")
            lines.append(f"{title}:")
            lines.append("")
            lines.append("| " + " | ".join(head) + " |")
            lines.append("|" + "---|" * len(head))
            for k in keys:
                entry = ref[group][k]
                ours_variant = "plain" if group == "sparql" else "rest"
                cells = [entry["label"]]
                cells += [_cell((systems[n].get(group) or {}).get(k), ours_variant) for n in ours_names]
                ours = _timed(entry, ours_variant)
                for p in peers:
                    pe = (systems[p].get(group) or {}).get(k)
                    if "skipped" in systems[p]:
                        cells += ["skipped"] * (2 if group == "sparql" else 3)
                        continue
                    if group == "sparql":
                        cells += [_cell(pe, "plain"), ratio(ours, pe)]
                    elif pe is not None and not pe.get("variants"):
                        cells += ["no peer form", "—", "—"]
                    else:
                        cells += [_cell(pe, "plain"), _cell(pe, "tuned"), ratio(ours, pe)]
                verdict, failed = _checks(size, group, k)
                notes += failed
                cells.append(verdict)
                lines.append("| " + " | ".join(cells) + " |")
            lines.append("")
        without = sorted({e.get("note", "") for r in systems.values() for e in (r.get("latency") or {}).values()
                          if "note" in e})
        for text in without:
            lines.append(f"{text[:1].upper()}{text[1:]}.")
        for p in peers:
            if "skipped" in systems[p]:
                lines.append(f"{p} skipped at this size: {systems[p]['skipped']}.")
        for name, r in systems.items():
            mix = (r.get("throughput") or {}).get("mix")
            if mix:
                lines.append(f"Throughput mix of {name}: {', '.join(mix)}.")
        if notes:
            lines.append("")
            lines.append("Equivalence failures (not timed):")
            lines.extend(f"- {n}" for n in notes)
        lines.append("")
    return "\n".join(lines)


# --- writes (benchmarks.writes) ----------------------------------------------------------------

#: (key, label) of the write figures of a size (:func:`benchmarks.writes.run_writes`), in table order.
WRITE_FIGURES = (
    ("roster_rows", "roster rows (registry-shaped CSV)"),
    ("roster_new", "of which new enterprises"),
    ("roster_cli_s", "`chainkg import roster.csv` beside a read-only server (s)"),
    ("roster_cli_peak_rss_mib", "peak memory of the importing process (MiB)"),
    ("roster_cli_seen_s", "until the last new firm answers name search over HTTP (s)"),
    ("roster_post_s", "`POST /api/imports` of another roster to an admin-token server (s)"),
    ("roster_post_server_peak_rss_mib", "peak memory of that server process (MiB)"),
    ("roster_post_seen_s", "until its last new firm answers name search (s)"),
    ("accepted_fact_ms", "one accepted fact: journal, SHACL, store, side files (ms, median)"),
    ("accepted_fact_unchecked_ms", "the same without SHACL (ms, median)"),
    ("insert_data_ms", "one-triple INSERT DATA, side files kept current (ms, median)"),
    ("insert_data_rederive_ms", "the same with the old full re-derivation of the default graph (ms)"),
    ("delete_insert_where_ms", "one-triple DELETE/INSERT … WHERE through KGStore.update (ms, median)"),
    ("delete_insert_where_rederive_ms", "the same with the old full re-derivation (ms)"),
    ("guarded_update_ms", "the same through /sparql/update's engine: sandboxed try first (ms, median)"),
)


def print_writes(figures: dict[str, Any]) -> None:
    """Print the write figures of one size as soon as they are known."""
    if "error" in figures:
        print(f"  writes: ERROR: {figures['error']}", flush=True)
    for key, label in WRITE_FIGURES:
        if key in figures:
            print(f"  writes: {label:<72} {_fmt(figures[key])}", flush=True)


def writes_markdown(results: dict[str, Any]) -> str:
    """The write figures as one Markdown table, a column per size (empty when none were measured)."""
    sizes = [s for s in results["sizes"] if s.get("writes")]
    if not sizes:
        return ""
    lines = ["### Writes", "", "| | " + " | ".join(f"{s['enterprises']:,} enterprises" for s in sizes) + " |",
             "|---|" + "---|" * len(sizes)]
    for key, label in WRITE_FIGURES:
        if any(key in s["writes"] for s in sizes):
            lines.append(f"| {label} | " + " | ".join(_fmt(s["writes"].get(key)) for s in sizes) + " |")
    errors = [f"{s['enterprises']:,}: {s['writes']['error']}" for s in sizes if "error" in s["writes"]]
    if errors:
        lines += ["", "Errors: " + "; ".join(errors)]
    return "\n".join([*lines, ""])


def plot(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    have = {f.name for f in font_manager.fontManager.ttflist}
    plt.rcParams["font.family"] = [f for f in ("Noto Sans CJK SC", "WenQuanYi Zen Hei") if f in have] or ["DejaVu Sans"]
    import warnings

    warnings.filterwarnings("ignore", message="Glyph .* missing", category=UserWarning)
    warnings.filterwarnings("ignore", message="findfont", category=UserWarning)

    sizes = results["sizes"]
    keys = [k for k, e in (sizes[-1]["systems"]["chainkg"].get("latency") or {}).items()]
    fig, axes = plt.subplots(1, len(sizes), figsize=(6 * len(sizes), 4.5), squeeze=False)
    for ax, size in zip(axes[0], sizes, strict=True):
        names = [n for n in ("chainkg", "chainkg-remote", *PEERS) if n in size["systems"]]
        width = 0.8 / len(names)
        for i, name in enumerate(names):
            r = size["systems"].get(name, {})
            vals = []
            for k in keys:
                e = (r.get("latency") or {}).get(k)
                found = (("rest", _timed(e, "rest")) if name.startswith("chainkg") else best_peer(e))
                vals.append(found[1]["median_ms"] if found and found[1] else float("nan"))
            label = name if name.startswith("chainkg") else f"{name} (fastest fair query)"
            ax.bar([x + (i - (len(names) - 1) / 2) * width for x in range(len(keys))], vals, width, label=label)
        ax.set_yscale("log")
        ax.set_xticks(range(len(keys)))
        ax.set_xticklabels([k.replace("search:", "search\n") for k in keys], rotation=30, ha="right", fontsize=8)
        ax.set_ylabel("median latency (ms, log)")
        ax.set_title(f"{size['enterprises']:,} enterprises")
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write(results: dict[str, Any], out: Path) -> None:
    (out / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))
    (out / "results.md").write_text("# Benchmark results\n\n" + markdown(results) + "\n" + writes_markdown(results),
                                    encoding="utf-8")
    plot(results, out / "latency.png")
