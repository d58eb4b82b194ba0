# Shared by scripts/demo and scripts/test: a virtual environment with Boktor installed.
# Sourced, not run. Installs only what is missing, so a second run is quick.

BOKTOR_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="$BOKTOR_ROOT/.venv"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

apt_install() {
  # Install Debian packages that are missing; needs root or password-less sudo.
  local missing=()
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if sudo -n true 2>/dev/null; then sudo="sudo -n"; else
      say "Please install these Debian packages first: sudo apt-get install ${missing[*]}"; return 1
    fi
  fi
  say "Installing Debian packages: ${missing[*]}"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_venv() {
  # $1: the pip extras to install, e.g. "[test]" or "".
  local extras="${1:-}"
  if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV" 2>/dev/null || { apt_install python3-venv && python3 -m venv "$VENV"; }
  fi
  local stamp="$VENV/.boktor-installed$extras"
  if [ ! -f "$stamp" ] || [ "$BOKTOR_ROOT/pyproject.toml" -nt "$stamp" ]; then
    say "Installing Boktor and its Python packages into .venv"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e "$BOKTOR_ROOT$extras"
    touch "$stamp"
  fi
}
