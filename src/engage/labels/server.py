"""The local label server: serves the labelling pages and clips, saves every click to the rater's file.

    engage labels serve [--rater NAME] [--session S] [--review] [--port 8765]

Standard library only (``http.server``). Safe on a shared workstation:

* binds 127.0.0.1 only (never another interface);
* a random token (printed in the address, then kept in an HttpOnly, SameSite=Strict cookie) is needed
  for every request, so other users of the machine cannot read clips or write labels;
* the Host header must be this server (``127.0.0.1:<port>`` or ``localhost:<port>``: a DNS-rebinding
  page has another host name), an Origin header, when sent, must be this server, and cross-site
  fetches (``Sec-Fetch-Site: cross-site``) are refused, so a page from elsewhere cannot post labels;
  pages cannot be framed (``X-Frame-Options: DENY``);
* a label is accepted only for a discovered session, a clip id of that session (clips.parquet), one of
  HD/DE/EG/HE/skip, and a rater name matching the session-id pattern;
* it writes only ``sessions/<s>/labels/<rater>.csv`` (no symlinked folder or file), atomically and
  with fsync after every click, under one lock; an existing file that does not parse is never
  overwritten (the error is shown on the page instead).
"""

from __future__ import annotations

import http.cookies
import json
import logging
import mimetypes
import os
import re
import secrets
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from engage.contract import Clip
from engage.errors import SessionError
from engage.labels.clips import session_clips
from engage.labels.files import ADJUDICATED, SKIP, is_rater_name, rater_name, read_label_file, write_label_file
from engage.labels.merge import disagreements
from engage.model.labels import LEVELS
from engage.workflow_support import SESSION_PATTERN, discover_sessions

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
MAX_BODY = 4096
LABELS = frozenset(LEVELS) | {SKIP}


