"""Character interaction networks: co-occurrence within a window of tokens, and who
speaks near whom (one quote answering another); and `plot_network`, which draws either
with its labels kept apart and its edge weights readable."""

from __future__ import annotations

import math
from collections import Counter, deque
from collections.abc import Mapping
from typing import Any

import pandas as pd

from .characters import _ids_genders, dialogue_share, named_characters, names


def _graph(
    weights: Counter[tuple[int, int]],
    frames: Mapping[str, pd.DataFrame],
    directed: bool,
    min_weight: int,
    nodes: list[int],
    labels: Mapping[int, str] | None,
    weight: str,
) -> Any:
    import networkx as nx

    g = nx.DiGraph(weight=weight) if directed else nx.Graph(weight=weight)
    who = labels if labels is not None else names(frames)
    chars = frames["characters"]
    counts = dict(zip(chars["id"], chars["count"], strict=True)) if len(chars) else {}
    genders = dict(zip(*_ids_genders(frames), strict=True))
    for c in nodes:
        g.add_node(
            int(c),
            name=who.get(int(c), f"#{c}"),
            mentions=int(counts.get(c, 0)),
            gender=genders.get(int(c), "unknown"),
        )
    for (a, b), w in weights.items():
        if w >= min_weight and a in g and b in g:
            g.add_edge(a, b, weight=w)
    return g


def _chosen(frames: Mapping[str, pd.DataFrame], top: int | None) -> tuple[list[int], dict]:
    """The ``top`` named characters' ids, most mentioned first, and their labels."""
    known = named_characters(frames, top)
    return [int(i) for i in known["id"]], dict(zip(known["id"], known["label"], strict=True))


def cooccurrence_graph(
    frames: Mapping[str, pd.DataFrame],
    window: int = 50,
    top: int = 20,
    min_weight: int = 2,
    named: bool = False,
) -> Any:
    """Undirected networkx graph of the ``top`` characters (with ``named``: the top
    characters known by a proper name, and the narrator; see `named_characters`): an
    edge's ``weight`` counts pairs of their mentions at most ``window`` tokens apart.
    Nodes carry ``name``, ``mentions`` and ``gender``."""
    if named:
        ids, labels = _chosen(frames, top)
    else:
        chars = frames["characters"].sort_values("count", ascending=False).head(top)
        ids, labels = [int(i) for i in chars["id"]], None
    ents = frames["entities"]
    ents = ents[ents["COREF"].isin(ids)].sort_values("start_token")
    weights: Counter[tuple[int, int]] = Counter()
    recent: deque[tuple[int, int]] = deque()
    for pos, c in zip(
        ents["start_token"].to_numpy(int).tolist(),
        ents["COREF"].to_numpy(int).tolist(),
        strict=True,
    ):
        while recent and pos - recent[0][0] > window:
            recent.popleft()
        for _, other in recent:
            if other != c:
                weights[(min(c, other), max(c, other))] += 1
        recent.append((pos, c))
    weight = f"mentions within {window} tokens"
    return _graph(weights, frames, False, min_weight, sorted(ids), labels, weight)


def conversation_graph(
    frames: Mapping[str, pd.DataFrame],
    window: int = 200,
    min_weight: int = 1,
    top: int | None = None,
    named: bool = False,
) -> Any:
    """Directed graph: an edge a → b counts quotes of b that follow a quote of a within
    ``window`` tokens (b answering a), over all attributed quotes. Nodes are the
    speakers (most words first; the ``top`` of them; with ``named``, only those
    `named_characters` knows)."""
    quotes = frames["quotes"].dropna(subset=["char_id"]).sort_values("quote_start")
    weights: Counter[tuple[int, int]] = Counter()
    prev: tuple[int, int] | None = None
    for start, end, c in zip(
        quotes["quote_start"].to_numpy(int).tolist(),
        quotes["quote_end"].to_numpy(int).tolist(),
        quotes["char_id"].to_numpy(int).tolist(),
        strict=True,
    ):
        if prev is not None and prev[1] != c and start - prev[0] <= window:
            weights[(prev[1], c)] += 1
        prev = (end, c)
    speakers = [int(c) for c in dialogue_share(frames, top=None)["char_id"]]
    labels = None
    if named:
        _, labels = _chosen(frames, None)
        speakers = [c for c in speakers if c in labels]
    speakers = speakers[:top] if top else speakers
    weight = f"replies within {window} tokens"
    return _graph(weights, frames, True, min_weight, speakers, labels, weight)


