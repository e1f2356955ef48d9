"""Read each tile's display name from a few full-resolution frames of its span (OCR + vote).

Why: every meeting tool prints the participant's name on the tile (Zoom: white on a dark
translucent box at the bottom left; Teams: dark or white text on a box; Meet: white text with no
box; a camera-off tile may show the full name centred, or only initials in a circle). Users study
named students, so the layout says who is who when the picture says so, and nothing otherwise.

How, per tile and span (docs/layout.md, "Names"):

1. Where: the bottom band of the tile (labels sit at the bottom left); for a camera-off tile also
   its middle band (a centred name).
2. Text strokes: white text is brighter than its surroundings at the stroke scale (morphological
   top-hat), dark text darker (black-hat). A label is fixed on the tile while the picture behind it
   moves, so the stroke map of a sample is combined over the samples by a minimum: only what is
   there in every frame stays.
3. The text line: connected strokes of a plausible height, neither saturated colour (a red muted
   icon, the green speaker border) nor long thin lines, grouped into lines of neighbours; square
   marks taller than the letters at either end of the line are icons (mute, pin) and go (a word
   with a descender is not one); fainter marks on the baseline continue the line, not beyond the
   label box's edge (the picture). A line whose end is in doubt (a thin bar that is no clear "i"
   or "l", a mark beyond an edge of the picture) is not read: it may lack a letter.
4. OCR: the line of every sample, masked to its strokes, upscaled to about 40 px, dark on white,
   through Tesseract (engage.layout.ocr); words Tesseract is unsure of at the ends, symbol-only
   words and role tags (``(Host)``, pronouns: engage.naming) are dropped.
5. Vote: every sample is read in two views (the strokes masked to the line at one size, and as
   they are at 1.6 times that size); a name is kept when both views read the same normalised name
   (or one view does in three samples), each with enough confidence, at least three quarters of
   the valid readings agree, and no letter is read two ways (in another valid reading, or in a
   confident word of any reading); reading stops as soon as both views agree and none disagrees.
   A centred text of one to three capitals is initials, not a name. Otherwise the name is null: a
   wrong name is worse than none.
"""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from engage.naming import normalize_name, strip_role_tags

log = logging.getLogger(__name__)

Rect = tuple[int, int, int, int]

#: Tesseract word confidence (0-100) a reading needs on every word, and on average.
MIN_WORD_CONF = 86.0
MIN_MEAN_CONF = 85.0
#: Upscaled height (px) of the text line given to Tesseract, and the two views' factors on it.
OCR_LINE_HEIGHT = 40
VIEW_SCALES = (1.0, 1.6)
VIEW_MASKS = ("keep", "span")
#: The picture view's size (:meth:`NameReader._picture_refutes`) on the stroke views' scale.
PICTURE_VIEW_SCALE = 1.4
#: Text lines lower than this (display px, capitals to descenders: a font of about 11 px) are not
#: read: Tesseract misreads such small names consistently ("Prrya" for "Priya") on every sample.
MIN_LINE_PX = 6
#: Characters a display name may contain besides letters, digits and spaces.
NAME_PUNCT = set("-'’.,_&()")
DEBUG_DIR = None  # a folder: every OCR input image is written there (development aid)


@dataclass
class NameRead:
    """A tile's name (display string, role tags dropped) and confidence 0-1, both None when unread."""

    name: str | None = None
    confidence: float | None = None
    readings: list[str] = field(default_factory=list)  # what each sample read (for the log)


@dataclass
class _Line:
    comps: list[tuple[int, int, int, int]]  # x0, y0, x1, y1 in region pixels
    polarity: int  # +1: bright text, -1: dark text
    labels: tuple = ()  # label images of the region's marks (strong, weak threshold)
    small: list | None = None  # the region's small marks (dots, hyphens, apostrophes)

    def mask(self) -> np.ndarray:
        """The line's own stroke pixels: its marks and the small marks within its box."""
        x0, y0, x1, y1 = self.box
        marks = list(self.comps) + [m for m in self.small or ()
                                    if m[0] >= x0 - 2 and m[2] <= x1 + 2 and m[1] >= y0 - 2 and m[3] <= y1 + 2]
        out = np.zeros(self.labels[0].shape, bool)
        for src, labels in enumerate(self.labels):
            ids = [m[4] for m in marks if m[5] == src]
            if ids:
                out |= np.isin(labels, ids)
        return out

    @property
    def box(self) -> tuple[int, int, int, int]:
        return (min(c[0] for c in self.comps), min(c[1] for c in self.comps),
                max(c[2] for c in self.comps), max(c[3] for c in self.comps))

    @property
    def height(self) -> int:
        b = self.box
        return b[3] - b[1]


def _odd(v: float) -> int:
    v = int(round(v))
    return v + 1 - v % 2


def _stroke_maps(greys: np.ndarray, k: int) -> dict[int, np.ndarray]:
    """Per sample, bright (top-hat) and dark (black-hat) stroke strength; (K, h, w) float32 each."""
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))
    out = {}
    for pol, op in ((1, cv2.MORPH_TOPHAT), (-1, cv2.MORPH_BLACKHAT)):
        out[pol] = np.stack([cv2.morphologyEx(g, op, kernel) for g in greys]).astype(np.float32)
    return out


