"""One look for every plot: the Okabe-Ito palette (safe for colour-blind readers), the
colours of the genders, figures made or reused from ``ax=``, label repulsion, and
`save` to SVG and PDF (fonts kept as text, TrueType in PDF, as journals ask).

matplotlib is imported only when a function here needs it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

#: Okabe & Ito's eight colours (https://jfly.uni-koeln.de/color/), by name.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
}
#: The order categories take their colours in (yellow last: weak on white).
PALETTE: tuple[str, ...] = tuple(
    OKABE_ITO[c]
    for c in (
        "blue",
        "orange",
        "bluish green",
        "vermillion",
        "reddish purple",
        "sky blue",
        "black",
        "yellow",
    )
)
#: The one colour of single-series plots (bars, small multiples).
MAIN = OKABE_ITO["blue"]
#: Neutral grey: edges, "unknown", annotations.
GREY = "#8C8C8C"
#: Gender groups (BookNLP's ``g.argmax`` folded) and their colours, in legend order.
GENDERS: tuple[str, ...] = ("she/her", "he/him", "they/them", "unknown")
GENDER_COLORS: dict[str, str] = {
    "she/her": OKABE_ITO["vermillion"],
    "he/him": OKABE_ITO["blue"],
    "they/them": OKABE_ITO["bluish green"],
    "unknown": GREY,
}


def gender_group(argmax: Any) -> str:
    """BookNLP's gender label (``"he/him/his"``, ``"she/her"``, ...) as one of `GENDERS`."""
    label = str(argmax or "").lower()
    if label.startswith("she"):
        return "she/her"
    if label.startswith("he"):
        return "he/him"
    if label.startswith("they"):
        return "they/them"
    return "unknown"


def root_figure(fig_or_ax: Any) -> Any:
    """The top-level Figure of an Axes, Figure or SubFigure."""
    fig = getattr(fig_or_ax, "figure", fig_or_ax)
    while getattr(fig, "figure", fig) is not fig:  # a SubFigure's parent chain
        fig = fig.figure
    return fig


def figure_and_axes(ax: Any, figsize: tuple[float, float]) -> tuple[Any, Any]:
    """``ax``'s figure and ``ax``, or a new figure (constrained layout) and its Axes."""
    if ax is not None:
        return root_figure(ax), ax
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    return fig, ax