class RequestError(Exception):
    def __init__(self, status: HTTPStatus, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class LabelStore:
    """Sessions, their clips and rater files; every write goes through :meth:`set_label` (one lock)."""

    def __init__(self, sessions_dir: str | os.PathLike, results_dir: str | os.PathLike):
        self.sessions_dir = Path(sessions_dir)
        self.results_dir = Path(results_dir)
        self.lock = threading.Lock()
        self._clips: dict[str, tuple[float, list[Clip]]] = {}
        found = discover_sessions(self.sessions_dir, SESSION_PATTERN).sessions
        self.sessions = [s for s in found if (self.results_dir / s / "clips.parquet").is_file()]

    # -- reading ---------------------------------------------------------------------------------------
    def clips(self, session: object) -> list[Clip]:
        if not isinstance(session, str) or session not in self.sessions:
            raise RequestError(HTTPStatus.NOT_FOUND, f"unknown session {session!r}")
        p = self.results_dir / session / "clips.parquet"
        mtime = p.stat().st_mtime
        cached = self._clips.get(session)
        if not cached or cached[0] != mtime:
            try:
                cached = (mtime, session_clips(p, session))
            except SessionError as err:  # e.g. clips.parquet rewritten by a running workflow, or corrupt
                raise RequestError(HTTPStatus.SERVICE_UNAVAILABLE, str(err)) from None
            self._clips[session] = cached
        return cached[1]

    def clip_ids(self, session: str) -> list[str]:
        return [c.clip_id for c in self.clips(session)]

    def labels_dir(self, session: str) -> Path:
        """sessions/<s>/labels, refused when it is a symlink (it could lead out of the session folder)."""
        base = (self.sessions_dir / session).resolve()
        d = self.sessions_dir / session / "labels"
        if d.is_symlink() or (d.exists() and d.resolve() != base / "labels"):
            raise RequestError(HTTPStatus.FORBIDDEN, f"{d} is a symbolic link; labels are written only into the session folder")
        return d

    def rater_file(self, session: str, rater: object) -> Path:
        if not is_rater_name(rater):
            raise RequestError(HTTPStatus.BAD_REQUEST, f"rater name {str(rater)[:80]!r} not allowed "
                                                       "(letters, digits, _ . -, not starting with . or -, at most 64)")
        p = self.labels_dir(session) / f"{rater}.csv"
        if p.is_symlink():
            raise RequestError(HTTPStatus.FORBIDDEN, f"{p} is a symbolic link; not written")
        return p

    def read(self, session: str, path: Path) -> dict[str, str]:
        if not path.exists():
            return {}
        try:
            return read_label_file(path, session=session, known_clips=set(self.clip_ids(session))).labels
        except SessionError as err:
            raise RequestError(HTTPStatus.CONFLICT, f"{err} (fix or move the file; nothing was overwritten)") from None

    def rater_labels(self, session: str, rater: object) -> dict[str, str]:
        self.clips(session)
        return self.read(session, self.rater_file(session, rater))

    def rater_files(self, session: str) -> list[Path]:
        d = self.labels_dir(session)
        if not d.is_dir():
            return []
        return sorted(p for p in d.iterdir() if p.name.endswith(".csv") and not p.name.startswith(".")
                      and is_rater_name(rater_name(p)) and p.is_file() and not p.is_symlink())

    def review(self, session: str) -> dict:
        order = self.clip_ids(session)
        ratings, adjudicated = {}, {}
        for p in self.rater_files(session):
            labs = self.read(session, p)
            if rater_name(p) == ADJUDICATED:
                adjudicated = labs
            else:
                ratings[rater_name(p)] = labs
        clips = [{"clip_id": c, "labels": {r: labs[c] for r, labs in sorted(ratings.items())
                                           if c in labs and labs[c] != SKIP}}
                 for c in disagreements(ratings, order)]
        return {"session": session, "raters": sorted(ratings), "clips": clips, "adjudicated": adjudicated}

    def status(self) -> dict:
        out = []
        for s in self.sessions:
            try:
                raters = [{"rater": rater_name(p), "labelled": len(self.read(s, p))} for p in self.rater_files(s)]
                out.append({"session": s, "n_clips": len(self.clips(s)), "raters": raters})
            except (RequestError, SessionError) as err:
                out.append({"session": s, "error": str(err), "raters": [], "n_clips": 0})
        return {"sessions": out}

    # -- writing ---------------------------------------------------------------------------------------
    def set_label(self, session: object, rater: object, clip_id: object, label: object) -> dict:
        order = self.clip_ids(session)  # validates the session
        if not isinstance(clip_id, str) or clip_id not in set(order):
            raise RequestError(HTTPStatus.BAD_REQUEST, f"clip {str(clip_id)[:80]!r} is not a clip of session {session}")
        if not isinstance(label, str) or label not in LABELS:
            raise RequestError(HTTPStatus.BAD_REQUEST, f"label {str(label)[:20]!r} is not one of {'|'.join(LEVELS)}|{SKIP}")
        with self.lock:
            path = self.rater_file(session, rater)
            labels = self.read(session, path)
            labels[clip_id] = label
            path.parent.mkdir(exist_ok=True)
            write_label_file(path, labels, order)
        log.info("saved %s %s %s -> %s", session, rater, clip_id, label)
        return {"ok": True, "session": session, "rater": rater, "clip_id": clip_id, "label": label,
                "labelled": len(labels)}


class LabelHandler(BaseHTTPRequestHandler):
    server_version = "engage-label-server"
    protocol_version = "HTTP/1.1"

    # -- plumbing --------------------------------------------------------------------------------------
    @property
    def app(self) -> "LabelServer":
        return self.server  # type: ignore[return-value]

    def log_message(self, fmt: str, *args) -> None:  # quiet: one line per saved label is logged instead
        if args and isinstance(args[0], str) and args[0].startswith("4"):
            log.debug(fmt, *args)

    def _send(self, status: HTTPStatus, body: bytes, ctype: str, extra: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cache-Control", "no-store")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, obj: object, status: HTTPStatus = HTTPStatus.OK) -> None:
        self._send(status, json.dumps(obj, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8")

    def _error(self, err: RequestError) -> None:
        if err.status != HTTPStatus.NOT_FOUND:
            log.warning("refused %s %s: %s", self.command, self.path[:200], err.message)
        self.close_connection = True  # an unread request body must not be taken for the next request
        self._send(err.status, json.dumps({"error": err.message}).encode("utf-8"), "application/json; charset=utf-8",
                   {"Connection": "close"})

    def _check_origin(self) -> None:
        """Host must be this server (DNS rebinding); Origin, when sent, too; no cross-site fetches."""
        host = self.headers.get("Host", "")
        if host not in self.app.hosts:
            raise RequestError(HTTPStatus.FORBIDDEN, f"host {host[:80]!r} is not this server")
        origin = self.headers.get("Origin")
        if origin is not None and origin not in self.app.origins:
            raise RequestError(HTTPStatus.FORBIDDEN, f"origin {origin[:80]!r} is not this server")
        if self.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
            raise RequestError(HTTPStatus.FORBIDDEN, "cross-site request")

    def _token_ok(self) -> bool:
        jar = http.cookies.SimpleCookie()
        try:
            jar.load(self.headers.get("Cookie", ""))
        except http.cookies.CookieError:
            return False
        c = jar.get(self.app.cookie_name)
        return c is not None and secrets.compare_digest(c.value, self.app.token)

    # -- methods ---------------------------------------------------------------------------------------
    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        try:
            self._check_origin()
            url = urlsplit(self.path)
            query = parse_qs(url.query)
            if "token" in query:  # first visit: token in the address -> cookie, then the same address without it
                if not secrets.compare_digest(query["token"][0], self.app.token):
                    raise RequestError(HTTPStatus.FORBIDDEN, "wrong token")
                rest = urlencode({k: v for k, v in query.items() if k != "token"}, doseq=True)
                cookie = f"{self.app.cookie_name}={self.app.token}; Path=/; HttpOnly; SameSite=Strict"
                self._send(HTTPStatus.SEE_OTHER, b"", "text/plain",
                           {"Location": url.path + (f"?{rest}" if rest else ""), "Set-Cookie": cookie})
                return
            if not self._token_ok():
                raise RequestError(HTTPStatus.FORBIDDEN, "open the address with the token that `engage labels serve` printed")
            self._route_get(url.path, {k: v[0] for k, v in query.items()})
        except RequestError as err:
            self._error(err)

    do_HEAD = do_GET

    def _route_get(self, path: str, q: dict[str, str]) -> None:
        store = self.app.store
        if path == "/":
            self._send(HTTPStatus.SEE_OTHER, b"", "text/plain", {"Location": "/label/index.html"})
        elif path == "/api/status":
            self._json(store.status())
        elif path == "/api/session":
            s = q.get("session")
            self._json({"session": s, "clips": store.clip_ids(s), "labels": store.rater_labels(s, q.get("rater"))})
        elif path == "/api/review":
            store.clips(q.get("session"))
            self._json(store.review(q["session"]))
        elif path.startswith("/label/"):
            self._file(self.app.pages_dir, unquote(path[len("/label/"):]))
        elif m := re.fullmatch(r"/clips/([^/]+)/([^/]+)\.mp4", path):
            session, clip_id = unquote(m.group(1)), unquote(m.group(2))
            clip = next((c for c in store.clips(session) if c.clip_id == clip_id), None)
            if clip is None:
                raise RequestError(HTTPStatus.NOT_FOUND, f"no clip {clip_id!r} in session {session!r}")
            self._file(store.results_dir / session, clip.path)
        else:
            raise RequestError(HTTPStatus.NOT_FOUND, "not found")

    def _file(self, root: Path, rel: str) -> None:
        """A file below ``root`` (no '..', no hidden names, no symlink out of it), with byte ranges for video."""
        parts = rel.split("/")
        if not rel or any(p in ("", ".", "..") or p.startswith(".") for p in parts):
            raise RequestError(HTTPStatus.NOT_FOUND, "not found")
        base = root.resolve()
        p = (root / rel).resolve()
        if not p.is_relative_to(base) or not p.is_file():
            raise RequestError(HTTPStatus.NOT_FOUND, "not found")
        size = p.stat().st_size
        ctype = mimetypes.guess_type(p.name)[0] or "application/octet-stream"
        if ctype.startswith("text/"):
            ctype += "; charset=utf-8"
        rng = re.fullmatch(r"bytes=(\d*)-(\d*)", self.headers.get("Range", "").strip())
        if rng and (rng.group(1) or rng.group(2)):
            if rng.group(1):
                start = int(rng.group(1))
                end = min(int(rng.group(2)), size - 1) if rng.group(2) else size - 1
            else:
                start, end = max(size - int(rng.group(2)), 0), size - 1
            if start >= size or start > end:
                self._send(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE, b"", ctype, {"Content-Range": f"bytes */{size}"})
                return
            with open(p, "rb") as f:
                f.seek(start)
                body = f.read(end - start + 1)
            self._send(HTTPStatus.PARTIAL_CONTENT, body, ctype,
                       {"Content-Range": f"bytes {start}-{end}/{size}", "Accept-Ranges": "bytes"})
            return
        self._send(HTTPStatus.OK, p.read_bytes(), ctype, {"Accept-Ranges": "bytes"})

    def do_POST(self) -> None:  # noqa: N802
        try:
            self._check_origin()
            if not self._token_ok():
                raise RequestError(HTTPStatus.FORBIDDEN, "missing or wrong token")
            if urlsplit(self.path).path != "/api/label":
                raise RequestError(HTTPStatus.NOT_FOUND, "not found")
            if not self.headers.get("Content-Type", "").lower().startswith("application/json"):
                raise RequestError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "labels are posted as application/json")
            try:
                n = int(self.headers.get("Content-Length", "0"))
            except ValueError:
                n = -1
            if not 0 < n <= MAX_BODY:
                raise RequestError(HTTPStatus.BAD_REQUEST, "missing or oversized body")
            try:
                doc = json.loads(self.rfile.read(n).decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                raise RequestError(HTTPStatus.BAD_REQUEST, "body is not JSON") from None
            if not isinstance(doc, dict) or set(doc) != {"session", "rater", "clip_id", "label"}:
                raise RequestError(HTTPStatus.BAD_REQUEST, "expected {session, rater, clip_id, label}")
            try:
                saved = self.app.store.set_label(doc["session"], doc["rater"], doc["clip_id"], doc["label"])
            except OSError as err:  # disk full, permissions: the old file stays as it was
                raise RequestError(HTTPStatus.INTERNAL_SERVER_ERROR, f"could not save: {err}") from None
            self._json(saved)
        except RequestError as err:
            self._error(err)


class LabelServer(ThreadingHTTPServer):
    """ThreadingHTTPServer on 127.0.0.1 with the store, the token and the allowed Host/Origin values."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, store: LabelStore, pages_dir: str | os.PathLike, port: int = 8765, token: str | None = None):
        super().__init__((HOST, port), LabelHandler)
        self.store = store
        self.pages_dir = Path(pages_dir)
        self.token = token or secrets.token_urlsafe(24)
        self.port = self.server_address[1]
        self.cookie_name = f"engage_label_{self.port}"  # cookies are shared across ports of one host
        self.hosts = {f"{HOST}:{self.port}", f"localhost:{self.port}"}
        self.origins = {f"http://{h}" for h in self.hosts}

    def url(self, path: str = "/label/index.html", **query: str) -> str:
        q = urlencode({k: v for k, v in query.items() if v} | {"token": self.token})
        return f"http://{HOST}:{self.port}{path}?{q}"


def serve(*, sessions_dir: str, results_dir: str, port: int, rater: str | None = None, session: str | None = None,
          review: bool = False, out=sys.stdout) -> int:
    """Run the server until Ctrl-C (``engage labels serve``)."""
    from engage.logutil import setup_logging

    setup_logging(None)  # one line per saved label and per refused request on stderr
    pages = Path(results_dir) / "label"
    if not (pages / "index.html").is_file():
        raise SessionError(None, pages / "index.html", "no labelling pages: build them first with "
                                                       "`snakemake label_pages` (same sessions_dir/results_dir)")
    if rater is not None and (not is_rater_name(rater) or rater == ADJUDICATED):
        raise SessionError(None, None, f"rater name {rater!r} not allowed (letters, digits, _ . -, not starting with "
                                       f". or -, at most 64 characters; {ADJUDICATED!r} is review mode's)")
    store = LabelStore(sessions_dir, results_dir)
    if session is not None and session not in store.sessions:
        raise SessionError(session, Path(results_dir) / session / "clips.parquet", "no clips for this session")
    server = LabelServer(store, pages, port)
    path = f"/label/sessions/{session}.html" if session else "/label/index.html"
    url = server.url(path, mode="review" if review else "", rater="" if review else (rater or ""))
    print(f"engage label server for {len(store.sessions)} session(s) of {sessions_dir}; labels go to "
          f"{sessions_dir}/<session>/labels/<rater>.csv", file=out)
    print(f"open: {url}", file=out, flush=True)
    print("stop with Ctrl-C", file=out, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
