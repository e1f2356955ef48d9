#!/usr/bin/env bash
# One entry point for a fresh Debian/Ubuntu machine with Python 3.11:
#   ./pipeline.sh sample   install what is missing, then run the workflow on the bundled sample session
#   ./pipeline.sh test     install what is missing, then run the whole test suite
#   ./pipeline.sh snakemake ARGS...   run snakemake inside the project environment
#   ./pipeline.sh install  only install
#   ./pipeline.sh plan     say which torch build would be installed and why, list the pins; installs nothing
# The environment is a venv in $ENGAGE_VENV (default: .venv in this folder), reinstalled only when its
# pins (requirements.lock, plus requirements-cuda.lock for the cuda build), pyproject.toml or the torch
# build change. The build is cuda when nvidia-smi lists a GPU with a new enough driver, else cpu;
# ENGAGE_TORCH=cpu|cuda forces one.
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

CPU_TORCH_INDEX=https://download.pytorch.org/whl/cpu  # serves requirements.lock's torch==...+cpu

choose_torch() {  # sets TORCH_BUILD (cpu|cuda) and TORCH_WHY
  case "${ENGAGE_TORCH:-auto}" in
    cpu | cuda) TORCH_BUILD=$ENGAGE_TORCH TORCH_WHY="forced by ENGAGE_TORCH=$ENGAGE_TORCH"; return 0 ;;
    auto) ;;
    *) say "ERROR: ENGAGE_TORCH must be auto, cpu or cuda (got '$ENGAGE_TORCH')"; exit 2 ;;
  esac
  TORCH_BUILD=cpu
  if ! command -v nvidia-smi >/dev/null 2>&1; then
    TORCH_WHY="no nvidia-smi on PATH"; return 0
  fi
  local gpus n name driver need
  gpus=$(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | grep -E ', *[0-9]+\.' || true)
  n=$(printf '%s' "$gpus" | grep -c . || true)
  if [ "$n" = 0 ]; then
    TORCH_WHY="nvidia-smi lists no GPU"; return 0
  fi
  name=$(printf '%s\n' "$gpus" | head -n 1 | sed 's/, *[^,]*$//')
  driver=$(printf '%s\n' "$gpus" | head -n 1 | sed 's/.*, *//')
  need=$(sed -n 's/^# min-driver: *\([0-9.]*\).*/\1/p' requirements-cuda.lock)
  if [ "$(printf '%s\n%s\n' "$need" "$driver" | sort -V | head -n 1)" != "$need" ]; then
    TORCH_WHY="nvidia-smi lists $n GPU(s) ($name), but driver $driver is older than $need, which the pinned CUDA build needs (update the driver, or ENGAGE_TORCH=cuda)"
    return 0
  fi
  TORCH_BUILD=cuda TORCH_WHY="nvidia-smi lists $n GPU(s): $name, driver $driver"
}

lock_names() {  # normalised package names of a lock file
  sed -n 's/^\([A-Za-z0-9._-]*\)[=<>~! ].*/\1/p' "$1" | tr 'A-Z_.' 'a-z--'
}

write_pins() {  # DIR: rest.txt (installed first) and torch.txt (the chosen torch build and its own pins)
  local dir=$1
  mkdir -p "$dir"
  if [ "$TORCH_BUILD" = cuda ]; then
    grep -v '^#' requirements-cuda.lock | grep . >"$dir/torch.txt"
  else
    grep -E '^torch(==|===)' requirements.lock >"$dir/torch.txt"
  fi
  # every package named in torch.txt (and torch itself) is dropped from the rest of requirements.lock
  { lock_names "$dir/torch.txt"; echo torch; } | sort -u >"$dir/torch.names"
  awk 'NR == FNR { drop[$1] = 1; next }
       /^[A-Za-z0-9]/ { n = $0; sub(/[=<>~! ].*/, "", n); n = tolower(n); gsub(/[_.]/, "-", n); if (n in drop) next }
       { print }' "$dir/torch.names" requirements.lock >"$dir/rest.txt"
  if [ "$TORCH_BUILD" = cpu ]; then echo "--extra-index-url $CPU_TORCH_INDEX" >"$dir/torch.args"; else : >"$dir/torch.args"; fi
}

