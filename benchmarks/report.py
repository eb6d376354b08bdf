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


def _lat(sys_: dict[str, Any], key: str, group: str = "latency") -> dict[str, Any] | None:
    return (sys_.get(group) or {}).get(key)


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
        for m in (r.get(group) or {}).values():
            if "error" in m:
                print(f"    {m['label']:<40} ERROR {m['error']}", flush=True)
            else:
                print(f"    {m['label']:<40} median {m['median_ms']:>10.2f} ms   p99 {m['p99_ms']:>10.2f} ms"
                      f"   n={m['n']}  {m['bytes']} B", flush=True)
    t = r.get("throughput")
    if t:
        print(f"    throughput: {t['rps']} req/s ({t['requests']} requests, {t['errors']} errors, "
              f"{t['clients']} clients, {t['seconds']} s)", flush=True)


def _ratio(ours: dict[str, Any] | None, peer: dict[str, Any] | None) -> str:
    if not ours or not peer or "median_ms" not in ours:
        return "—"
    if "median_ms" not in peer:
        return "peer failed"
    return f"{peer['median_ms'] / ours['median_ms']:.1f}×"


def markdown(results: dict[str, Any]) -> str:
    """The results as Markdown tables (one section per size)."""
    m = results["machine"]
    lines = [f"Machine: {m['cpus']} CPUs, {m['memory_gib']} GiB, Python {m['python']}; mode: {results['mode']}.",
             "Latencies are medians / p99 in ms over HTTP on 127.0.0.1 (client on the same machine). "
             "“speed-up” = peer median ÷ chainkg median (>1 means chainkg is faster).", ""]
    for size in results["sizes"]:
        systems = size["systems"]
        lines.append(f"### {size['enterprises']:,} enterprises ({size['quads']:,} quads)")
        lines.append("")
        lines.append("| | " + " | ".join(s for s in systems) + " |")
        lines.append("|---|" + "---|" * len(systems))

        def row(label: str, fn: Any, systems: dict[str, Any] = systems) -> None:
            lines.append(f"| {label} | " + " | ".join(fn(r) for r in systems.values()) + " |")

        def note(r: dict[str, Any]) -> str | None:
            if "skipped" in r:
                return "skipped"
            return None

        row("load/build (s)", lambda r: note(r) or _fmt(r.get("build_s")))
        row("build peak memory (MiB)", lambda r: note(r) or _fmt(r.get("build_peak_mib")))
        row("server start (s)", lambda r: note(r) or _fmt(r.get("start_s")))
        row("server peak memory (MiB)", lambda r: note(r) or _fmt(r.get("serve_peak_mib")))
        keys = list((systems["chainkg"].get("latency") or {}).keys())
        labels = {k: v["label"] for k, v in (systems["chainkg"].get("latency") or {}).items()}
        for group, ks in (("latency", keys), ("sparql", list((systems["chainkg"].get("sparql") or {}).keys()))):
            for k in ks:
                label = (systems["chainkg"].get(group) or {}).get(k, {}).get("label", labels.get(k, k))

                def cell(r: dict[str, Any], k: str = k, group: str = group) -> str:
                    if note(r):
                        return note(r) or ""
                    x = _lat(r, k, group)
                    if not x:
                        return "—"
                    if "error" in x:
                        return "failed: " + x["error"][:60].replace("|", "/")
                    return f"{x['median_ms']:.2f} / {x['p99_ms']:.2f}"

                row(label + " (ms)", cell)
        row("throughput (req/s)", lambda r: note(r) or _fmt((r.get("throughput") or {}).get("rps")))
        # Ratios
        ours = systems["chainkg"]
        for peer in PEERS:
            if peer not in systems:
                continue
            p = systems[peer]
            if "skipped" in p:
                lines.append(f"\n{peer} skipped at this size: {p['skipped']}.")
                continue
            parts = []
            for group in ("latency", "sparql"):
                for k, v in (ours.get(group) or {}).items():
                    parts.append(f"{v['label']} {_ratio(v, _lat(p, k, group))}")
            lines.append(f"\nspeed-up of chainkg vs {peer}: " + "; ".join(parts) + ".")
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
    keys = list((sizes[-1]["systems"]["chainkg"].get("latency") or {}).keys())
    fig, axes = plt.subplots(1, len(sizes), figsize=(6 * len(sizes), 4.5), squeeze=False)
    for ax, size in zip(axes[0], sizes, strict=True):
        names = [n for n in ("chainkg", "chainkg-remote", *PEERS) if n in size["systems"]]
        width = 0.8 / len(names)
        for i, name in enumerate(names):
            r = size["systems"].get(name, {})
            vals = [(_lat(r, k) or {}).get("median_ms", float("nan")) for k in keys]
            ax.bar([x + (i - (len(names) - 1) / 2) * width for x in range(len(keys))], vals, width, label=name)
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
