// Labelling page of one session (engage.labels.pages). Data: the JSON in #engage-data.
// Saving goes through the local label server (engage labels serve): every click is one POST, sent in
// order, written atomically by the server to sessions/<s>/labels/<rater>.csv. Opened from a file://
// URL the page only plays the clips.
(function () {
  "use strict";
  const D = JSON.parse(document.getElementById("engage-data").textContent);
  const params = new URLSearchParams(location.search);
  const served = location.protocol === "http:" || location.protocol === "https:";
  const review = params.get("mode") === "review";
  const RATER_RX = new RegExp("^" + D.rater_pattern + "$");
  const LEVELS = D.levels.map((l) => l.code);
  const SKIP = "skip";
  const byId = new Map(D.clips.map((c, i) => [c.id, i]));
  const $ = (id) => document.getElementById(id);

  let rater = review ? D.adjudicated : (params.get("rater") || localStorage.getItem("engage-rater") || "");
  let labels = {};        // clip id -> label of this rater (or the adjudicated label in review mode)
  let others = {};        // review mode: clip id -> {rater: label}
  let raters = [];        // review mode: rater names
  let shown = D.clips.map((_, i) => i);  // indices of the clips in the queue
  let pos = 0;
  let pending = 0;
  let chain = Promise.resolve();

  function fmtTime(s) {
    const m = Math.floor(s / 60), r = s - 60 * m;
    return String(m).padStart(2, "0") + ":" + r.toFixed(1).padStart(4, "0");
  }
  function src(c) { return served ? "/clips/" + encodeURIComponent(D.session) + "/" + encodeURIComponent(c.id) + ".mp4" : D.file_prefix + c.path; }
  function banner(text, error) { const b = $("banner"); b.textContent = text || ""; b.className = error ? "error" : ""; }
  function saveState(text, error) {
    const s = $("save-state");
    s.textContent = text; s.className = error ? "error" : ""; s.dataset.pending = String(pending);
  }

  async function api(path, body) {
    const opts = body ? { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) } : {};
    const r = await fetch(path, Object.assign({ credentials: "same-origin", cache: "no-store" }, opts));
    let doc = {};
    try { doc = await r.json(); } catch (e) { /* not JSON */ }
    if (!r.ok) throw new Error(doc.error || ("HTTP " + r.status));
    return doc;
  }

  function buildList() {
    const head = $("list-head"), body = $("list-body");
    const cols = ["#", "clip", "person", "time"].concat(review ? raters.concat(["adjudicated"]) : ["label"]);
    head.innerHTML = "";
    const tr = document.createElement("tr");
    for (const c of cols) { const th = document.createElement("th"); th.textContent = c; tr.appendChild(th); }
    head.appendChild(tr);
    body.innerHTML = "";
    shown.forEach((ci, k) => {
      const c = D.clips[ci];
      const row = document.createElement("tr");
      row.dataset.clipId = c.id;
      const cells = [String(k + 1), c.id, c.person, fmtTime(c.start) + "–" + fmtTime(c.end)];
      if (review) for (const r of raters) cells.push((others[c.id] || {})[r] || "");
      for (const text of cells) { const td = document.createElement("td"); td.textContent = text; row.appendChild(td); }
      const td = document.createElement("td"); td.className = "label"; row.appendChild(td);
      row.addEventListener("click", () => { pos = k; show(); });
      body.appendChild(row);
    });
    $("clip-count").textContent = String(shown.length);
  }

  function updateRow(id) {
    const row = $("list-body").querySelector('tr[data-clip-id="' + CSS.escape(id) + '"]');
    if (row) row.querySelector("td.label").textContent = labels[id] || "";
  }

  function progress() {
    const ids = shown.map((i) => D.clips[i].id);
    const done = ids.filter((id) => labels[id] && labels[id] !== SKIP).length;
    const skipped = ids.filter((id) => labels[id] === SKIP).length;
    $("progress").max = Math.max(ids.length, 1);
    $("progress").value = done + skipped;
    $("progress-text").textContent = done + " labelled, " + skipped + " skipped, " + (ids.length - done - skipped) + " to go of " + ids.length;
  }

  function show() {
    if (!shown.length) {
      $("clip-info").textContent = review ? "No disagreements: every clip rated by several raters got the same label." : "No clips.";
      $("player").removeAttribute("src");
      return;
    }
    pos = Math.max(0, Math.min(pos, shown.length - 1));
    const c = D.clips[shown[pos]];
    const player = $("player");
    const want = src(c);
    if (player.dataset.clip !== c.id) {  // one video element plays; one more preloads the next clip
      player.dataset.clip = c.id;
      player.src = want;
      player.play().catch(() => {});
      const next = shown[pos + 1];
      const pre = $("prefetch");
      if (next !== undefined) { pre.src = src(D.clips[next]); pre.preload = "auto"; } else { pre.removeAttribute("src"); }
    }
    $("clip-info").innerHTML = "";
    const parts = [["person", c.name ? c.name + " (" + c.person + ")" : c.person], ["time", fmtTime(c.start) + " – " + fmtTime(c.end)],
                   ["id", c.id], ["pos", "clip " + (pos + 1) + " of " + shown.length]];
    for (const [cls, text] of parts) { const s = document.createElement("span"); s.className = cls; s.textContent = text + "  "; $("clip-info").appendChild(s); }
    document.querySelectorAll("button[data-label]").forEach((b) => b.setAttribute("aria-pressed", String(labels[c.id] === b.dataset.label)));
    const o = $("others"); o.innerHTML = "";
    if (review) for (const r of raters) { const s = document.createElement("span"); s.textContent = r + ": " + ((others[c.id] || {})[r] || "–"); o.appendChild(s); }
    document.querySelectorAll("#list-body tr.current").forEach((r) => r.classList.remove("current"));
    const row = $("list-body").querySelector('tr[data-clip-id="' + CSS.escape(c.id) + '"]');
    if (row) { row.classList.add("current"); row.scrollIntoView({ block: "nearest" }); }
    progress();
  }

  function setLabel(label) {
    if (!shown.length) return;
    if (!served) { banner("Saving needs the label server: run `engage labels serve` and open the address it prints.", true); return; }
    if (!rater) { banner("Enter your rater name first.", true); $("rater").focus(); return; }
    const c = D.clips[shown[pos]];
    const before = labels[c.id];
    labels[c.id] = label;
    updateRow(c.id);
    pending += 1;
    saveState("saving…", false);
    const body = { session: D.session, rater: rater, clip_id: c.id, label: label };
    chain = chain.then(() => api("/api/label", body).then(() => {
      pending -= 1;
      if (!pending) saveState("all labels saved", false); else saveState("saving…", false);
    }, (err) => {
      pending -= 1;
      labels[c.id] = before;
      updateRow(c.id);
      const row = $("list-body").querySelector('tr[data-clip-id="' + CSS.escape(c.id) + '"]');
      if (row) row.classList.add("error");
      saveState("NOT SAVED (" + c.id + "): " + err.message, true);
      progress();
    }));
    if (pos < shown.length - 1) pos += 1;
    show();
  }

  function nextUnlabelled() {
    for (let k = 1; k <= shown.length; k++) {
      const j = (pos + k) % shown.length;
      if (!labels[D.clips[shown[j]].id]) { pos = j; show(); return; }
    }
  }

  async function load() {
    if (!served) {
      banner("Opened as a file: clips play, but labels are saved only through the label server (engage labels serve).", false);
      buildList(); show(); return;
    }
    if (!review && !rater) { banner("Enter your rater name (letters, digits, _ . -) and press Enter.", false); buildList(); show(); return; }
    try {
      if (review) {
        const doc = await api("/api/review?session=" + encodeURIComponent(D.session));
        raters = doc.raters;
        others = {};
        for (const c of doc.clips) others[c.clip_id] = c.labels;
        labels = doc.adjudicated || {};
        shown = doc.clips.map((c) => byId.get(c.clip_id)).filter((i) => i !== undefined);
        banner(doc.clips.length + " clip(s) where raters disagree; your choice is saved as the adjudicated label.", false);
      } else {
        const doc = await api("/api/session?session=" + encodeURIComponent(D.session) + "&rater=" + encodeURIComponent(rater));
        labels = doc.labels || {};
        banner("", false);
      }
      saveState("all labels saved", false);
    } catch (err) {
      banner("Cannot load labels: " + err.message, true);
    }
    buildList();
    for (const id of Object.keys(labels)) updateRow(id);
    if (!review) { const first = shown.findIndex((i) => !labels[D.clips[i].id]); pos = first >= 0 ? first : 0; }
    show();
  }

  function init() {
    $("guide").textContent = D.guide;
    $("session").textContent = D.session + (review ? " — review" : "");
    const input = $("rater");
    input.value = rater;
    if (review) { input.disabled = true; }
    input.addEventListener("keydown", (e) => {
      if (e.key !== "Enter") return;
      const v = input.value.trim();
      if (!RATER_RX.test(v) || v.length > D.max_rater_length || v === D.adjudicated) {
        banner("Rater names use letters, digits, _ . - (not starting with . or -), at most " + D.max_rater_length + " characters.", true);
        return;
      }
      rater = v;
      localStorage.setItem("engage-rater", v);
      params.set("rater", v);
      history.replaceState(null, "", location.pathname + "?" + params.toString());
      input.blur();
      load();
    });
    document.querySelectorAll("button[data-label]").forEach((b) => b.addEventListener("click", () => setLabel(b.dataset.label)));
    $("prev").addEventListener("click", () => { pos -= 1; show(); });
    $("next").addEventListener("click", () => { pos += 1; show(); });
    $("next-open").addEventListener("click", nextUnlabelled);
    document.addEventListener("keydown", (e) => {
      if (e.target && (e.target.tagName === "INPUT" || e.target.tagName === "TEXTAREA") || e.ctrlKey || e.metaKey || e.altKey) return;
      const k = e.key;
      if (k >= "1" && k <= String(LEVELS.length)) { setLabel(LEVELS[Number(k) - 1]); }
      else if (k === "0" || k === "s") { setLabel(SKIP); }
      else if (k === "ArrowRight" || k === "j") { pos += 1; show(); }
      else if (k === "ArrowLeft" || k === "k") { pos -= 1; show(); }
      else if (k === "u") { nextUnlabelled(); }
      else if (k === "r") { const p = $("player"); p.currentTime = 0; p.play().catch(() => {}); }
      else if (k === " ") { const p = $("player"); if (p.paused) p.play().catch(() => {}); else p.pause(); }
      else return;
      e.preventDefault();
    });
    window.addEventListener("beforeunload", (e) => { if (pending) { e.preventDefault(); e.returnValue = ""; } });
    load();
  }
  init();
})();
