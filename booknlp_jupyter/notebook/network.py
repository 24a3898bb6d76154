"""Character interaction networks: co-occurrence within a window of tokens, and who
speaks near whom (one quote answering another)."""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Mapping
from typing import Any

import pandas as pd

from .characters import dialogue_share, names


def _graph(
    weights: Counter[tuple[int, int]],
    frames: Mapping[str, pd.DataFrame],
    directed: bool,
    min_weight: int,
    nodes: list[int],
) -> Any:
    import networkx as nx

    g = nx.DiGraph() if directed else nx.Graph()
    who = names(frames)
    counts = (
        dict(zip(frames["characters"]["id"], frames["characters"]["count"], strict=True))
        if len(frames["characters"])
        else {}
    )
    for c in nodes:
        g.add_node(int(c), name=who.get(int(c), f"#{c}"), mentions=int(counts.get(c, 0)))
    for (a, b), w in weights.items():
        if w >= min_weight:
            g.add_edge(a, b, weight=w)
    return g


def cooccurrence_graph(
    frames: Mapping[str, pd.DataFrame], window: int = 50, top: int = 20, min_weight: int = 2
) -> Any:
    """Undirected networkx graph of the ``top`` characters: an edge's ``weight`` counts
    pairs of their mentions at most ``window`` tokens apart. Nodes carry ``name`` and
    ``mentions``."""
    chars = frames["characters"].sort_values("count", ascending=False).head(top)
    ids = {int(i) for i in chars["id"]}
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
    return _graph(weights, frames, False, min_weight, sorted(ids))


def conversation_graph(
    frames: Mapping[str, pd.DataFrame], window: int = 200, min_weight: int = 1
) -> Any:
    """Directed graph: an edge a → b counts quotes of b that follow a quote of a within
    ``window`` tokens (b answering a). Nodes are the attributed speakers."""
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
    return _graph(weights, frames, True, min_weight, speakers)


def plot_network(
    graph: Any, ax: Any = None, title: str | None = None, seed: int = 7, max_nodes: int = 25
) -> Any:
    """Draw a graph from this module: node size by mentions, edge width by weight;
    isolated nodes are left out. Returns the matplotlib Axes."""
    import matplotlib.pyplot as plt
    import networkx as nx

    g = graph.subgraph([n for n in graph if graph.degree(n) > 0]).copy()
    if len(g) > max_nodes:
        keep = sorted(g, key=lambda n: g.degree(n, weight="weight"), reverse=True)[:max_nodes]
        g = g.subgraph(keep).copy()
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 6))
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    if not len(g):
        ax.text(0.5, 0.5, "no interactions", ha="center", va="center")
        return ax
    pos = nx.spring_layout(g, weight="weight", seed=seed, k=1.2 / max(len(g), 1) ** 0.5)
    weights = [d["weight"] for *_, d in g.edges(data=True)]
    top = max(weights) if weights else 1
    mentions = [g.nodes[n].get("mentions", 1) for n in g]
    biggest = max(mentions) or 1
    nx.draw_networkx_edges(
        g,
        pos,
        ax=ax,
        width=[0.5 + 5 * w / top for w in weights],
        alpha=0.45,
        edge_color="#555",
        **({"arrowsize": 10, "connectionstyle": "arc3,rad=0.1"} if g.is_directed() else {}),
    )
    nx.draw_networkx_nodes(
        g,
        pos,
        ax=ax,
        node_color="#f58518",
        alpha=0.9,
        node_size=[150 + 1500 * m / biggest for m in mentions],
    )
    nx.draw_networkx_labels(
        g, pos, ax=ax, font_size=8, labels={n: g.nodes[n].get("name", n) for n in g}
    )
    return ax