def _components(mask: np.ndarray, colour: np.ndarray, region_h: int, src: int = 0) -> tuple[list, list, np.ndarray]:
    """Connected stroke marks ``(x0, y0, x1, y1, label, src)``: those that can be letters (or icons,
    removed later), the small ones (dots, hyphens, apostrophes), and the label image. Marks that
    cannot be text (saturated colour, long thin lines, taller than most of the band) are left out."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    sat = colour.max(axis=2).astype(np.int16) - colour.min(axis=2).astype(np.int16)
    letters, small = [], []
    for i in range(1, n):
        x, y, w, h, area = (int(v) for v in stats[i])
        sub = labels[y:y + h, x:x + w] == i
        if (h > 0.7 * region_h or (w > 12 * h and h < 8)  # a border or an edge, not text
                or float(sat[y:y + h, x:x + w][sub].mean()) > 70):  # a red muted icon, the green speaker border
            continue
        (letters if h >= 4 and area >= 6 else small).append((x, y, x + w, y + h, i, src))
    return letters, small, labels


def _lines(comps: list[tuple[int, int, int, int]], polarity: int) -> list[_Line]:
    """Group letter boxes into text lines (vertical overlap, small horizontal gaps)."""
    lines: list[_Line] = []
    for c in sorted(comps):
        best, fit = None, np.inf
        for ln in lines:
            x0, y0, x1, y1 = ln.box
            ov = min(y1, c[3]) - max(y0, c[1])
            gap = c[0] - x1
            hh = max(ln.height, c[3] - c[1])
            ref = _letter_height(ln.comps)
            if (ov >= 0.7 * min(ln.height, c[3] - c[1]) and -2 <= gap <= 1.2 * hh + 2
                    and c[3] - c[1] <= 1.5 * ref):  # not a picture blob beside the text
                # the line of the most similar letters (a letter beside a picture blob joins the text)
                f = abs(np.log(max(c[3] - c[1], 1) / max(ref, 1.0)))
                if f < fit:
                    best, fit = ln, f
        if best is None:
            lines.append(_Line([c], polarity))
        else:
            best.comps.append(c)
    return lines


def _letter_height(comps) -> float:
    """Height of the line's tallest letters: the tallest mark not far above the median mark
    (capitals and ascenders are 1.4 times the lower-case height; icons are taller still)."""
    hs = [c[3] - c[1] for c in comps]
    med = float(np.median(hs))
    return float(max((v for v in hs if v <= 1.45 * med), default=med))


#: A label box's edge: a step of at least this many grey levels, the same way in this share of the line's rows.
BOX_EDGE_STEP = 20.0
BOX_EDGE_ROWS = 0.9


def _edge_step(grey: np.ndarray, xa: int, xb: int, rows: np.ndarray, outward: int, polarity: int) -> int | None:
    """The first column in ``xa..xb`` where the grey level steps by :data:`BOX_EDGE_STEP` the same
    way (``outward`` times ``polarity``) in :data:`BOX_EDGE_ROWS` of the ``rows``, or None."""
    rows = rows[(rows >= 0) & (rows < grey.shape[0])]
    if rows.size < 2:
        return None
    g = grey[rows].astype(np.float32)
    for x in range(max(1, xa), min(g.shape[1], xb + 1)):
        d = (g[:, x] - g[:, x - 1]) * outward * polarity
        if np.mean(d >= BOX_EDGE_STEP) >= BOX_EDGE_ROWS:
            return x
    return None


def _box_edge(grey: np.ndarray | None, xa: int, xb: int, rows: np.ndarray, above: np.ndarray, outward: int,
              polarity: int) -> str | None:
    """What runs between columns ``xa`` and ``xb`` (a gap at the line's end; ``outward``: +1 right,
    -1 left): ``"box"``, the edge of the label's box, a straight step over the ``rows`` (the line's
    with the box's padding, less those of the mark beyond: an "i" steps where it has ink only) from
    the box's colour to one closer to the text's (a dark translucent box under white text is darker
    than the picture around it, a light one under dark text lighter) that ends above the box (no
    step in the rows ``above`` it); ``"edge"``, such a step that goes on above (an edge of the
    picture, or no room above to tell); None, neither."""
    if grey is None:
        return None
    x = _edge_step(grey, xa, xb, rows, outward, polarity)
    if x is None:
        return None
    above = above[(above >= 0) & (above < grey.shape[0])]
    if above.size < 2 or _edge_step(grey, x - 1, x + 1, above, outward, polarity) is not None:
        return "edge"
    return "box"


def _beyond_box(comps: list, c, grey: np.ndarray | None, polarity: int) -> str | None:
    """What lies between the marks ``comps`` of a line and a mark ``c`` set apart at one of its ends
    (:func:`_box_edge`; None when ``c`` is not set apart)."""
    x0, y0 = min(o[0] for o in comps), min(o[1] for o in comps)
    x1, y1 = max(o[2] for o in comps), max(o[3] for o in comps)
    if x0 < c[2] and c[0] < x1:
        return None
    ref = _letter_height(comps)
    rows = np.array([r for r in range(y0 - 2, y1 + 2) if not c[1] <= r < c[3]])
    above = np.arange(y0 - int(np.ceil(1.4 * ref)), y0 - int(np.ceil(1.0 * ref)))
    if c[0] >= x1:
        return _box_edge(grey, x1, c[0], rows, above, 1, polarity)
    return _box_edge(grey, c[2], x0, rows, above, -1, polarity)


def _trim_box(line: _Line, grey: np.ndarray | None, small: list) -> bool:
    """Drop the marks at either end of the line that lie beyond the edge of the label's box (the
    picture beside the box: a bright wall after "Ravi Patel"); returns whether the line's end is
    in doubt (a thin "i" or "l" right on the box's edge: a box too tight for its text)."""
    comps = sorted(line.comps)
    for end in (-1, 0):
        while len(comps) > 2:
            c, rest = comps[end], comps[:-1] if end == -1 else comps[1:]
            if _beyond_box(rest, c, grey, line.polarity) != "box":
                break
            ref = _letter_height(rest)
            if c[2] - c[0] <= 0.35 * (c[3] - c[1]) and (_dotted(c, small, ref) or _aligned(c, rest)):
                return True
            comps = rest
    line.comps = comps
    return False


def _extend(line: _Line, weak: list, grey: np.ndarray | None = None) -> bool:
    """Add fainter letter-sized marks that continue the line (white letters over a light wall
    lose contrast); nothing taller than the letters (an icon seen again), no farther than a word
    space, and standing on the line's baseline (or below it: a descender) like every letter; a
    mark above the baseline is a piece of the picture (apostrophes and hyphens are small marks,
    kept within the line's box by :meth:`_Line.mask`).

    A mark beyond the edge of the label's box (:func:`_box_edge`) is the picture: meeting tools
    size the box to hold the text. Returns whether the line's end is in doubt: a mark that would
    continue it was left out as a lone bar (the box's edge, or an "i" or "l" without its dot) or
    lies beyond a straight edge of the picture, so the line may lack a letter; part of a name is
    a wrong name, so such a line is not read.
    """
    ref = _letter_height(line.comps)
    base = float(np.median([c[3] for c in line.comps]))

    def fits(c) -> tuple[bool, int]:
        x0, y0, x1, y1 = line.box
        h = c[3] - c[1]
        if c in line.comps or h > 1.15 * ref or h < 0.3 * ref or c[3] < base - 1:
            return False, 0
        ov = min(y1, c[3]) - max(y0, c[1])
        gap = c[0] - x1 if c[0] >= x1 else x0 - c[2] if c[2] <= x0 else 0  # 0: a letter missing within
        return ov >= 0.5 * h and -1 <= gap <= 0.8 * ref + 1 and not any(_overlap(c, o) for o in line.comps), gap

    def lone_bar(c, gap: int) -> bool:  # set apart: the edge of the label's box, not an "l" or an "i"
        h = c[3] - c[1]
        return c[2] - c[0] <= 0.35 * h and gap > 0.15 * ref and not (_dotted(c, weak, ref) or _aligned(c, line.comps))

    def beyond(c, gap: int) -> str | None:  # what lies between the line and the mark
        return _beyond_box(line.comps, c, grey, line.polarity) if gap > 0 else None

    added = True
    while added:
        added = False
        for c in weak:
            ok, gap = fits(c)
            if ok and not lone_bar(c, gap) and beyond(c, gap) is None:
                line.comps.append(c)
                added = True
    def letter_bar(c) -> bool:  # an "i" with its dot, or a bar standing like the letters
        return c[2] - c[0] <= 0.35 * (c[3] - c[1]) and (_dotted(c, weak, ref) or _aligned(c, line.comps))

    # doubt: a mark left out that may be a letter; one beyond the box is the picture, unless it
    # is an "i" or "l" on the box's very edge (a box too tight for its text)
    return any(ok and (beyond(c, gap) != "box" or letter_bar(c)) for c in weak for ok, gap in [fits(c)])


def _dotted(bar, marks, ref: float) -> bool:
    """Whether a thin bar has a dot just above it (an "i" or "j", not the edge of a label's box)."""
    return any(m is not bar and m[3] <= bar[1] + 1 and bar[1] - m[3] <= max(2.0, 0.35 * ref)
               and m[3] - m[1] <= 0.4 * ref and m[2] - m[0] <= max(3.0, 0.4 * ref)
               and m[0] <= bar[2] and bar[0] <= m[2] for m in marks)


def _aligned(bar, comps) -> bool:
    """Whether a thin bar stands on the line's baseline and reaches the top of its small or tall
    letters (an "i" whose dot is lost, an "l"): a piece of a box edge lines up with both by chance
    only."""
    base = float(np.median([c[3] for c in comps]))
    return abs(bar[3] - base) <= 1 and any(bar[1] == c[1] for c in comps if abs(c[3] - base) <= 1)


#: Grey levels a mark at the end of a line may lie below the line's text colour, over most of its
#: pixels (TEXT_LEVEL_TOL) and at its brightest (TEXT_PEAK_TOL).
TEXT_LEVEL_TOL = 25.0
TEXT_PEAK_TOL = 12.0


def _off_colour_end(line: _Line, level: np.ndarray) -> bool:
    """Whether a mark at either end of the line is not the text's colour (``level``: grey, text bright).

    A name is drawn in one colour (white, or dark grey on a light box); a piece of the picture at the
    end of a translucent box (a light door beside a dark shirt) is a mark as well, but a duller one,
    and Tesseract reads it as a letter ("Duboisr"). Such a line is not read: dropping the mark could
    as well drop a letter (small letters are duller too), and part of a name is a wrong name. Thin
    bars ("i", "l") do not count: their anti-aliased strokes are duller and they are letters. A
    letter of small text is dull over most of its pixels (a 10 px "J" is mostly anti-aliased edge),
    but the core of its stroke has the text's colour: a mark is off colour only when its brightest
    pixels are duller too (the door never reaches the text's white).
    """
    return any(_off_colour_ends(line, level))


def _off_colour_ends(line: _Line, level: np.ndarray) -> tuple[bool, bool]:
    """Whether the first and the last mark of the line are off colour (:func:`_off_colour_end`)."""
    def lvl(c) -> tuple[float, float]:
        sub = line.labels[c[5]][c[1]:c[3], c[0]:c[2]] == c[4]
        vals = level[c[1]:c[3], c[0]:c[2]][sub]
        return (float(np.percentile(vals, 90)), float(vals.max())) if vals.size else (0.0, 0.0)

    comps = sorted(line.comps)
    if len(comps) < 3:
        return False, False
    levels = [lvl(c) for c in comps]
    ref = float(np.median([v for v, _p in levels]))
    peak = float(np.median([p for _v, p in levels]))

    def off(k: int) -> bool:
        c, (v, p) = comps[k], levels[k]
        return c[2] - c[0] > 0.4 * (c[3] - c[1]) and v < ref - TEXT_LEVEL_TOL and p < peak - TEXT_PEAK_TOL

    return off(0), off(-1)


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _drop_icons(line: _Line) -> _Line:
    """Remove icons (mute, pin) at either end of the line: a group of marks set apart by a gap,
    about square as a whole and clearly taller than the letters (:func:`_letter_height`).

    Icons are drawn about 1.25 times the font size; letters reach about 0.75 of it (capitals,
    ascenders), two letters merged by anti-aliasing up to 0.95 ("ly"); a word ("Al") is as high
    as its letters. An icon drawn as several marks (a microphone with its slash) is one group.
    """
    comps = sorted(line.comps)
    if len(comps) < 3:
        return line
    ref = _letter_height(comps)
    groups: list[list] = [[comps[0]]]
    for c in comps[1:]:
        if c[0] - max(o[2] for o in groups[-1]) >= 0.25 * ref:
            groups.append([c])
        else:
            groups[-1].append(c)

    def icon(group) -> bool:
        x0, y0 = min(c[0] for c in group), min(c[1] for c in group)
        x1, y1 = max(c[2] for c in group), max(c[3] for c in group)
        w, h = x1 - x0, y1 - y0
        rest = [c for c in comps if c not in group]
        top, base = min(c[1] for c in rest), float(np.median([c[3] for c in rest]))
        # a word with a descender ("Jo", "Guy") is as tall, but starts no higher than the other
        # letters and has a letter standing on their baseline
        word = y0 >= top - 1 and any(abs(c[3] - base) <= 1 and c[3] - c[1] >= 0.5 * ref for c in group)
        return 0.6 <= w / max(h, 1) <= 1.7 and h >= 1.2 * ref and not word

    while len(groups) > 1 and icon(groups[0]):
        groups.pop(0)
    while len(groups) > 1 and icon(groups[-1]):
        groups.pop()
    return _Line([c for g in groups for c in g], line.polarity, line.labels, line.small)


def _ocr_images(resp: np.ndarray, keep: np.ndarray, span: np.ndarray, scale: float, line_h: int) -> list[np.ndarray]:
    """Two dark-on-white views of the line in one sample, upscaled for Tesseract.

    Both are the stroke response (text minus its local background at the stroke scale), which
    flattens a translucent box, a light or dark theme and the picture behind: one masked to the
    line's own marks (no stray box edges; icons and saturated marks already left out), one as
    it is within the line's extent ``span`` (nothing lost where a mark was cut), upscaled by
    ``scale`` times :data:`VIEW_SCALES`. Their readings vote as two views: Tesseract's confident
    mistakes depend on the size ("Tarig" at 40 px, "Tariq" at 64 px), so two views that agree
    are evidence two samples of a still label are not.
    """
    out = []
    # local contrast: strokes over a light part of the picture (behind a translucent box, or
    # under white text without a box) respond less; each is scaled by the strongest stroke
    # within about a letter (but never by less than a third of the line's strokes)
    ref = resp[keep] if keep.any() else resp.ravel()
    top = max(float(np.percentile(ref, 95)) if ref.size else 1.0, 1.0)
    reach = _odd(max(3, 0.6 * line_h))
    local = cv2.dilate(np.where(keep, resp, 0.0).astype(np.float32), np.ones((reach, reach), np.uint8))
    norm = resp / np.maximum(local, top / 3.0)
    for mask, k in zip(VIEW_MASKS, VIEW_SCALES):
        view = np.where(keep if mask == "keep" else span, norm, 0.0)
        img = (255.0 - np.clip(view * 255.0 * 1.1, 0, 255)).astype(np.uint8)
        img = cv2.resize(img, None, fx=scale * k, fy=scale * k, interpolation=cv2.INTER_CUBIC)
        pad = max(8, OCR_LINE_HEIGHT // 3)
        out.append(cv2.copyMakeBorder(img, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255))
    return out


def _plausible(text: str) -> bool:
    """Letters (any script), digits, spaces and a little punctuation; at least two letters."""
    letters = sum(ch.isalpha() for ch in text)
    ok = all(ch.isalnum() or ch.isspace() or ch in NAME_PUNCT or unicodedata.category(ch)[0] == "M" for ch in text)
    return ok and letters >= 2


def ink_runs(img: np.ndarray) -> list[tuple[int, int]]:
    """Column runs ``(first, end)`` of a dark-on-white OCR image that hold ink (letters or marks)."""
    cols = np.concatenate(([False], (img < 128).any(axis=0), [False]))
    edges = np.flatnonzero(cols[1:] != cols[:-1])
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2])]


