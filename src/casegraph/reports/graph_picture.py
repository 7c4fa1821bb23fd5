"""A self-contained SVG picture of a case's graph, for the case file.

Deterministic (``spring_layout`` with a fixed seed, then a small pass that pushes
apart nodes whose captions would overlap), no scripts, no external resources. Every
piece of text is escaped here, so the result may be inlined into HTML as is.
"""

from __future__ import annotations

import math
from collections import defaultdict
from html import escape
from typing import Any

import networkx as nx

ROLE_COLOURS: dict[str, str] = {
    "suspect": "#c9483f",
    "victim": "#2f6fbf",
    "witness": "#2e8b57",
    "informant": "#7d4fb8",
    "other": "#7a7a7a",
}
UNLINKED = "#c4c4c4"
FONT = "DejaVu Sans, sans-serif"
EMPTY_TEXT = "No relationships among the case's subjects"
CAPTION_CHARS = 30
CAPTION_SIZE = 13
LABEL_SIZE = 11
LINE = LABEL_SIZE + 3  # between stacked edge labels
LEGEND_HEIGHT = 34
PAD = 8  # between the picture's edge and any node's box
SPREAD_MAX_NODES = 80  # beyond this, skip the overlap pass (quadratic)

Box = tuple[float, float, float, float]  # left, top, right, bottom, relative to the node


def _short(text: str, limit: int = CAPTION_CHARS) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _colour(role: str | None) -> str:
    if role is None:
        return UNLINKED
    return ROLE_COLOURS.get(role, ROLE_COLOURS["other"])


def _radius(role: str | None) -> int:
    return 13 if role is not None else 7


def _text_width(text: str, size: float, bold: bool = False) -> float:
    return len(text) * size * (0.64 if bold else 0.6)


def _box(caption: str, role: str | None) -> Box:
    """The space a node and the caption under it take, around the node's centre."""
    r = _radius(role)
    half = max(r, _text_width(caption, CAPTION_SIZE, role is not None) / 2) + 3
    return (-half, -r - 3, half, r + CAPTION_SIZE + 6)


def _absolute(box: Box, at: tuple[float, float]) -> Box:
    return (at[0] + box[0], at[1] + box[1], at[0] + box[2], at[1] + box[3])


def _overlap(a: Box, b: Box) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def _label_spot(
    a: tuple[float, float], b: tuple[float, float], texts: list[str], taken: list[Box]
) -> tuple[float, float]:
    """Where along the edge a..b to centre its stack of labels; the spot is added to
    ``taken``."""
    half_w = max(_text_width(t, LABEL_SIZE) for t in texts) / 2 + 2
    half_h = len(texts) * LINE / 2
    best: tuple[float, float, float] | None = None
    spots = [(t, 0.0) for t in (0.5, 0.4, 0.6, 0.3, 0.7, 0.22, 0.78)]
    spots += [(t, dy) for dy in (-half_h - 2, half_h + 2) for t in (0.5, 0.35, 0.65)]
    for t, dy in spots:
        x, y = a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t + dy
        box = (x - half_w, y - half_h, x + half_w, y + half_h)
        cost = sum(_overlap(box, other) for other in taken)
        if best is None or cost < best[0]:
            best = (cost, x, y)
        if cost == 0:
            break
    assert best is not None
    _, x, y = best
    taken.append((x - half_w, y - half_h, x + half_w, y + half_h))
    return x, y


def _backdrop(x: float, baseline: float, text: str, size: float, bold: bool = False) -> str:
    """A white box behind centred text, so lines passing under it do not cross it."""
    w = _text_width(text, size, bold) + 4
    return (
        f'<rect x="{x - w / 2:.1f}" y="{baseline - size * 0.85:.1f}" width="{w:.1f}" '
        f'height="{size * 1.15:.1f}" rx="2" fill="#fff" fill-opacity="0.85"/>'
    )