def backbone(graph: Any, max_edges: int | None) -> Any:
    """``graph`` with its strongest edges only: each node's strongest edge, then the
    strongest others, ``max_edges`` in all (at least one per node)."""
    if max_edges is None or graph.number_of_edges() <= max_edges:
        return graph.copy()
    edges = sorted(graph.edges(data="weight"), key=lambda e: (-e[2], str(e[0]), str(e[1])))
    keep: dict[tuple[Any, Any], int] = {}
    for n in graph:
        mine = [e for e in edges if n in e[:2]]
        if mine:
            keep.setdefault(mine[0][:2], mine[0][2])
    for a, b, w in edges:
        if len(keep) >= max_edges:
            break
        keep.setdefault((a, b), w)
    g = graph.__class__(**graph.graph)
    g.add_nodes_from(graph.nodes(data=True))
    g.add_weighted_edges_from((a, b, w) for (a, b), w in keep.items())
    return g


def plot_network(
    graph: Any,
    ax: Any = None,
    title: str | None = None,
    seed: int = 7,
    max_nodes: int = 25,
    label_edges: int = 3,
    max_edges: int | None = -1,
) -> Any:
    """Draw a graph from this module: node area by mentions, colour by gender, edge
    width by √weight (legend), the ``label_edges`` strongest edges labelled with their
    weight, node labels pushed apart so none overlaps. Isolated nodes are left out;
    only the strongest ``max_edges`` edges are drawn (`backbone`; -1: three per node,
    None: all). Returns the matplotlib Figure."""
    import networkx as nx

    from .plots import figure_and_axes

    g = graph.subgraph([n for n in graph if graph.degree(n) > 0]).copy()
    if len(g) > max_nodes:
        keep = sorted(g, key=lambda n: g.degree(n, weight="weight"), reverse=True)[:max_nodes]
        g = g.subgraph(keep).copy()
    total = g.number_of_edges()
    g = backbone(g, 3 * len(g) if max_edges == -1 else max_edges)
    fig, ax = figure_and_axes(ax, (8, 6))
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    if not len(g):
        ax.text(0.5, 0.5, "no interactions", ha="center", va="center", transform=ax.transAxes)
        return fig
    layout = nx.Graph(g) if g.is_directed() else g.copy()
    for a, b, d in layout.edges(data=True):  # pull by log weight: no one tight knot
        both = sum(g.edges[e]["weight"] for e in ((a, b), (b, a)) if g.has_edge(*e))
        d["pull"] = 1 + math.log1p(both)
    pos = nx.spring_layout(layout, weight="pull", seed=seed, k=2.2 / max(len(g), 1) ** 0.5)
    shown = g.number_of_edges()
    caption = graph.graph.get("weight", "weight")
    if shown < total:
        caption += f"\n(strongest {shown} of {total} links)"
    _draw(g, pos, ax, label_edges, caption)
    return fig


