"""Interactive graph views built as :class:`pyvis.network.Network` objects (nothing is written to disk).

One module per view over the shared node helpers of :mod:`graph.views.nodes`:

* :mod:`graph.views.chain`
* :mod:`graph.views.region`
* :mod:`graph.views.enterprise`
* :mod:`graph.views.chiefs`
* :mod:`graph.views.industry`

This module gathers them.

Four views answer the questions of chainkg visually:

* :func:`chain_network`: a chain's segments left to right by stage and supply order, coloured by
  their status in a region (covered / planned / missing), weak links and break points marked,
  enterprises and projects attached to their segments;
* :func:`region_network`: a region's tree, district → zones → parks → enterprises → chains;
* :func:`enterprise_network`: one enterprise, its chains and segments, place, honours, projects,
  local suppliers and customers;
* :func:`chiefs_network`: the chains of a region under the chain-chief system (链长制), with the
  chief post, chain leader, task forces, measures and targets.

Safety rule: **every string that comes from data is HTML-escaped** (``html.escape``) before it is
put into a node or edge (``label``, ``title``, ``details``) and into ``Network.heading``, so the
networks are safe even under pyvis's own template, which inserts them raw. The page renderer
(``api/viz_render.py``) decodes the entities only where the text lands in ``textContent`` or on the
canvas, never into HTML.

Layouts are deterministic: physics is off and every node has fixed ``x``/``y`` coordinates, so the
same data always gives the same picture.

Each network carries ``net.chainkg`` (a plain dict: ``view``, ``title``, ``subtitle``, ``summary``,
``legend``) with *raw* (unescaped) page text for the renderer, which escapes it itself.
"""

from __future__ import annotations

from graph.views.chain import (  # noqa: F401
    _STAGE_ORDER,
    _segment_key,
    chain_columns,
    chain_network,
)
from graph.views.chiefs import (  # noqa: F401
    _fact_sources,
    _figure_text,
    _not_stated,
    _values,
    chiefs_network,
)
from graph.views.enterprise import (  # noqa: F401
    _fact_rows,
    enterprise_network,
)
from graph.views.industry import (  # noqa: F401
    _growth,
    industry_network,
)
from graph.views.nodes import (  # noqa: F401
    _BLANK,
    _PLACE_COLOURS,
    BREAK_BORDER,
    CHAIN_COLOUR,
    CHILD_HEIGHT,
    COLUMN_WIDTH,
    CUSTOMER_COLOUR,
    EDGE_MEMBER,
    EDGE_SUPPLY,
    ENTERPRISE_COLOUR,
    FOCUS_COLOUR,
    FONT_STACK,
    HONOUR_COLOUR,
    ID_BASE,
    LABEL_MAX,
    MEASURE_COLOUR,
    MORE_COLOUR,
    ORG_COLOUR,
    POST_COLOUR,
    PROJECT_COLOUR,
    ROW_GAP,
    SEGMENT_HEIGHT,
    STAGE_LABELS,
    STATUS_COLOURS,
    STATUS_LABELS,
    SUPPLIER_COLOUR,
    TARGET_COLOUR,
    WEAK_BORDER,
    LegendItem,
    _add,
    _both,
    _data,
    _details,
    _edge,
    _label,
    _network,
    _node,
    _options,
    _slug,
    _title,
    _view_path,
    edge_count,
    esc,
    legend,
    node_count,
    short,
    source_lines,
)
from graph.views.region import (  # noqa: F401
    _DISTRICT_TYPES,
    _ZONE_TYPES,
    _place_kind,
    _type_names,
    region_network,
)
