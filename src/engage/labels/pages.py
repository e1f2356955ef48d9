"""Static labelling pages (rules ``label_page`` and ``label_pages``): ``<results>/label/index.html`` and
``<results>/label/sessions/<s>.html``.

Each session page is one self-contained HTML file: the clip list (id, person, times, mp4 path) and the
behaviour guide (config ``labels.guide``) as JSON, the page script and style inline. Only the current
clip's video is loaded (plus the next one, preloading), so a session of thousands of clips opens as
fast as one of ten. Labels are saved through the label server (:mod:`engage.labels.server`), which
serves these pages and the clips; ``?mode=review`` turns a page into review mode.
"""

from __future__ import annotations

import html
import json
import os
from importlib import resources
from string import Template

from engage.contract import Clip
from engage.io.atomic import write_text
from engage.labels.clips import session_clips
from engage.labels.files import ADJUDICATED, MAX_RATER_LENGTH, RATER_PATTERN, SKIP
from engage.model.labels import LEVELS

#: Button texts of the four levels (paper: highly disengaged ... highly engaged) and their keys.
LEVEL_NAMES = {"HD": "highly disengaged", "DE": "disengaged", "EG": "engaged", "HE": "highly engaged"}


def _static(name: str) -> str:
    return resources.files("engage.labels").joinpath("static", name).read_text(encoding="utf-8")


def _json_for_script(obj: object) -> str:
    """JSON safe inside <script type="application/json"> (no '</script>' or '<!--' can appear)."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True).replace("<", "\\u003c").replace(">", "\\u003e")


SESSION_TEMPLATE = Template("""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Label $title</title>
<style>$css</style>
</head><body>
<header><h1>engage · <span id="session"></span></h1>
<label>rater <input id="rater" autocomplete="off" size="16" placeholder="your name"></label>
<span id="progress-text"></span><progress id="progress" value="0" max="1" style="width:12em"></progress>
<span id="save-state" data-pending="0"></span>
<a href="../index.html">all sessions</a></header>
<div id="banner"></div>
<main>
<section>
<video id="player" controls preload="auto" playsinline></video>
<video id="prefetch" preload="none" muted hidden></video>
<div id="clip-info"></div>
<div id="others"></div>
<div class="buttons">$buttons</div>
<div class="buttons"><button id="prev">◀ previous<kbd>←</kbd></button><button id="next">next ▶<kbd>→</kbd></button>
<button id="next-open">next unlabelled<kbd>u</kbd></button></div>
<p><small>Keys: 1-4 label and go on, 0 or s skip/unsure, ← → previous/next, u next unlabelled, r replay, space play/pause.</small></p>
</section>
<aside><h3>Behaviour guide</h3><pre id="guide"></pre></aside>
<div id="list-wrap"><table><thead id="list-head"></thead><tbody id="list-body"></tbody></table>
<p><small><span id="clip-count"></span> clips in the queue.</small></p></div>
</main>
<script type="application/json" id="engage-data">$data</script>
<script>$js</script>
</body></html>
""")

INDEX_TEMPLATE = Template("""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>engage labelling</title>
<style>$css</style></head><body>
<header><h1>engage · label clips</h1><label>rater <input id="rater" autocomplete="off" size="16"></label></header>
<div id="banner"></div>
<main style="display:block">
<p>Pick a session. Labels are saved to <code>sessions/&lt;session&gt;/labels/&lt;rater&gt;.csv</code> after every
click while the pages are opened through the label server (<code>engage labels serve</code>).
Review mode lists only the clips where raters disagree and saves your decision as
<code>labels/adjudicated.csv</code>.</p>
<table><thead><tr><th>session</th><th>clips</th><th>label</th><th>review</th><th>rater files</th></tr></thead>
<tbody>$rows</tbody></table>
</main>
<script>
(function () {
  "use strict";
  const input = document.getElementById("rater");
  input.value = new URLSearchParams(location.search).get("rater") || localStorage.getItem("engage-rater") || "";
  function links() {
    document.querySelectorAll("a[data-session]").forEach((a) => {
      const p = new URLSearchParams(a.dataset.mode ? {mode: a.dataset.mode} : (input.value ? {rater: input.value} : {}));
      a.href = "sessions/" + encodeURIComponent(a.dataset.session) + ".html" + (p.toString() ? "?" + p : "");
    });
  }
  input.addEventListener("change", () => { localStorage.setItem("engage-rater", input.value.trim()); links(); });
  links();
  if (location.protocol.startsWith("http")) {
    fetch("/api/status", {credentials: "same-origin"}).then((r) => r.json()).then((doc) => {
      for (const s of doc.sessions || []) {
        const cell = document.querySelector('td.raters[data-session="' + CSS.escape(s.session) + '"]');
        if (cell) cell.textContent = s.raters.map((r) => r.rater + " " + r.labelled + "/" + s.n_clips).join(", ") || "none yet";
      }
    }).catch(() => {});
  } else {
    document.getElementById("banner").textContent = "Opened as a file: start the label server (engage labels serve) to save labels.";
  }
})();
</script>
</body></html>
""")


def session_page(session: str, clips: list[Clip], guide: str) -> str:
    """HTML of one session's labelling page."""
    data = {
        "session": session,
        "levels": [{"code": lv, "name": LEVEL_NAMES[lv], "key": str(i + 1)} for i, lv in enumerate(LEVELS)],
        "clips": [{"id": c.clip_id, "person": c.person, "start": c.start, "end": c.end, "path": c.path} for c in clips],
        "guide": guide,
        "rater_pattern": RATER_PATTERN,
        "max_rater_length": MAX_RATER_LENGTH,
        "adjudicated": ADJUDICATED,
        # from results/label/sessions/<s>.html to results/<s>/ (for pages opened as files)
        "file_prefix": f"../../{session}/",
    }
    buttons = "".join(f'<button data-label="{lv}" title="{LEVEL_NAMES[lv]}">{lv} · {LEVEL_NAMES[lv]}<kbd>{i + 1}</kbd></button>'
                      for i, lv in enumerate(LEVELS))
    buttons += f'<button data-label="{SKIP}" title="skip / unsure">skip / unsure<kbd>0</kbd></button>'
    return SESSION_TEMPLATE.substitute(title=html.escape(session), css=_static("label.css"), buttons=buttons,
                                       data=_json_for_script(data), js=_static("label.js"))


def index_page(sessions: dict[str, int]) -> str:
    """HTML of the index: one row per session {session: number of clips}."""
    e = html.escape
    rows = "".join(
        f'<tr><td>{e(s)}</td><td>{n}</td><td><a data-session="{e(s)}" href="sessions/{e(s)}.html">label</a></td>'
        f'<td><a data-session="{e(s)}" data-mode="review" href="sessions/{e(s)}.html?mode=review">review</a></td>'
        f'<td class="raters" data-session="{e(s)}"></td></tr>'
        for s, n in sorted(sessions.items()))
    return INDEX_TEMPLATE.substitute(css=_static("label.css"), rows=rows)


def write_session_page(*, session: str, clips_parquet: str | os.PathLike, out_html: str | os.PathLike, guide: str) -> None:
    """label_page stage: one session's page."""
    write_text(out_html, session_page(session, session_clips(clips_parquet, session), guide))


def write_index(*, sessions: list[str], clips_parquets: list[str], out_html: str | os.PathLike) -> None:
    """label_pages stage: the index of every session page."""
    counts = {s: len(session_clips(p, s)) for s, p in zip(sessions, clips_parquets)}
    write_text(out_html, index_page(counts))