def _draw(g: Any, pos: Mapping[Any, Any], ax: Any, label_edges: int, weight_name: str) -> None:
    """Legends first (they set the axes' size), then nodes spread apart, edges, nodes,
    weight labels and node labels kept apart."""
    import matplotlib.patheffects as pe
    import networkx as nx
    import numpy as np

    from .plots import GENDER_COLORS, GREY, covered, repel_labels, root_figure, spread_points

    edges = sorted(g.edges(data="weight"), key=lambda e: e[2])  # strongest drawn last
    low, high = edges[0][2], edges[-1][2]

    def width(w: float) -> float:  # √ scale: area-like, the weak ones still seen
        span = high**0.5 - low**0.5
        return 0.6 + 5.4 * ((w**0.5 - low**0.5) / span if span else 1.0)

    nodes = list(g)
    genders = [g.nodes[n].get("gender", "unknown") for n in nodes]
    _legends(ax, genders, sorted({low, _nice((low * high) ** 0.5), high}), width, weight_name)
    mentions = [g.nodes[n].get("mentions", 1) for n in nodes]
    biggest = max(mentions) or 1
    sizes = [120 + 1400 * m / biggest for m in mentions]
    radii = [(s**0.5 / 2) * root_figure(ax).dpi / 72 for s in sizes]  # marker area: points²
    xy = np.array([pos[n] for n in nodes], dtype=float)
    ax.update_datalim(xy)
    ax.margins(0.12)
    ax.autoscale_view()
    ax.set_autoscale_on(False)  # spreading, labels and leaders must not move the frame
    xy = spread_points(ax, xy, radii, pad=12)
    pos = {n: tuple(p) for n, p in zip(nodes, xy, strict=True)}
    nx.draw_networkx_edges(
        g,
        pos,
        ax=ax,
        edgelist=[(a, b) for a, b, _ in edges],
        width=[width(w) for *_, w in edges],
        edge_color=GREY,
        alpha=0.7,
        node_size=sizes,
        nodelist=nodes,
        **({"arrowsize": 12, "connectionstyle": "arc3,rad=0.12"} if g.is_directed() else {}),
    )
    nx.draw_networkx_nodes(
        g,
        pos,
        ax=ax,
        nodelist=nodes,
        node_color=[GENDER_COLORS.get(x, GREY) for x in genders],
        node_size=sizes,
        edgecolors="white",
        linewidths=1.0,
    )
    weight_labels = []
    bend = 0.12 if g.is_directed() else 0.0
    for a, b, w in [e for e in edges[::-1][:label_edges] if e[2] > 0]:
        (xa, ya), (xb, yb) = pos[a], pos[b]
        x, y = (xa + xb) / 2 + bend / 2 * (yb - ya), (ya + yb) / 2 - bend / 2 * (xb - xa)
        t = ax.text(x, y, f"{w:,}", fontsize=7, color="#333333")  # on its (arc's) middle
        t.set(ha="center", va="center", gid="edge-weight", zorder=4)
        t.set_bbox({"boxstyle": "round,pad=0.15", "fc": "white", "ec": GREY, "lw": 0.5})
        weight_labels.append(t)
    outline = [pe.withStroke(linewidth=3, foreground="white")]
    middle = float(np.median(xy[:, 1]))
    labels, to_data = [], ax.transData.inverted()
    for n, r in zip(nodes, radii, strict=True):  # above the node in the top half, else below
        up = pos[n][1] >= middle
        cx, cy = ax.transData.transform(pos[n])
        at = to_data.transform((cx, cy + (r + 2) * (1 if up else -1)))
        name = str(g.nodes[n].get("name", n))
        t = ax.text(*at, name, ha="center", va="bottom" if up else "top", fontsize=8.5)
        t.set(path_effects=outline, gid="node-label", zorder=5)
        labels.append(t)
    points = [(*pos[n], r) for n, r in zip(nodes, radii, strict=True)]
    repel_labels(ax, labels + weight_labels, points=points)
    for t in weight_labels:  # a weight that found no free place is left out
        if covered(t, labels + [w for w in weight_labels if w is not t], points):
            t.set_visible(False)
    _leaders(ax, labels, [pos[n] for n in nodes], radii)


def _legends(ax: Any, genders: list[str], samples: list[int], width: Any, weight: str) -> None:
    """Node colours (gender; area: mentions) and edge widths, outside on the right."""
    from matplotlib.lines import Line2D

    from .plots import GENDER_COLORS, GENDERS, GREY

    style = {"frameon": False, "fontsize": 8, "title_fontsize": 8, "alignment": "left"}
    who = [
        Line2D([], [], ls="", marker="o", ms=8, color=GENDER_COLORS[x], label=x)
        for x in GENDERS
        if x in genders
    ]
    ax.add_artist(
        ax.legend(
            handles=who,
            title="gender (area: mentions)",
            loc="upper left",
            bbox_to_anchor=(1, 1),
            **style,
        )
    )
    lines = [Line2D([], [], color=GREY, lw=width(w), label=f"{w:,}") for w in samples]
    ax.legend(
        handles=lines, title=f"edge: {weight}", loc="lower left", bbox_to_anchor=(1, 0), **style
    )


def _leaders(ax: Any, labels: list[Any], anchors: list[Any], radii: list[float]) -> None:
    """A thin line from each node to its label when the label was pushed away."""
    from .plots import GREY, root_figure

    renderer = root_figure(ax).canvas.get_renderer()
    for text, (x, y), r in zip(labels, anchors, radii, strict=True):
        box = text.get_window_extent(renderer)
        nx_, ny = ax.transData.transform((x, y))
        gap_x = max(box.x0 - nx_, nx_ - box.x1, 0)
        gap_y = max(box.y0 - ny, ny - box.y1, 0)
        if (gap_x**2 + gap_y**2) ** 0.5 > r + 6:
            tx, ty = text.get_position()
            ax.plot([x, tx], [y, ty], color=GREY, lw=0.6, zorder=1, alpha=0.8)


def _nice(x: float) -> int:
    """``x`` rounded to one significant digit (a legend's middle sample)."""
    if x < 10:
        return max(1, round(x))
    scale = 10 ** (len(str(int(x))) - 1)
    return int(round(x / scale) * scale)
