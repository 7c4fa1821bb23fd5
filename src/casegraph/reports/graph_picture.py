"""A self-contained SVG picture of a case's graph, for the case file.

Laid out for the page: each connected part of the graph gets a share of the picture
(by the room its subjects and their captions need) and is laid out there with
Kamada-Kawai (deterministic), then nodes whose boxes (circle and caption) overlap are
pushed apart; when they cannot all fit, the picture grows taller. :func:`layout` gives
the coordinates and boxes, :func:`draw` the SVG. No scripts, no external resources;
every piece of text is escaped here, so the result may be inlined into HTML as is.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

import networkx as nx

ROLE_COLOURS: dict[str, str] = {
    "suspect": "#c9483f",
    "victim": "#2f6fbf",
    "witness": "#2e8b57",
    "informant": "#7d4fb8",
    "other": "#6f6f6f",
}
UNLINKED = "#c9c9c9"
ROLE_RADIUS: dict[str, float] = {
    "suspect": 17, "victim": 15, "witness": 15, "informant": 15, "other": 13,
}  # fmt: skip
UNLINKED_RADIUS = 9.0
FONT = "DejaVu Sans, sans-serif"
EMPTY_TEXT = "No relationships among the case's subjects"
CAPTION_SIZE = 13.0  # linked subjects (bold); others one point smaller
LINE_CHARS = (16, 28)  # a caption is wrapped at spaces and hyphens, lines this long ...
CAPTION_LINES = 3  # ... in as few lines as can be, at most this many (cut with "…")
PAD = 10.0  # between the picture's edge and any node's box
GAP = 12.0  # between two boxes
ROUNDS = 300  # of the push-apart pass
STRETCH = 3.0  # a part is stretched to its rectangle at most this much more one way

# Lines: one per pair of subjects and family of relationship, as wide as the number of
# relationships it stands for; several families between two subjects run side by side.
CONTROL = ("Ownership", "Directorship", "Employment", "Membership", "Representation",
           "Succession")  # fmt: skip
PERSONAL = ("Family", "Associate")


@dataclass(frozen=True)
class Family:
    key: str
    label: str
    colour: str
    dash: str | None


FAMILIES: tuple[Family, ...] = (
    Family("payment", "payment", "#d27b00", None),
    Family("call", "call", "#13898f", None),
    Family("control", "ownership, directorship, employment", "#2b3a4a", None),
    Family("personal", "family, associate", "#a63d8f", None),
    Family("shared", "shared address, phone, account …", "#8c8c8c", "7 4"),
    Family("other", "other (court case, …)", "#5a5a5a", "2.5 3"),
)
FAMILY = {f.key: f for f in FAMILIES}

# a letter inside each node for the kind of subject
SCHEMA_LETTERS: dict[str, tuple[str, str]] = {
    "Person": ("P", "person"),
    "Company": ("C", "company"),
    "Organization": ("O", "organisation"),
    "LegalEntity": ("L", "legal entity"),
    "PublicBody": ("B", "public body"),
    "BankAccount": ("A", "account"),
    "CourtCase": ("§", "court case"),
    "Address": ("@", "address"),
    "Vehicle": ("V", "vehicle"),
    "RealEstate": ("R", "real estate"),
}

# DejaVu Sans advance widths of the printable ASCII characters, in hundredths of an em
_WIDTHS = (
    32, 40, 46, 84, 64, 95, 78, 27, 39, 39, 50, 84, 32, 36, 32, 34, 64, 64, 64, 64, 64, 64,
    64, 64, 64, 64, 34, 34, 84, 84, 84, 53, 100, 68, 69, 70, 77, 63, 58, 77, 75, 29, 29, 66,
    56, 86, 75, 79, 60, 79, 69, 63, 61, 73, 68, 99, 69, 61, 69, 39, 34, 39, 84, 50, 50, 61,
    63, 55, 63, 62, 35, 63, 63, 28, 28, 58, 28, 97, 63, 61, 63, 63, 41, 52, 39, 63, 59, 82,
    59, 59, 52, 64, 34, 64, 84,
)  # fmt: skip
_BOLD = 1.1  # DejaVu Sans Bold is about this much wider
_OTHER = 0.72  # a character outside ASCII without an ASCII base letter (Cyrillic ...)

Box = tuple[float, float, float, float]  # left, top, right, bottom


def family_of(kind: str) -> str:
    """The family of lines a relationship of ``kind`` is drawn with."""
    name = kind.casefold()
    if name == "payment":
        return "payment"
    if name == "call":
        return "call"
    if name in {k.casefold() for k in CONTROL}:
        return "control"
    if name in {k.casefold() for k in PERSONAL}:
        return "personal"
    if name.startswith("same:"):
        return "shared"
    return "other"


def text_width(text: str, size: float, bold: bool = False) -> float:
    """The width of ``text`` set in DejaVu Sans at ``size`` (user units)."""
    ems = 0.0
    for char in text:
        code = ord(char)
        if not 32 <= code < 127:
            base = unicodedata.normalize("NFKD", char)[:1]
            code = ord(base) if base and 32 <= ord(base) < 127 else -1
        ems += _WIDTHS[code - 32] / 100 if code >= 0 else _OTHER
    return ems * size * (_BOLD if bold else 1.0)


def caption_lines(text: str) -> list[str]:
    """A caption wrapped in the fewest lines (then the narrowest) of ``LINE_CHARS``;
    one that needs more than ``CAPTION_LINES`` in the longest lines, cut."""
    shortest, longest = LINE_CHARS
    tries = [wrap(text, limit, lines=99) for limit in range(shortest, longest + 1)]
    best = min(tries, key=lambda t: (len(t), max(map(len, t), default=0)))
    if len(best) > CAPTION_LINES:
        best = wrap(text, longest)
    return best or ["?"]


def wrap(text: str, limit: int, lines: int = CAPTION_LINES) -> list[str]:
    """``text`` in lines of about ``limit`` characters, broken at spaces and after
    hyphens only (a longer word keeps a line of its own); beyond ``lines`` lines the
    last one ends at a whole word with "…"."""
    pieces: list[tuple[str, bool]] = []  # (piece, whether it follows a hyphen)
    for word in " ".join(str(text).split()).split(" "):
        parts = word.split("-")
        for i, part in enumerate(parts):
            piece = part + ("-" if i < len(parts) - 1 else "")
            if piece:
                pieces.append((piece, i > 0))
    out: list[str] = []
    for piece, glued in pieces:
        joiner = "" if glued else " "
        if out and len(out[-1]) + len(joiner) + len(piece) <= limit:
            out[-1] += joiner + piece
        else:
            out.append(piece)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1].rstrip("-") + " …"
    return [line if len(line) <= 2 * limit else line[: 2 * limit - 1] + "…" for line in out]


@dataclass
class Node:
    id: str
    caption: str
    schema: str
    role: str | None
    radius: float
    size: float  # of the caption's font
    lines: list[str]  # the caption, wrapped
    x: float = 0.0
    y: float = 0.0
    # the node and its caption, relative to its centre
    extent: Box = (0.0, 0.0, 0.0, 0.0)

    @property
    def box(self) -> Box:
        left, top, right, bottom = self.extent
        return (self.x + left, self.y + top, self.x + right, self.y + bottom)


@dataclass
class Line:
    a: str
    b: str
    family: str
    count: int  # relationships this line stands for
    width: float
    offset: float = 0.0  # sideways from the centre line, for several families of a pair


@dataclass
class Layout:
    width: float
    height: float
    top: float  # where the drawing starts, below the legend
    nodes: dict[str, Node]
    lines: list[Line]
    families: list[str] = field(default_factory=list)  # present, in legend order
    schemata: list[str] = field(default_factory=list)  # present, in legend order

    @property
    def boxes(self) -> dict[str, Box]:
        """Each node's box (its circle and caption) in the picture's coordinates."""
        return {n.id: n.box for n in self.nodes.values()}

    def overlaps(self) -> list[tuple[str, str]]:
        """Pairs of nodes whose boxes overlap (none, once laid out)."""
        found = []
        items = list(self.nodes.values())
        for i, a in enumerate(items):
            for b in items[i + 1 :]:
                if _overlap(a.box, b.box) > 0:
                    found.append((a.id, b.id))
        return found


def _overlap(a: Box, b: Box, gap: float = 0.0) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0]) + gap
    h = min(a[3], b[3]) - max(a[1], b[1]) + gap
    return w * h if w > 0 and h > 0 else 0.0


def _node(item: dict[str, Any]) -> Node:
    role = item.get("role")
    linked = role is not None
    radius = ROLE_RADIUS.get(str(role), ROLE_RADIUS["other"]) if linked else UNLINKED_RADIUS
    size = CAPTION_SIZE if linked else CAPTION_SIZE - 1
    lines = caption_lines(str(item.get("caption") or item["id"]))
    half = max(radius, max(text_width(t, size, linked) for t in lines) / 2 + 2)
    below = radius + 3 + len(lines) * size * 1.2 + 2
    node = Node(str(item["id"]), str(item.get("caption") or item["id"]),
                str(item.get("schema") or ""), role, radius, size, lines)  # fmt: skip
    node.extent = (-half, -radius - 2, half, below)
    return node


def layout(
    nodes: Iterable[dict[str, Any]], edges: Iterable[dict[str, Any]], width: float = 900,
    height: float = 900,
) -> Layout:  # fmt: skip
    """Where each node of the case graph goes in a ``width`` x ``height`` picture (or a
    taller one, when the boxes do not fit), and the lines among them."""
    by_id: dict[str, Node] = {}
    for item in nodes:
        by_id.setdefault(str(item["id"]), _node(item))
    counts: dict[tuple[str, str, str], int] = {}
    for edge in edges:
        a, b = str(edge["src"]), str(edge["dst"])
        if a == b:
            continue
        for end in (a, b):  # an edge to a node we were not given still gets drawn
            if end not in by_id:
                by_id[end] = _node({"id": end, "caption": end, "schema": "", "role": None})
        a, b = sorted((a, b))
        key = (a, b, family_of(str(edge.get("kind") or "")))
        counts[key] = counts.get(key, 0) + int(edge.get("count") or 1)
    lines = _lines(counts)
    families = [f.key for f in FAMILIES if any(line.family == f.key for line in lines)]
    schemata = [s for s in SCHEMA_LETTERS if any(n.schema == s for n in by_id.values())]
    top = 12 + 24 * (1 + bool(families) + bool(schemata)) + PAD
    result = Layout(width, height, top, by_id, lines, families, schemata)
    if by_id:
        _place(result, counts)
    return result


def _lines(counts: dict[tuple[str, str, str], int]) -> list[Line]:
    order = {f.key: i for i, f in enumerate(FAMILIES)}
    pairs: dict[tuple[str, str], list[Line]] = {}
    for (a, b, fam), count in sorted(counts.items(), key=lambda kv: (kv[0][:2], order[kv[0][2]])):
        width = min(7.0, 1.8 + 1.2 * math.log2(count))
        pairs.setdefault((a, b), []).append(Line(a, b, fam, count, width))
    out = []
    for group in pairs.values():
        total = sum(line.width for line in group) + 2.5 * (len(group) - 1)
        at = -total / 2
        for line in group:
            line.offset = at + line.width / 2
            at += line.width + 2.5
            out.append(line)
    return out


def _place(result: Layout, counts: dict[tuple[str, str, str], int]) -> None:
    graph: nx.Graph[str] = nx.Graph()
    graph.add_nodes_from(result.nodes)
    graph.add_edges_from((a, b) for a, b, _ in counts)
    order = {n: i for i, n in enumerate(result.nodes)}
    parts = sorted(
        (sorted(c, key=order.__getitem__) for c in nx.connected_components(graph)),
        key=lambda c: (-len(c), order[c[0]]),
    )
    # the room a part needs: its boxes with space around them, and for a small part
    # at least a square twice as wide as its widest box
    need = [
        max(sum(_area(result.nodes[n]) for n in part),
            (2 * max(_width(result.nodes[n]) for n in part)) ** 2 if len(part) > 2 else 0)
        for part in parts
    ]  # fmt: skip
    area = (PAD, result.top, result.width - PAD, result.height - PAD)
    for part, rect in zip(parts, _treemap(need, area), strict=True):
        _fit(graph.subgraph(part), [result.nodes[n] for n in part], rect)
    if _spread(result):
        _frame(result)
    else:  # still crowded: a grid always fits
        _grid(result)


def _width(node: Node) -> float:
    return node.extent[2] - node.extent[0] + GAP


def _area(node: Node) -> float:
    left, top, right, bottom = node.extent
    return (right - left + GAP) * (bottom - top + GAP) * 2.2


def _treemap(weights: Sequence[float], rect: Box) -> list[Box]:
    """``rect`` cut into one rectangle per weight (in order), each of an area in
    proportion to its weight, cut across the longer side."""
    if len(weights) == 1:
        return [rect]
    total = sum(weights)
    half, acc, cut = total / 2, 0.0, 1
    for i, w in enumerate(weights[:-1], start=1):
        acc += w
        cut = i
        if acc >= half:
            break
    share = sum(weights[:cut]) / total
    left, top, right, bottom = rect
    if right - left >= bottom - top:
        mid = left + (right - left) * share
        first, second = (left, top, mid, bottom), (mid, top, right, bottom)
    else:
        mid = top + (bottom - top) * share
        first, second = (left, top, right, mid), (left, mid, right, bottom)
    return _treemap(weights[:cut], first) + _treemap(weights[cut:], second)


def _fit(graph: Any, nodes: list[Node], rect: Box) -> None:
    """Lay out one connected part in ``rect`` so that every box fits in it."""
    left, top, right, bottom = rect
    if len(nodes) == 1:
        node = nodes[0]
        node.x, node.y = (left + right) / 2, (top + bottom) / 2
        node.x, node.y = _clamp(node, node.x, node.y, rect)
        return
    if len(nodes) == 2:
        raw = {nodes[0].id: (-1.0, 0.0), nodes[1].id: (1.0, 0.0)}
    else:
        # Kamada-Kawai for the shape, then a few rounds of springs (seeded) to spread
        # the leaves around a hub over the room there is
        start = nx.kamada_kawai_layout(graph, weight=None)
        spread = nx.spring_layout(graph, pos=start, k=1.6 / math.sqrt(len(nodes)),
                                  iterations=60, seed=7)  # fmt: skip
        raw = _turned({n: (float(p[0]), float(p[1])) for n, p in spread.items()},
                      right - left >= bottom - top)  # fmt: skip
    xs = [raw[n.id][0] for n in nodes]
    ys = [raw[n.id][1] for n in nodes]
    span_x, span_y = max(xs) - min(xs) or 1.0, max(ys) - min(ys) or 1.0
    # the room for the centres: the rectangle less the widest box's overhang
    x0 = left - min(n.extent[0] for n in nodes)
    x1 = right - max(n.extent[2] for n in nodes)
    y0 = top - min(n.extent[1] for n in nodes)
    y1 = bottom - max(n.extent[3] for n in nodes)
    sx, sy = max(x1 - x0, 0.0) / span_x, max(y1 - y0, 0.0) / span_y
    # stretched to the rectangle, but not out of all proportion
    sx, sy = min(sx, sy * STRETCH), min(sy, sx * STRETCH)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    mx, my = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    for node in nodes:
        x, y = raw[node.id]
        node.x, node.y = _clamp(node, cx + (x - mx) * sx, cy + (y - my) * sy, rect)


def _turned(pos: dict[str, tuple[float, float]], wide: bool) -> dict[str, tuple[float, float]]:
    """``pos`` turned so that its longest extent runs along the rectangle's longer side
    (``wide``: across)."""
    n = len(pos)
    mx = sum(x for x, _ in pos.values()) / n
    my = sum(y for _, y in pos.values()) / n
    sxx = sum((x - mx) ** 2 for x, _ in pos.values())
    syy = sum((y - my) ** 2 for _, y in pos.values())
    sxy = sum((x - mx) * (y - my) for x, y in pos.values())
    angle = 0.5 * math.atan2(2 * sxy, sxx - syy)  # of the principal axis
    turn = -angle if wide else math.pi / 2 - angle
    c, s = math.cos(turn), math.sin(turn)
    return {
        k: ((x - mx) * c - (y - my) * s, (x - mx) * s + (y - my) * c) for k, (x, y) in pos.items()
    }


def _clamp(node: Node, x: float, y: float, rect: Box) -> tuple[float, float]:
    left, top, right, bottom = rect
    x0, x1 = left - node.extent[0], right - node.extent[2]
    y0, y1 = top - node.extent[1], bottom - node.extent[3]
    x = (x0 + x1) / 2 if x1 < x0 else min(max(x, x0), x1)
    y = (y0 + y1) / 2 if y1 < y0 else min(max(y, y0), y1)
    return x, y


def _spread(result: Layout) -> bool:
    """Push apart, along the axis of least overlap, pairs of nodes whose boxes (with a
    gap) overlap; whether none overlap in the end. Nodes may leave the picture here:
    ``_frame`` makes it as large as they need."""
    items = sorted(result.nodes.values(), key=lambda n: (n.x, n.id))
    for _ in range(ROUNDS):
        moved = False
        items.sort(key=lambda n: (n.box[0], n.id))
        for i, a in enumerate(items):
            ab = a.box
            for b in items[i + 1 :]:
                bb = b.box
                if bb[0] >= ab[2] + GAP:
                    break  # sorted by left edge: no later box reaches a's
                ox = min(ab[2], bb[2]) - max(ab[0], bb[0]) + GAP
                oy = min(ab[3], bb[3]) - max(ab[1], bb[1]) + GAP
                if ox <= 0 or oy <= 0:
                    continue
                moved = True
                if ox < oy:
                    step = ox / 2 + 0.5
                    sign = 1 if (b.x, b.id) >= (a.x, a.id) else -1
                    a.x, b.x = a.x - sign * step, b.x + sign * step
                else:
                    step = oy / 2 + 0.5
                    sign = 1 if (b.y, b.id) >= (a.y, a.id) else -1
                    a.y, b.y = a.y - sign * step, b.y + sign * step
                ab = a.box
        if not moved:
            return True
    return not result.overlaps()


def _frame(result: Layout) -> None:
    """Move the drawing into the picture, the picture made larger (both ways, so that it
    keeps its shape on the page) when the drawing needs more room than it has."""
    boxes = list(result.boxes.values())
    left, top = min(b[0] for b in boxes), min(b[1] for b in boxes)
    right, bottom = max(b[2] for b in boxes), max(b[3] for b in boxes)
    if (left >= PAD and top >= result.top and right <= result.width - PAD
            and bottom <= result.height - PAD):  # fmt: skip
        return
    factor = max(1.0, (right - left + 2 * PAD) / result.width,
                 (bottom - top + result.top + PAD) / result.height)  # fmt: skip
    result.width, result.height = result.width * factor, result.height * factor
    dx = (result.width - (right - left)) / 2 - left  # centred across, from the top
    dy = result.top - top
    for node in result.nodes.values():
        node.x += dx
        node.y += dy


def _grid(result: Layout) -> None:
    """Every node in a cell of its own, rows as tall as their tallest box."""
    items = list(result.nodes.values())
    cell = max(n.extent[2] - n.extent[0] for n in items) + GAP
    columns = max(1, int((result.width - 2 * PAD) // cell))
    y = result.top
    for start in range(0, len(items), columns):
        row = items[start : start + columns]
        height = max(n.extent[3] - n.extent[1] for n in row) + GAP
        for i, node in enumerate(row):
            node.x = PAD + cell * (i + 0.5)
            node.y = y - node.extent[1]
        y += height
    result.height = max(result.height, y + PAD)


# --- drawing ---------------------------------------------------------------------------


def _colour(role: str | None) -> str:
    if role is None:
        return UNLINKED
    return ROLE_COLOURS.get(role, ROLE_COLOURS["other"])


def _backdrop(x: float, baseline: float, text: str, size: float, bold: bool = False) -> str:
    """A white box behind centred text, so lines passing under it do not cross it."""
    w = text_width(text, size, bold) + 4
    return (
        f'<rect x="{x - w / 2:.1f}" y="{baseline - size * 0.92:.1f}" width="{w:.1f}" '
        f'height="{size * 1.2:.1f}" rx="2" fill="#fff" fill-opacity="0.9"/>'
    )


def _legend(result: Layout) -> list[str]:
    out = [f'<g class="legend" font-family="{FONT}" font-size="12" fill="#333">']
    y = 12.0
    x = 12.0
    roles = [*((r, _colour(r), ROLE_RADIUS[r]) for r in ROLE_COLOURS),
             ("not linked", UNLINKED, UNLINKED_RADIUS)]  # fmt: skip
    for name, colour, radius in roles:
        r = min(radius, 17) * 0.55
        out.append(f'<circle cx="{x + 7:.1f}" cy="{y + 8:.1f}" r="{r:.1f}" fill="{colour}" '
                   'stroke="#222" stroke-width="0.8"/>')  # fmt: skip
        out.append(f'<text x="{x + 18:.1f}" y="{y + 12.5:.1f}">{escape(name)}</text>')
        x += 18 + text_width(name, 12) + 22
    if result.families:
        y += 24
        x = 12.0
        for key in result.families:
            fam = FAMILY[key]
            dash = f' stroke-dasharray="{fam.dash}"' if fam.dash else ""
            out.append(f'<line x1="{x:.1f}" y1="{y + 8:.1f}" x2="{x + 26:.1f}" y2="{y + 8:.1f}" '
                       f'stroke="{fam.colour}" stroke-width="3"{dash}/>')  # fmt: skip
            out.append(f'<text x="{x + 31:.1f}" y="{y + 12.5:.1f}">{escape(fam.label)}</text>')
            x += 31 + text_width(fam.label, 12) + 22
    if result.schemata:
        y += 24
        x = 12.0
        for schema in result.schemata:
            letter, name = SCHEMA_LETTERS[schema]
            out.append(f'<text x="{x:.1f}" y="{y + 12.5:.1f}" font-weight="bold">'
                       f"{escape(letter)}</text>")  # fmt: skip
            out.append(f'<text x="{x + 13:.1f}" y="{y + 12.5:.1f}">{escape(name)}</text>')
            x += 13 + text_width(name, 12) + 20
        out.append(f'<text x="{result.width - 12:.1f}" y="{y + 12.5:.1f}" text-anchor="end" '
                   'fill="#555">line width: number of relationships</text>')  # fmt: skip
    out.append("</g>")
    rule = result.top - PAD / 2
    out.append(f'<line x1="0" y1="{rule:.1f}" x2="{result.width}" y2="{rule:.1f}" '
               'stroke="#ccc" stroke-width="1"/>')  # fmt: skip
    return out


def _message(width: float, y: float, text: str) -> str:
    return (
        f'<text x="{width / 2:.1f}" y="{y:.1f}" text-anchor="middle" '
        f'font-family="{FONT}" font-size="15" fill="#666">{escape(text)}</text>'
    )


def draw(result: Layout) -> str:
    """The laid-out case graph as an SVG document (a string)."""
    width, height = result.width, result.height
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="case-graph" '
        f'viewBox="0 0 {width:g} {height:g}" width="{width:g}" height="{height:g}" '
        'preserveAspectRatio="xMidYMid meet" role="img" '
        'aria-label="Graph of the case\'s subjects">',
        f'<rect x="0" y="0" width="{width:g}" height="{height:g}" fill="#fff"/>',
        *_legend(result),
    ]
    if not result.nodes:
        out.append(_message(width, (result.top + height) / 2, EMPTY_TEXT))
        out.append("</svg>")
        return "\n".join(out)
    if not result.lines:
        out.append(_message(width, height - PAD - 4, EMPTY_TEXT))

    out.append('<g class="edges" stroke-linecap="round">')
    for line in result.lines:
        a, b = result.nodes[line.a], result.nodes[line.b]
        length = math.hypot(b.x - a.x, b.y - a.y) or 1.0
        nx_, ny_ = (a.y - b.y) / length * line.offset, (b.x - a.x) / length * line.offset
        fam = FAMILY[line.family]
        dash = f' stroke-dasharray="{fam.dash}"' if fam.dash else ""
        out.append(
            f'<line class="{fam.key}" x1="{a.x + nx_:.1f}" y1="{a.y + ny_:.1f}" '
            f'x2="{b.x + nx_:.1f}" y2="{b.y + ny_:.1f}" stroke="{fam.colour}" '
            f'stroke-width="{line.width:.1f}"{dash} data-count="{line.count}"/>'
        )
    out.append("</g>")

    out.append(f'<g class="nodes" font-family="{FONT}" fill="#1a1a1a">')
    for node in result.nodes.values():
        bold = node.role is not None
        box = " ".join(f"{v:.1f}" for v in node.box)
        out.append(f'<g class="node" data-id="{escape(node.id)}" data-box="{box}">')
        title = f"{node.caption} ({node.schema or 'unknown'})"
        if node.role is not None:
            title += f", {node.role}"
        out.append(f"<title>{escape(title)}</title>")
        out.append(
            f'<circle cx="{node.x:.1f}" cy="{node.y:.1f}" r="{node.radius:g}" '
            f'fill="{_colour(node.role)}" stroke="#222" stroke-width="1"/>'
        )
        letter = SCHEMA_LETTERS.get(node.schema, ("", ""))[0]
        if letter:
            size = node.radius * (1.05 if bold else 1.2)
            ink = "#fff" if bold else "#333"
            out.append(
                f'<text x="{node.x:.1f}" y="{node.y + size * 0.36:.1f}" text-anchor="middle" '
                f'font-size="{size:.1f}" font-weight="bold" fill="{ink}">{escape(letter)}</text>'
            )
        weight = ' font-weight="bold"' if bold else ""
        for i, text in enumerate(node.lines):
            baseline = node.y + node.radius + 3 + node.size * (0.95 + 1.2 * i)
            out.append(_backdrop(node.x, baseline, text, node.size, bold))
            out.append(
                f'<text x="{node.x:.1f}" y="{baseline:.1f}" text-anchor="middle" '
                f'font-size="{node.size:g}"{weight}>{escape(text)}</text>'
            )
        out.append("</g>")
    out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)


def svg(
    nodes: list[dict[str, Any]], edges: list[dict[str, Any]], width: int = 900, height: int = 900
) -> str:
    """The case graph as an SVG document (a string), ``width`` user units wide and at
    least ``height`` tall."""
    return draw(layout(nodes, edges, width, height))