pins_stamp() {  # DIR: what the environment must match (the choice, every pin, pyproject.toml)
  { echo "torch=$TORCH_BUILD"; cat "$1/rest.txt" "$1/torch.txt" "$1/torch.args" pyproject.toml; } | sha256sum | cut -c1-16
}

plan() {  # what install would do, on stdout; installs nothing
  choose_torch
  say "torch: $TORCH_BUILD build ($TORCH_WHY)"
  local dir want stamp="$VENV/.engage-installed"
  dir=$(mktemp -d)
  write_pins "$dir"
  want=$(pins_stamp "$dir")
  echo "torch: $TORCH_BUILD"
  echo "why: $TORCH_WHY"
  echo "stamp: $want"
  if [ -f "$stamp" ] && [ "$(cut -d' ' -f1 "$stamp")" = "$want" ]; then
    echo "environment: $VENV is up to date"
  else
    echo "environment: $VENV would be (re)installed"
  fi
  echo "step 1: pip install --no-deps -r requirements.lock without torch ($(grep -c '^[A-Za-z0-9]' "$dir/rest.txt") packages)"
  echo "step 2: pip install --no-deps $(cat "$dir/torch.args") $(tr '\n' ' ' <"$dir/torch.txt")"
  rm -rf "$dir"
}

install() {
  command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1 || need_apt ffmpeg
  command -v tesseract >/dev/null 2>&1 || need_apt tesseract-ocr tesseract-ocr-eng  # tile names (OCR data)
  local py stamp want pins previous
  py=$(find_python)
  "$py" -c 'import venv, ensurepip' 2>/dev/null || need_apt python3-venv
  choose_torch
  say "torch: $TORCH_BUILD build ($TORCH_WHY)"
  mkdir -p "$VENV"
  pins="$VENV/.engage-pins"
  write_pins "$pins"
  want=$(pins_stamp "$pins")
  stamp="$VENV/.engage-installed"
  previous=$([ -f "$stamp" ] && cat "$stamp" || true)
  if [ "$(echo "$previous" | cut -d' ' -f1)" = "$want" ]; then
    return 0
  fi
  say "installing the environment in $VENV (first run: a few minutes; the cuda build downloads about 4 GB)"
  [ -x "$VENV/bin/python" ] || "$py" -m venv "$VENV"
  local log="$VENV/install.log"
  # torch: from a local wheel folder (pip's find-links) when it has the exact build, else from its index
  # (the CPU build's index is asked only then: an unreachable index costs retries for every package)
  # shellcheck disable=SC2046  # torch.args holds pip options, split on purpose
  if ! { "$VENV/bin/python" -m pip install --no-deps -r "$pins/rest.txt" &&
    { "$VENV/bin/python" -m pip install --no-deps --no-index -r "$pins/torch.txt" ||
      "$VENV/bin/python" -m pip install --no-deps $(cat "$pins/torch.args") -r "$pins/torch.txt"; } &&
    { [ "$TORCH_BUILD" = cuda ] || [ "$(echo "$previous" | cut -s -d' ' -f2)" != cuda ] ||
      "$VENV/bin/python" -m pip uninstall -y $(lock_names requirements-cuda.lock | grep -vx torch); } &&
    "$VENV/bin/python" -m pip install --no-deps --no-build-isolation -e .; } >"$log" 2>&1; then
    grep -v "is ignored: it is neither" "$log" | tail -n 25 >&2
    say "ERROR: installing the Python packages failed (full log: $log)"
    exit 1
  fi
  echo "$want $TORCH_BUILD" >"$stamp"
}

activate() {
  export PATH="$VENV/bin:$PATH" VIRTUAL_ENV="$VENV"
  export HF_HUB_OFFLINE=${HF_HUB_OFFLINE:-1} TRANSFORMERS_OFFLINE=${TRANSFORMERS_OFFLINE:-1}
}

cmd=${1:-help}
[ $# -gt 0 ] && shift
case "$cmd" in
  install) install ;;
  plan) plan ;;
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
  help | -h | --help) sed -n '2,11p' "$0" ;;
  *) say "unknown command '$cmd'"; sed -n '2,11p' "$0"; exit 2 ;;
esac