def _legend(width: int) -> list[str]:
    items = [*ROLE_COLOURS.items(), ("not linked", UNLINKED)]
    out = [f'<g class="legend" font-family="{FONT}" font-size="12" fill="#333">']
    x = 12.0
    for name, colour in items:
        out.append(
            f'<rect x="{x:.1f}" y="11" width="12" height="12" rx="2" fill="{colour}" '
            'stroke="#555" stroke-width="0.5"/>'
        )
        out.append(f'<text x="{x + 17:.1f}" y="21.5">{escape(name)}</text>')
        x += 17 + _text_width(name, 12) + 20
    out.append("</g>")
    out.append(
        f'<line x1="0" y1="{LEGEND_HEIGHT}" x2="{width}" y2="{LEGEND_HEIGHT}" '
        'stroke="#ddd" stroke-width="1"/>'
    )
    return out


def _message(width: int, y: float, text: str) -> str:
    return (
        f'<text x="{width / 2:.1f}" y="{y:.1f}" text-anchor="middle" '
        f'font-family="{FONT}" font-size="15" fill="#666">{escape(text)}</text>'
    )


def _layout(
    ids: list[str],
    pairs: list[tuple[str, str]],
    boxes: dict[str, Box],
    area: tuple[float, float, float, float],
) -> dict[str, tuple[float, float]]:
    """Spring layout scaled into ``area`` (left, top, right, bottom) so that every
    node's box fits, then nodes whose boxes overlap are pushed apart."""
    graph: nx.Graph[str] = nx.Graph()
    graph.add_nodes_from(ids)
    graph.add_edges_from(pairs)
    raw = nx.spring_layout(graph, seed=1, k=2.2 / math.sqrt(len(ids)), iterations=200)
    left, top, right, bottom = area

    def lo_hi(n: str) -> tuple[float, float, float, float]:
        bl, bt, br, bb = boxes[n]
        return left - bl, top - bt, right - br, bottom - bb

    def clamp(n: str, x: float, y: float) -> tuple[float, float]:
        x0, y0, x1, y1 = lo_hi(n)
        x = (x0 + x1) / 2 if x1 < x0 else min(max(x, x0), x1)
        y = (y0 + y1) / 2 if y1 < y0 else min(max(y, y0), y1)
        return x, y

    xs = [float(raw[n][0]) for n in ids]
    ys = [float(raw[n][1]) for n in ids]
    span_x, span_y = max(xs) - min(xs), max(ys) - min(ys)
    pos: dict[str, tuple[float, float]] = {}
    for n, x, y in zip(ids, xs, ys, strict=True):
        x0, y0, x1, y1 = lo_hi(n)
        fx = (x - min(xs)) / span_x if span_x > 1e-9 else 0.5
        fy = (y - min(ys)) / span_y if span_y > 1e-9 else 0.5
        pos[n] = clamp(n, x0 + fx * (x1 - x0), y0 + fy * (y1 - y0))
    if len(ids) <= SPREAD_MAX_NODES:
        _spread(ids, pos, boxes, clamp)
    return pos


def _spread(
    ids: list[str],
    pos: dict[str, tuple[float, float]],
    boxes: dict[str, Box],
    clamp: Any,
    rounds: int = 200,
) -> None:
    """Push apart, along the axis of least overlap, pairs of nodes whose boxes overlap."""
    for _ in range(rounds):
        moved = False
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                (ax, ay), (bx, by) = pos[a], pos[b]
                al, at, ar, ab = boxes[a]
                bl, bt, br, bb = boxes[b]
                ox = min(ax + ar, bx + br) - max(ax + al, bx + bl)
                oy = min(ay + ab, by + bb) - max(ay + at, by + bt)
                if ox <= 0 or oy <= 0:
                    continue
                moved = True
                if ox < oy:
                    step = (ox / 2 + 1) * (1 if bx >= ax else -1)
                    pos[a] = clamp(a, ax - step, ay)
                    pos[b] = clamp(b, bx + step, by)
                else:
                    step = (oy / 2 + 1) * (1 if by >= ay else -1)
                    pos[a] = clamp(a, ax, ay - step)
                    pos[b] = clamp(b, bx, by + step)
        if not moved:
            return