def clean_reading(words, ink: list[tuple[int, int]] | None = None, line_h: float = 0.0, *,
                  min_word_conf: float = MIN_WORD_CONF, min_mean_conf: float = MIN_MEAN_CONF) -> tuple[str | None, float]:
    """Display name from Tesseract's words (or None) and its mean confidence (0-100).

    Symbol-only words (a read icon) and trailing role tags or pronouns go; every other word must be
    sure enough (dropping an unsure word would give part of a name, which is a wrong name). The
    words must cover the ink (its column runs, :func:`ink_runs`): no more than a letter's side
    bearing unread at either end, and every run within that of a word (Tesseract skipping letters
    it could not place gives part of a name). A blank gap between words may be wide: Tesseract's
    word boxes are only roughly where the letters are (a "C" or the foot of an "A" left out), so
    the runs, not the gaps between boxes, tell what is read. A name ending in an ellipsis was cut
    by the tool: not the name.
    """
    ws = [w for w in words if any(ch.isalnum() for ch in w.text)]
    while ws:  # a role tag or pronouns after the name go before their confidence counts
        for n in (2, 1):  # "(Co-host)" may come as "Co" "host", "(she/her)" as "she/" "her)"
            if len(ws) > n and _is_tag("".join(w.text for w in ws[-n:])):
                del ws[-n:]
                break
        else:
            break
    if not ws or min(w.conf for w in ws) < min_word_conf:
        return None, 0.0
    if ink and line_h > 0:
        edge = 0.3 * line_h  # a letter's side bearing
        xs = sorted((w.box[0], w.box[2]) for w in words)
        if xs[0][0] - ink[0][0] > edge or ink[-1][1] - xs[-1][1] > edge:
            return None, 0.0
        if any(not any(a < x1 + edge and x0 - edge < b for x0, x1 in xs) for a, b in ink):
            return None, 0.0  # a run of ink no word comes near: letters skipped
    text = " ".join(w.text for w in ws)
    if text.endswith(("...", "…", "..")):
        return None, 0.0
    display = _BARE_TAG.sub("", strip_role_tags(text)).strip()
    conf = float(np.mean([w.conf for w in ws]))
    if not display or not _plausible(display) or conf < min_mean_conf:
        return None, conf
    return display, conf


