#!/usr/bin/env bash
# One entry point for a fresh Debian/Ubuntu machine with Python 3.11:
#   ./pipeline.sh sample   install what is missing, then run the workflow on the bundled sample session
#   ./pipeline.sh test     install what is missing, then run the whole test suite
#   ./pipeline.sh snakemake ARGS...   run snakemake inside the project environment
#   ./pipeline.sh install  only install
# The environment is a venv in $ENGAGE_VENV (default: .venv in this folder), reinstalled only when
# requirements.lock or pyproject.toml change.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
VENV=${ENGAGE_VENV:-$ROOT/.venv}

say() { printf '[pipeline] %s\n' "$*" >&2; }

need_apt() {  # install Debian packages when root, otherwise explain what to install
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing $* with apt-get"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    say "ERROR: missing system package(s): $*. Install them, e.g.: sudo apt-get install -y $*"
    exit 1
  fi
}

find_python() {
  for py in python3.11 python3; do
    if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      echo "$py"; return 0
    fi
  done
  say "ERROR: Python 3.11 is required (python3.11 not found). On Debian 12: apt-get install -y python3 python3-venv"
  exit 1
}

install() {
  command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1 || need_apt ffmpeg
  command -v tesseract >/dev/null 2>&1 || need_apt tesseract-ocr tesseract-ocr-eng  # tile names (OCR data)
  local py stamp want
  py=$(find_python)
  "$py" -c 'import venv, ensurepip' 2>/dev/null || need_apt python3-venv
  want=$(cat requirements.lock pyproject.toml | sha256sum | cut -c1-16)
  stamp="$VENV/.engage-installed"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  say "creating the environment in $VENV (first run: a few minutes)"
  [ -x "$VENV/bin/python" ] || "$py" -m venv "$VENV"
  local log="$VENV/install.log"
  if ! { "$VENV/bin/python" -m pip install --no-deps -r requirements.lock &&
    "$VENV/bin/python" -m pip install --no-deps --no-build-isolation -e .; } >"$log" 2>&1; then
    grep -v "is ignored: it is neither" "$log" | tail -n 25 >&2
    say "ERROR: installing the Python packages failed (full log: $log)"
    exit 1
  fi
  echo "$want" >"$stamp"
}

activate() {
  export PATH="$VENV/bin:$PATH" VIRTUAL_ENV="$VENV"
  export HF_HUB_OFFLINE=${HF_HUB_OFFLINE:-1} TRANSFORMERS_OFFLINE=${TRANSFORMERS_OFFLINE:-1}
}

cmd=${1:-help}
[ $# -gt 0 ] && shift
case "$cmd" in
  install) install ;;
  sample)
    install; activate
    say "running the workflow on examples/sessions (results in results/)"
    snakemake --profile profiles/local "$@"
    snakemake --profile profiles/local --report results/report.html "$@" >/dev/null
    say "done: outputs in results/, report in results/report.html"
    ;;
  test)
    install; activate
    python -m pytest "$@"
    ;;
  snakemake) install; activate; snakemake "$@" ;;
  help | -h | --help) sed -n '2,9p' "$0" ;;
  *) say "unknown command '$cmd'"; sed -n '2,9p' "$0"; exit 2 ;;
esac