def svg(
    nodes: list[dict[str, Any]], edges: list[dict[str, Any]], width: int = 900, height: int = 600
) -> str:
    """The case graph as an SVG document (a string), ``width`` x ``height`` user units."""
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="case-graph" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'preserveAspectRatio="xMidYMid meet" role="img" '
        'aria-label="Graph of the case\'s subjects">',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#fff"/>',
        *_legend(width),
    ]
    by_id: dict[str, dict[str, Any]] = {}
    for node in nodes:
        by_id.setdefault(str(node["id"]), node)
    drawn = [e for e in edges if str(e["src"]) != str(e["dst"])]
    for edge in drawn:  # an edge to a node we were not given still gets drawn
        for end in (str(edge["src"]), str(edge["dst"])):
            by_id.setdefault(end, {"id": end, "caption": end, "schema": "", "role": None})
    if not by_id:
        out.append(_message(width, (LEGEND_HEIGHT + height) / 2, EMPTY_TEXT))
        out.append("</svg>")
        return "\n".join(out)

    ids = list(by_id)
    captions = {n: _short(str(by_id[n].get("caption") or n)) for n in ids}
    boxes = {n: _box(captions[n], by_id[n].get("role")) for n in ids}
    top = LEGEND_HEIGHT + PAD + (0 if drawn else 30)  # room for the message
    pairs = [(str(e["src"]), str(e["dst"])) for e in drawn]
    pos = _layout(ids, pairs, boxes, (PAD, top, width - PAD, height - PAD))
    if not drawn:
        out.append(_message(width, LEGEND_HEIGHT + 28, EMPTY_TEXT))

    out.append('<g class="edges" stroke="#8c8c8c" stroke-width="1.4">')
    for a, b in pairs:
        (x1, y1), (x2, y2) = pos[a], pos[b]
        out.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}"/>')
    out.append("</g>")

    # Labels of parallel edges (same two ends) are stacked; each stack goes at the
    # first point along its edge where it covers no caption and no other label.
    groups: dict[frozenset[str], list[dict[str, Any]]] = defaultdict(list)
    for edge in drawn:
        groups[frozenset((str(edge["src"]), str(edge["dst"])))].append(edge)
    taken = [_absolute(boxes[n], pos[n]) for n in ids]
    out.append(f'<g class="edge-labels" font-family="{FONT}" font-size="{LABEL_SIZE}" fill="#444">')
    for group in groups.values():
        texts = [_short(str(edge.get("kind") or ""), 24) for edge in group]
        mx, my = _label_spot(pos[str(group[0]["src"])], pos[str(group[0]["dst"])], texts, taken)
        for i, text in enumerate(texts):
            y = my + 4 + (i - (len(texts) - 1) / 2) * LINE
            out.append(_backdrop(mx, y, text, LABEL_SIZE))
            out.append(f'<text x="{mx:.1f}" y="{y:.1f}" text-anchor="middle">{escape(text)}</text>')
    out.append("</g>")

    out.append(f'<g class="nodes" font-family="{FONT}" font-size="{CAPTION_SIZE}" fill="#222">')
    for n in ids:
        node = by_id[n]
        role = node.get("role")
        x, y = pos[n]
        r = _radius(role)
        title = f"{node.get('caption') or n} ({node.get('schema') or 'unknown'})"
        if role is not None:
            title += f", {role}"
        out.append(f'<g class="node" data-id="{escape(n)}">')
        out.append(f"<title>{escape(title)}</title>")
        out.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{_colour(role)}" '
            'stroke="#333" stroke-width="0.8"/>'
        )
        baseline = y + r + CAPTION_SIZE + 1
        bold = role is not None
        out.append(_backdrop(x, baseline, captions[n], CAPTION_SIZE, bold))
        weight = ' font-weight="bold"' if bold else ""
        out.append(
            f'<text x="{x:.1f}" y="{baseline:.1f}" text-anchor="middle"{weight}>'
            f"{escape(captions[n])}</text>"
        )
        out.append("</g>")
    out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)