def _is_tag(text: str) -> bool:
    """Whether a trailing word is a role tag or pronouns: its letters are one ("(Co-host)" -> "cohost"),
    or, in parentheses, within a letter of one (Tesseract's "(@o0-host)" for a small "(Co-host)")."""
    letters = "".join(ch for ch in text.casefold() if ch.isalpha())
    if _TAG_WORD.match(letters):
        return True
    return (text.startswith("(") and text.endswith(")")
            and any(_near(letters, tag) for tag in ("cohost", "host", "guest", "presenter", "organizer")))


_INITIALS = re.compile(r"^[A-Z]{1,3}$")
#: The letters of a trailing word that is a role tag or pronouns ("(Co-host)" -> "cohost", "she/her").
_TAG_WORD = re.compile(r"^(?:co)?hosts?$|^(?:guest|presenter|organi[sz]er|me)$|^(?:she|he|they|ze|xe)(?:her|hers|him|his|them|theirs)$")
#: A role tag or pronouns whose parentheses the OCR lost ("Priya Raman Host", "Priya Raman (Host").
_BARE_TAG = re.compile(r"(?:\s+\(?(?:co-?\s?host|host|guest|presenter|organi[sz]er|(?:she|he|they)(?:\s*/\s*[a-z]+)+)\)?)+$",
                       re.I)


