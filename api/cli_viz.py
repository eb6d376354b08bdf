"""``chainkg viz``: write a graph view as one HTML file that opens from disk (all assets inlined).

chainkg viz chain 蚕桑丝绸 --region 黔江 -o silk.html
chainkg viz region 黔江 -o qianjiang.html
chainkg viz enterprise 三磊玻纤 -o sanlei.html
chainkg viz chiefs 黔江 -o chiefs.html
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from api.cli import arguments, command, default_store_path, open_store
from graph.store.embedded import KGStore

VIEW_NAMES = ("chain", "region", "enterprise", "chiefs")


def write_view(
    store: KGStore, view: str, name: str, *, region: str | None = None, output: str | Path | None = None
) -> str:
    """Render one view as a self-contained page; write it to ``output`` when given.

    Args:
        store: the store.
        view: ``chain``, ``region``, ``enterprise`` or ``chiefs``.
        name: the chain, region or enterprise (IRI, slug, name, alias or pinyin).
        region: the region of a ``chain`` view (``None``: the bare template).
        output: a file path; ``None`` or ``"-"`` writes nothing.

    Returns:
        The HTML page (vis-network and the page script inlined; no external reference).

    Raises:
        ValueError: unknown ``view``, or ``region`` given for a view other than ``chain``.
        UnknownEntityError, AmbiguousNameError: a name does not resolve.

    Example:
        >>> from graph.build.loading import build
        >>> kg = KGStore(); _ = build(kg)
        >>> "vis.Network" in write_view(kg, "chain", "蚕桑丝绸")
        True
    """
    from api.routes.viz import VIEWS
    from api.viz_render import render_page

    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}; one of {', '.join(VIEW_NAMES)}")
    if region is not None and view != "chain":
        raise ValueError("--region applies to the chain view only")
    net = VIEWS[view](store, name, region) if view == "chain" else VIEWS[view](store, name)
    page = render_page(net, mode="inline")
    if output not in (None, "-"):
        Path(str(output)).write_text(page, encoding="utf-8")
    return page


def _viz_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("view", choices=VIEW_NAMES, help="which view")
    p.add_argument("name", help="chain (chain view), region (region, chiefs) or enterprise")
    p.add_argument("--region", default=None, help="region of the chain view (default: the bare template)")
    p.add_argument(
        "-o", "--output", default=None, help="HTML file to write (default: <view>-<name>.html; - = stdout)"
    )
    p.add_argument("--store", default=None, help="store directory (default: $CHAINKG_STORE or var/store)")


@command("viz", "write a graph view (chain, region, enterprise, chiefs) as one HTML file")
@arguments(_viz_args)
def cmd_viz(args: argparse.Namespace) -> int:
    store = open_store(args.store or default_store_path())
    output = args.output or f"{args.view}-{args.name}.html"
    page = write_view(store, args.view, args.name, region=args.region, output=output)
    if output == "-":
        sys.stdout.write(page)
    else:
        print(f"wrote {output} ({len(page) // 1024} KiB)", file=sys.stderr)
    return 0