def grid_axes(n: int, ncols: int, axes: Any, panel: tuple[float, float]) -> tuple[Any, list[Any]]:
    """``n`` Axes for small multiples sharing both axes: the first ``n`` of ``axes`` (any
    sequence or array of them), or a new figure of ``ncols`` columns whose unused panels
    are hidden."""
    if axes is not None:
        flat = list(np.ravel(np.asarray(axes, dtype=object)))
        if len(flat) < n:
            raise ValueError(f"axes: {len(flat)} given, {n} needed")
        return root_figure(flat[0]), flat[:n]
    import matplotlib.pyplot as plt

    ncols = max(1, min(ncols, n))
    nrows = max(1, -(-n // ncols))
    fig, grid = plt.subplots(
        nrows,
        ncols,
        sharex=True,
        sharey=True,
        squeeze=False,
        figsize=(panel[0] * ncols, panel[1] * nrows + 0.6),
        layout="constrained",
    )
    flat = list(grid.ravel())
    for extra in flat[n:]:
        extra.set_visible(False)
    return fig, flat[:n]


def tidy(ax: Any, grid_axis: str | None = None) -> None:
    """Plain axes: no top or right spine, a light grid along ``grid_axis`` (x, y)."""
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if grid_axis:
        ax.grid(axis=grid_axis, color="#E5E5E5", linewidth=0.8)
        ax.set_axisbelow(True)


def save(
    fig: Any,
    path: str | os.PathLike[str],
    formats: Iterable[str] | None = None,
    dpi: int = 300,
) -> list[Path]:
    """Write ``fig`` to ``path``: in its suffix's format, or, for a path without one (or
    with ``formats``), once per format (default SVG and PDF). Text stays text in SVG and
    TrueType in PDF. Returns the files written."""
    import matplotlib

    path = Path(path)
    if formats is None:
        formats = [path.suffix[1:]] if path.suffix else ["svg", "pdf"]
    stem = path.with_suffix("") if path.suffix else path
    stem.parent.mkdir(parents=True, exist_ok=True)
    written = []
    with matplotlib.rc_context({"svg.fonttype": "none", "pdf.fonttype": 42}):
        for fmt in formats:
            out = stem.with_name(f"{stem.name}.{fmt.lower().lstrip('.')}")
            root_figure(fig).savefig(out, dpi=dpi, bbox_inches="tight")
            written.append(out)
    return written


def _boxes(texts: Sequence[Any], renderer: Any) -> np.ndarray:
    return np.array([t.get_window_extent(renderer).extents for t in texts], dtype=float)


def _push(a: np.ndarray, b: np.ndarray, pad: float) -> tuple[float, float] | None:
    """How far to move box ``a`` so it clears box ``b`` (the shorter way), or None."""
    ox = min(a[2], b[2]) - max(a[0], b[0]) + pad
    oy = min(a[3], b[3]) - max(a[1], b[1]) + pad
    if ox <= 0 or oy <= 0:
        return None
    dx = (a[0] + a[2]) - (b[0] + b[2])
    dy = (a[1] + a[3]) - (b[1] + b[3])
    if ox < oy:
        return (ox if dx >= 0 else -ox), 0.0
    return 0.0, (oy if dy >= 0 else -oy)


def _step(boxes: np.ndarray, obstacles: list[np.ndarray], frame: np.ndarray, pad: float) -> int:
    """One round of pushes (``boxes`` moved in place); the overlaps it found."""
    found = 0
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            if (move := _push(boxes[i], boxes[j], pad)) is not None:
                found += 1
                half = np.array(move * 2) / 2
                boxes[i] += half
                boxes[j] -= half
        for obstacle in obstacles:
            if (move := _push(boxes[i], obstacle, pad)) is not None:
                found += 1
                boxes[i] += np.array(move * 2)
        shift_x = max(frame[0] - boxes[i][0], 0) - max(boxes[i][2] - frame[2], 0)
        shift_y = max(frame[1] - boxes[i][1], 0) - max(boxes[i][3] - frame[3], 0)
        boxes[i] += (shift_x, shift_y, shift_x, shift_y)
    return found


def _count(boxes: np.ndarray, obstacles: Sequence[np.ndarray] = ()) -> int:
    """Overlapping pairs of ``boxes``, and of a box with an obstacle."""
    n = len(boxes)
    pairs = sum(
        _push(boxes[i], boxes[j], 0.0) is not None for i in range(n) for j in range(i + 1, n)
    )
    return pairs + sum(_push(b, o, 0.0) is not None for b in boxes for o in obstacles)


def repel_labels(
    ax: Any,
    texts: Sequence[Any],
    points: Sequence[tuple[float, float, float]] = (),
    fixed: Sequence[Any] = (),
    pad: float = 2.0,
    iterations: int = 400,
) -> int:
    """Move ``texts`` until none overlaps another, a point (``x, y`` in data
    coordinates, radius in display pixels: a node) or a ``fixed`` text, keeping them
    inside ``ax``. Returns the overlaps left (0 when it converged)."""
    if not texts:
        return 0
    fig = root_figure(ax)
    fig.draw_without_rendering()  # settle the layout before measuring
    renderer = fig.canvas.get_renderer()
    start = _boxes(texts, renderer)
    boxes = start.copy()
    obstacles = [*(_boxes(fixed, renderer) if fixed else [])]
    for x, y, r in points:
        cx, cy = ax.transData.transform((x, y))
        obstacles.append(np.array([cx - r, cy - r, cx + r, cy + r]))
    frame = ax.get_window_extent(renderer).extents
    for _ in range(iterations):
        if not _step(boxes, obstacles, frame, pad):
            break
    left = _count(boxes, obstacles)
    to_data = ax.transData.inverted()
    for text, box, old in zip(texts, boxes, start, strict=True):
        x, y = ax.transData.transform(text.get_position())
        text.set_position(to_data.transform((x + box[0] - old[0], y + box[1] - old[1])))
    return left


def spread_points(
    ax: Any, xy: np.ndarray, radii: Sequence[float], pad: float = 4.0, iterations: int = 300
) -> np.ndarray:
    """Points ``xy`` (data coordinates; markers of ``radii`` display pixels) moved
    apart until no two markers touch, inside ``ax``; the new coordinates."""
    fig = root_figure(ax)
    fig.draw_without_rendering()
    centres = ax.transData.transform(np.asarray(xy, dtype=float))
    r = np.asarray(radii, dtype=float)[:, None]
    boxes = np.hstack([centres - r, centres + r])
    frame = ax.get_window_extent(fig.canvas.get_renderer()).extents
    for _ in range(iterations):
        if not _step(boxes, [], frame, pad):
            break
    return ax.transData.inverted().transform((boxes[:, :2] + boxes[:, 2:]) / 2)


def covered(text: Any, others: Sequence[Any], points: Sequence[tuple[float, float, float]]) -> bool:
    """Whether ``text`` overlaps one of ``others`` or a point's marker (as in
    `repel_labels`), as drawn now."""
    ax = text.axes
    renderer = root_figure(ax).canvas.get_renderer()
    box = text.get_window_extent(renderer).extents
    shown = [o for o in others if o.get_visible()]
    rects = list(_boxes(shown, renderer)) if shown else []
    for x, y, r in points:
        cx, cy = ax.transData.transform((x, y))
        rects.append(np.array([cx - r, cy - r, cx + r, cy + r]))
    return any(_push(box, rect, 0.0) is not None for rect in rects)


def overlaps(texts: Sequence[Any]) -> int:
    """Pairs of ``texts`` whose boxes overlap as drawn (for checks)."""
    if not texts:
        return 0
    fig = root_figure(texts[0])
    fig.draw_without_rendering()
    return _count(_boxes(texts, fig.canvas.get_renderer()))