class NameReader:
    """Reads the names of a span's tiles; keeps the OCR time it spent (``seconds``, ``calls``)."""

    def __init__(self, reader=None, second=None):
        if reader is None:
            from engage.layout.ocr import line_reader

            reader = line_reader()
        self.reader = reader
        self.second = second  # a second recogniser for lines Tesseract gives no name (or None)
        self.seconds = 0.0
        self.calls = 0

    def read_span(self, frames: list[np.ndarray], rects: list[Rect], camera_on: list[bool]) -> list[NameRead]:
        t0 = time.perf_counter()
        try:
            return [self.read_tile(frames, r, cam) for r, cam in zip(rects, camera_on)]
        finally:
            self.seconds += time.perf_counter() - t0

    def read_tile(self, frames: list[np.ndarray], rect: Rect, camera_on: bool) -> NameRead:
        if not frames:
            return NameRead()
        x, y, w, h = rect
        band = max(24, int(0.3 * h))
        res = self._read_region(frames, (x, y + h - band, w, band), _odd(min(max(band / 5, 5), 25)), centred=False)
        if res.name is None and not camera_on:
            top, mid = y + int(0.28 * h), int(0.44 * h)
            alt = self._read_region(frames, (x, top, w, mid), _odd(min(max(mid / 4, 5), 61)), centred=True)
            if alt.name is not None:
                return alt
            res.readings += alt.readings
        return res

    def _read_region(self, frames, region: Rect, k: int, *, centred: bool) -> NameRead:
        x, y, w, h = region
        H, W = frames[0].shape[:2]
        x0, y0, x1, y1 = max(0, x), max(0, y), min(W, x + w), min(H, y + h)
        if x1 - x0 < 16 or y1 - y0 < 8:
            return NameRead()
        crops = [f[y0:y1, x0:x1] for f in frames]
        greys = np.stack([cv2.cvtColor(c, cv2.COLOR_BGR2GRAY) for c in crops])
        maps = _stroke_maps(greys, k)
        colour = np.median(np.stack(crops), axis=0).astype(np.uint8)
        grey = np.median(greys, axis=0)
        cands = []
        dull = []  # lines with an off-colour mark at one end (see _off_colour_end)
        for pol, resp in maps.items():
            persistent = resp.min(axis=0)
            thr = max(25.0, 0.4 * float(np.percentile(persistent, 99.5)))
            comps, small, labels = _components(persistent > thr, colour, y1 - y0)
            weak, weak_small, weak_labels = _components(persistent > 0.5 * thr, colour, y1 - y0, src=1)
            level = grey if pol > 0 else 255.0 - grey
            for ln in _lines(comps, pol):
                ln = _drop_icons(ln)
                if _trim_box(ln, grey, small):
                    continue
                # faint letters, and thin ones ("i", "l") at the ends (a 1-pixel stem of small text
                # is a small mark even at the strong threshold)
                doubt = _extend(ln, weak + small + [m for m in weak_small if m[3] - m[1] >= 4], grey)
                ln.labels, ln.small = (labels, weak_labels), small
                if doubt:
                    continue
                ends = _off_colour_ends(ln, level)
                if ln.height < MIN_LINE_PX or len(ln.comps) < 2 and (ln.box[2] - ln.box[0]) < 2 * ln.height:
                    continue
                if not centred and ln.box[0] > 0.5 * (x1 - x0):
                    continue  # labels start at the left
                if not any(ends):
                    cands.append((len(ln.comps) * ln.height, ln))
                elif not all(ends):  # a piece of the picture at one end: only for the second recogniser
                    dull.append((len(ln.comps) * ln.height, ln, ends))
        cands.sort(key=lambda c: -c[0])
        dull.sort(key=lambda c: -c[0])
        out = NameRead()
        tried: list[_Line] = []
        others: list[str] = []  # what the lines read before read, unsure readings included
        sure: list[str] = []  # every word of those Tesseract was sure of
        for _score, ln in cands:
            if len(tried) == 2:  # the best line of each polarity, usually
                break
            if any(o.polarity == ln.polarity and _overlap(o.box, ln.box) for o in tried):
                continue  # another grouping of the same text: a part of what was not read
            tried.append(ln)
            res = self._read_line(ln, maps[ln.polarity], centred, greys, others, sure)
            out.readings += res.readings
            if res.name is not None:
                res.readings = out.readings
                return res
        if self.second is not None and not centred:
            for ln, clip in [(ln, None) for ln in tried] + [(ln, ends) for _s, ln, ends in dull[:1]]:
                res = self._second_opinion(ln, greys, others, sure, clip)
                out.readings += res.readings
                if res.name is not None:
                    res.readings = out.readings
                    return res
        return out

    def _second_refutes(self, name: str, greys: np.ndarray, ln: _Line, k: int) -> bool:
        """Whether the second recogniser, reading the line of a name Tesseract voted for in one view
        (the first of ``SECOND_VIEWS``, sample ``k``), is sure of a word one letter away from a word of
        it ("Goldberg" for Tesseract's "Gokiberg" on a 10 px label): two engines disagreeing on a letter."""
        self.calls += 1
        words = [part for w in self.second.read(_second_view(greys[k], ln.box, 0))
                 if w.conf >= SECOND_VERIFY_CONF
                 for part in (re.findall(r"[A-Z]?[^A-Z\s]+", w.text) if _camel(w.text) else [w.text])]
        return _refuted(normalize_name(name), name, words, False)

    def _second_opinion(self, ln: _Line, greys: np.ndarray, others: list[str], sure: list[str],
                        off_ends: tuple[bool, bool] | None = None) -> NameRead:
        """The line read by the second recogniser (:mod:`engage.layout.scene_text`) straight from the
        grey picture, where Tesseract gave no name. Its readings (two views of each distinct sample:
        the line's box widened a little and more, so a line that lost a letter or a word at an end
        reads longer in the wider view) must never read a letter two ways, and either every view of at
        least ``SECOND_SAMPLES`` samples reads the name sure enough (unanimous), or some reading of each
        view does and Tesseract read the same letters at least once, unsure (two engines that fail
        differently agreeing). Nothing Tesseract read may contradict it: a word it was sure of one
        letter away (``sure``), a reading with a letter or two more, or one that holds the name's
        letters as a part (``others``: part of a name is a wrong name).

        ``off_ends``: the line ends in a mark of another colour at its start or end (a piece of the
        picture beside a translucent box, which Tesseract would read as a letter): the narrow view
        stops short of that mark, the wide one holds it, so a name needs the recogniser to read the
        same letters with and without it (the mark is not a letter)."""
        bx0, by0, bx1, by1 = ln.box
        hh = max(1, by1 - by0)
        H, W = greys.shape[1:]
        comps = sorted(ln.comps)
        lo = comps[0][2] if off_ends and off_ends[0] else 0  # the narrow view's bounds
        hi = comps[-1][0] if off_ends and off_ends[1] else W
        readings: list[tuple[str | None, float, int, int]] = []
        seen: set[bytes] = set()
        for k in range(greys.shape[0]):
            key = greys[k][by0:by1, bx0:bx1].tobytes()
            if key in seen:
                continue
            seen.add(key)
            for view in range(len(SECOND_VIEWS)):
                self.calls += 1
                words = _unglue_tags(self.second.read(_second_view(greys[k], ln.box, view, *((lo, hi) if view == 0 else ()))))
                text, conf = clean_reading(words, min_word_conf=SECOND_MIN_WORD_CONF, min_mean_conf=SECOND_MIN_MEAN_CONF)
                readings.append((text, conf, view, k))
                if len(readings) == 1 and not text and not any(sum(ch.isalpha() for ch in w.text) >= 2 for w in words):
                    break  # no word at all in the first view: not text (a picture's texture)
            if not any(t for t, *_r in readings):
                break  # nothing in the first sample: the next will not make a name
            if len({_letters(normalize_name(t)) for t, *_r in readings if t}) > 1:
                break  # a letter read two ways already: no name
        texts = [t or "" for t, *_r in readings]
        valid = [r for r in readings if r[0]]
        letters = {_letters(normalize_name(t)) for t, *_r in valid}
        if len(letters) != 1 or not next(iter(letters)):
            return NameRead(readings=texts)  # nothing read, or a letter read two ways
        mine = next(iter(letters))
        per_view = [len({k for _t, _c, v, k in valid if v == view}) for view in range(len(SECOND_VIEWS))]
        unanimous = (len(valid) >= SECOND_AGREEMENT * len(readings) and min(per_view) >= SECOND_SAMPLES - 1
                     and len({k for *_r, k in valid}) >= SECOND_SAMPLES)
        theirs = {_letters(normalize_name(o)) for o in others}
        crossed = (mine in theirs and len(valid) >= 2
                   and len({v for _t, _c, v, _k in valid}) == len(SECOND_VIEWS))
        if not (unanimous or crossed):
            return NameRead(readings=texts)
        # a reading may miss a space ("MeiChen"): its letters count, its spelling does not; the
        # readings with every space must agree on where they are
        spaced = [r for r in valid if not any(_camel(w) for w in r[0].split())]
        if not spaced or len({normalize_name(t) for t, *_r in spaced}) > 1:
            return NameRead(readings=texts)
        text = max(spaced, key=lambda r: r[1])[0]
        if _refuted(normalize_name(text), text, sure, False) or any(
                _lacks_letters(mine, o) or (mine in o and mine != o) for o in theirs):
            return NameRead(readings=texts)
        pad = max(2, hh // 3)
        box = (max(0, bx0 - pad), max(0, by0 - pad), min(W, bx1 + pad), min(H, by1 + pad))
        scale = min(8.0, max(1.0, OCR_LINE_HEIGHT / hh))
        if self._picture_refutes(text, greys, box, ln.polarity, scale, sorted({k for *_r, k in readings})):
            return NameRead(readings=texts)  # Tesseract reads a word of it another way in the picture
        conf = float(np.mean([c for _t, c, _v, _k in valid])) / 100.0 * len(valid) / len(readings)
        return NameRead(text, round(max(0.01, conf * SECOND_CONF_SCALE), 3), texts)

    def _read_line(self, ln: _Line, resp: np.ndarray, centred: bool, greys: np.ndarray | None = None,
                   others: list[str] | None = None, sure_words: list[str] | None = None) -> NameRead:
        """Read the line in each sample (two views each) until two readings agree; then vote.
        ``greys``: the region's grey samples, for the picture check of a name Tesseract is unsure
        of (:meth:`_picture_refutes`); ``others``: what other lines of the region read, unsure
        readings included (another grouping of the same text: a line that kept the "J" read "Jakub
        Kowalski" unsure, one that lost it "akub Kowalski" with confidence); this line's readings
        are added to it."""
        others = [] if others is None else others
        bx0, by0, bx1, by1 = ln.box
        hh = by1 - by0
        pad = max(2, hh // 3)
        H, W = resp.shape[1:]
        box = (max(0, bx0 - pad), max(0, by0 - pad), min(W, bx1 + pad), min(H, by1 + pad))
        keep = cv2.dilate(ln.mask().astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
        keep = keep[box[1]:box[3], box[0]:box[2]]
        span = np.zeros(keep.shape, bool)  # the line's own extent (icons beyond its ends stay out)
        span[max(0, by0 - 1 - box[1]):by1 + 1 - box[1], bx0 - box[0]:bx1 - box[0]] = True
        scale = min(8.0, max(1.0, OCR_LINE_HEIGHT / max(hh, 1)))
        readings: list[tuple[str | None, float, int]] = []  # (name or None, confidence, view)
        unsure: list[tuple[str | None, float, int, int]] = []  # the same without the confidence bars, and the sample
        sure: list[str] = []  # every word read with confidence, in readings kept or not
        seen: dict[bytes, int] = {}  # distinct samples: their pixels -> sample index

        def checked(voted: NameRead) -> NameRead:
            """A voted name some reading was unsure of is checked by the picture view as well
            ("Gokiberg" at 87-91 in four of six stroke views of a 10 px "Goldberg", unsure in two)."""
            if voted.name is None or greys is None:
                return voted
            if not all(t for t, _c, _v in readings) and self._picture_refutes(voted.name, greys, box, ln.polarity,
                                                                                scale, list(seen.values())):
                return NameRead(readings=voted.readings)
            if (self.second is not None and hh <= SECOND_VERIFY_MAX_PX
                    and self._second_refutes(voted.name, greys, ln, min(seen.values()))):
                return NameRead(readings=voted.readings)
            return voted
        for k in range(resp.shape[0]):
            sub = resp[k][box[1]:box[3], box[0]:box[2]]
            key = np.round(sub).astype(np.uint8).tobytes()
            if key in seen:
                continue  # the same pixels as an earlier sample (a still tile): nothing new to read
            seen[key] = k
            for view, img in enumerate(_ocr_images(sub, keep, span, scale, hh)):
                self.calls += 1
                if DEBUG_DIR:
                    cv2.imwrite(f"{DEBUG_DIR}/ocr_{self.calls:04d}.png", img)
                ink = ink_runs(img)
                words = self.reader.read(img)
                confident = [w.text for w in words if w.conf >= MIN_WORD_CONF]
                sure += confident
                if sure_words is not None:
                    sure_words += confident
                line_h = hh * scale * VIEW_SCALES[view]
                readings.append((*clean_reading(words, ink, line_h), view))
                unsure.append((*clean_reading(words, ink, line_h, min_word_conf=0.0, min_mean_conf=0.0), view, k))
                if unsure[-1][0]:
                    others.append(unsure[-1][0])
                if _decided(readings):
                    voted = _vote(readings, centred=centred, words=sure, lines=others)
                    if voted.name or not _same_letters(unsure):
                        return checked(voted)
                    # unsure but unanimous so far: the next sample may make it a unanimous name
        voted = _vote(readings, centred=centred, words=sure, lines=others)
        if voted.name:
            return checked(voted)
        agreed = _unanimous(unsure, centred=centred, words=sure)
        if agreed is None or greys is None or self._picture_refutes(agreed.name, greys, box, ln.polarity, scale,
                                                                                 list(seen.values())):
            return voted
        return agreed

    def _picture_refutes(self, name: str, greys: np.ndarray, box: tuple[int, int, int, int], polarity: int,
                         scale: float, samples: list[int]) -> bool:
        """Whether the line read straight from the picture (its grey levels, not the stroke map; one
        view per distinct sample) gives a word of ``name`` with one letter another way, at any
        confidence, in two samples alike: the stroke views of a still label are not independent, and
        a name Tesseract is unsure of there ("Gokiberg" in every view of a 10 px "Goldberg") needs a
        reading of its own that does not contradict it. (Once is not enough: without a label box the
        picture view holds the picture behind the text too, and reads "Ramah" once for "Raman".)"""
        mine = {_letters(normalize_name(w)) for w in name.split()}
        x0, y0, x1, y1 = box
        seen: set[str] = set()  # contradicting words of the samples read so far
        for k in samples:
            crop = greys[k][y0:y1, x0:x1].astype(np.float32)
            if polarity > 0:
                crop = 255.0 - crop  # dark text on a light ground, as Tesseract expects
            lo, hi = float(crop.min()), float(crop.max())
            img = ((crop - lo) / max(hi - lo, 1.0) * 255.0).astype(np.uint8)
            img = cv2.resize(img, None, fx=scale * PICTURE_VIEW_SCALE, fy=scale * PICTURE_VIEW_SCALE,
                             interpolation=cv2.INTER_CUBIC)
            self.calls += 1
            pad = max(8, OCR_LINE_HEIGHT // 3)
            img = cv2.copyMakeBorder(img, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
            read = {_letters(normalize_name(w.text)) for w in self.reader.read(img)}
            other = {w for w in read - mine if any(_near(w, m) for m in mine)}
            if other & seen:
                return True
            seen |= other
        return False


#: The second recogniser's views of a line: its box widened by these many letter heights (x, y), and
#: stretched sideways by the last factor (more CTC steps per letter: at 7-10 px a narrow "o" or one of
#: "ll" is merged away, "Dubis" for "Dubois", in one view but not in the other, which then disagree).
SECOND_VIEWS = ((0.5, 0.35, 1.5), (1.5, 0.35, 1.0))
#: Least character probability (in %) of every word, and least mean, for the second recogniser.
SECOND_MIN_WORD_CONF = 30.0
SECOND_MIN_MEAN_CONF = 50.0
#: Different samples whose views must all read the same letters (without Tesseract's agreement).
SECOND_SAMPLES = 3
#: Share of the readings that must give the name (the others unsure, none other letters).
SECOND_AGREEMENT = 0.8
#: The second recogniser checks a name Tesseract voted for (one call per named line) on lines of at
#: most this many display pixels (larger labels: Tesseract's names are sure).
SECOND_VERIFY_MAX_PX = 12
#: Least character probability (in %) of a word of the second recogniser that refutes a voted name.
SECOND_VERIFY_CONF = 50.0
#: A second-opinion name's confidence is the recogniser's mean times this (below a voted name's).
SECOND_CONF_SCALE = 0.8


def _second_view(grey: np.ndarray, box: tuple[int, int, int, int], view: int, lo: int = 0, hi: int | None = None
                 ) -> np.ndarray:
    """The crop of a line's ``box`` (region pixels) that the second recogniser reads in ``view`` of
    :data:`SECOND_VIEWS`: widened, kept within columns ``lo``-``hi``, stretched sideways."""
    px, py, sx = SECOND_VIEWS[view]
    bx0, by0, bx1, by1 = box
    hh = max(1, by1 - by0)
    H, W = grey.shape
    x0, x1 = max(0, lo, int(bx0 - px * hh)), min(W if hi is None else hi, int(bx1 + px * hh) + 1)
    crop = grey[max(0, int(by0 - py * hh)):min(H, int(by1 + py * hh) + 1), x0:x1]
    if sx != 1.0:
        crop = cv2.resize(crop, None, fx=sx, fy=1.0, interpolation=cv2.INTER_CUBIC)
    return np.ascontiguousarray(crop)


def _unglue_tags(words: list) -> list:
    """Words with a parenthesis glued on ("Costa(Co-host)": a narrow space not read) as two words,
    so the tag is dropped like a spaced one."""
    out = []
    for w in words:
        i = w.text.find("(", 1)
        if i < 0:
            out.append(w)
            continue
        x0, y0, x1, y1 = w.box
        xm = x0 + (x1 - x0) * i // len(w.text)
        out += [replace(w, text=w.text[:i], box=(x0, y0, xm, y1)), replace(w, text=w.text[i:], box=(xm, y0, x1, y1))]
    return out


def _camel(word: str) -> bool:
    """A capital right after a small letter ("MeiChen", "LenaVogt"): two words read as one."""
    return any(a.islower() and b.isupper() for a, b in zip(word, word[1:]))


#: Share of the valid readings that must agree on the name (2 of 3 is not enough).
AGREEMENT = 0.75
#: Different samples (frames with other pixels) in which every view must read the same letters for a
#: name Tesseract is unsure of (:func:`_unanimous`).
UNANIMOUS_SAMPLES = 3


def _decided(readings: list[tuple[str | None, float, int]]) -> bool:
    """Both views agree and no reading disagrees (after a disagreement, every sample is read)."""
    valid = [(normalize_name(t), v) for t, _c, v in readings if t]
    if len({k for k, _ in valid}) == 1 and len({v for _, v in valid}) == 2:
        return True
    # nothing valid after two samples (both views each): a third will not make a name
    return not valid and len(readings) >= 4


def _refuted(key: str, text: str, words: list[str], centred: bool) -> bool:
    """Whether a name both readings agree on is still not sure: a letter of it read another way in a
    confident word of any reading (``words``), or initials in a circle (Teams, Meet: not a name)."""
    mine = {_letters(normalize_name(w)) for w in key.split()}
    seen = {k for k in (_letters(normalize_name(w)) for w in words) if not _TAG_WORD.match(k)}
    if any(_near(w, m) for w in seen - mine for m in mine):
        return True
    return bool(centred and _INITIALS.match(text.replace(" ", "")))


def _same_letters(readings: list[tuple[str | None, float, int, int]]) -> bool:
    """Every reading gives a name, and the same letters."""
    return all(t for t, *_rest in readings) and len({_letters(normalize_name(t)) for t, *_rest in readings}) == 1


def _unanimous(readings: list[tuple[str | None, float, int, int]], *, centred: bool, words: list[str] = ()
               ) -> NameRead | None:
    """A name every view of at least ``UNANIMOUS_SAMPLES`` different samples reads letter for letter,
    though Tesseract is unsure of a word (a capital "I" it could take for "l": "Isabella" at 15-92).

    Why: the confidence bars guard against a consistent misreading of one picture ("Tarig" for
    "Tariq" on both views of a still label); pixels that differ from sample to sample (video noise, a
    moving picture under a translucent box) and two scales all giving the same letters are evidence
    of their own. The same checks as the vote apply (no letter of it read another way in a confident
    word; no initials in a circle); the confidence is Tesseract's mean, so lower than a voted name's.
    """
    if not readings or not _same_letters(readings) or not _letters(normalize_name(readings[0][0])):
        return None
    if len({k for *_rest, k in readings}) < UNANIMOUS_SAMPLES or len({v for _t, _c, v, _k in readings}) < 2:
        return None
    text = max(readings, key=lambda r: r[1])[0]
    if _refuted(normalize_name(readings[0][0]), text, words, centred):
        return None
    conf = max(0.01, float(np.mean([c for _t, c, _v, _k in readings])) / 100.0)
    return NameRead(text, round(conf, 3), [t for t, *_rest in readings])


def _letters(key: str) -> str:
    """The letters and digits of a name key: readings that differ only in punctuation (a speck
    read as an apostrophe) agree on the name."""
    return "".join(ch for ch in key if ch.isalnum())


def _lacks_letters(mine: str, other: str) -> bool:
    """Whether ``other`` is ``mine`` with one or two letters more (``mine`` a subsequence of it)."""
    if not 0 < len(other) - len(mine) <= 2:
        return False
    rest = iter(other)
    return all(ch in rest for ch in mine)


def _near(a: str, b: str) -> bool:
    """Whether two words of three letters or more differ in one letter (two in words of eight or
    more; an edit distance): one letter read two ways ("Tarig", "Tariq"), not another word."""
    most = 2 if min(len(a), len(b)) >= 8 else 1
    if a == b or min(len(a), len(b)) < 3 or abs(len(a) - len(b)) > most:
        return False
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1] <= most


def _vote(readings: list[tuple[str | None, float, int]], *, centred: bool, words: list[str] = (),
          lines: list[str] = ()) -> NameRead:
    """The name both views read (or one view in three samples), agreed by at least ``AGREEMENT``
    of the valid readings, with no letter read two ways: neither in another valid reading nor in
    a confident word of any reading (``words``: a reading left out for another, unsure word still
    says how Tesseract saw this one: "Tariq" once against "Tarig" three times); and no reading,
    sure or not (``lines``), holds a letter more around the name's letters: the view of the line
    as it is read "Diego Herrera" where the view of its marks lost the "g" and read "Die o Herrera"
    three times (part of a name is a wrong name)."""
    texts = [t or "" for t, _c, _v in readings]
    valid = [(t, c, v) for t, c, v in readings if t]
    if not valid:
        return NameRead(readings=texts)
    keys = [normalize_name(t) for t, _c, _v in valid]
    best = max(set(keys), key=lambda k: (keys.count(k), k))
    chosen = [(t, c, v) for (t, c, v), k in zip(valid, keys) if k == best]
    votes = len(chosen)
    if (len({v for _t, _c, v in chosen}) < 2 and votes < 3) or votes < AGREEMENT * len(valid):
        return NameRead(readings=texts)
    if len({_letters(k) for k in keys}) > 1:
        return NameRead(readings=texts)  # a letter read two ways ("Tanaka", "Tanake"): not sure which
    text = max(chosen, key=lambda tc: tc[1])[0]
    if _refuted(best, text, words, centred) or any(_lacks_letters(_letters(best), _letters(normalize_name(t))) for t in lines):
        return NameRead(readings=texts)
    conf = float(np.mean([c for _t, c, _v in chosen])) / 100.0 * votes / len(readings)
    return NameRead(text, round(conf, 3), texts)
