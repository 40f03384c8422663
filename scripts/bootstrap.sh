#!/usr/bin/env bash
# Install what Open City needs on a Debian/Ubuntu machine, idempotently:
#   1. Debian packages (PostGIS with the geo libraries, gettext, ffmpeg; Chromium for browser tests)
#   2. a virtualenv in .venv on Python 3.12+ with the pinned requirements
#   3. compiled translations
# Usage: scripts/bootstrap.sh [runtime|dev]   (dev adds test tools, Chromium, nginx and PgBouncer)
set -euo pipefail
cd "$(dirname "$0")/.."

profile="${1:-runtime}"
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }

packages=(postgresql postgresql-postgis gettext ffmpeg)
if [[ "$profile" == "dev" ]]; then
  # nginx: tests/ops/test_nginx.py runs deploy/nginx/opencity.conf in front of gunicorn;
  # pgbouncer: tests/ops run the app behind it.
  packages+=(chromium fonts-dejavu-core nginx pgbouncer)
  # Node.js and npm: the browser tests inject axe-core (package.json) into every page. A machine
  # that already has node and npm (from any source) keeps them: Debian's npm would conflict with
  # a NodeSource nodejs that bundles its own.
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    packages+=(nodejs npm)
  fi
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]})); then
  command -v apt-get >/dev/null || die "apt-get not found: install ${missing[*]} by hand (Debian/Ubuntu package names)."
  if [[ $EUID -eq 0 ]]; then
    as_root=()
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  else
    die "these Debian packages are missing: ${missing[*]}. Install them as root (apt-get install ${missing[*]}) or run this as a user with sudo."
  fi
  say "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${as_root[@]}" apt-get update -qq || die "apt-get update failed (no network to the package mirror?)"
  "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
fi

# A Python of 3.12 or newer (Django 6.1 needs it). Never fall back to an older one silently.
find_python() {
  local candidate
  for candidate in "${OPENCITY_PYTHON:-}" python3.13 python3.12 python3; do
    [[ -n "$candidate" ]] || continue
    command -v "$candidate" >/dev/null 2>&1 || continue
    if "$candidate" -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

requirements=requirements.txt
[[ "$profile" == "dev" ]] && requirements=requirements-dev.txt
stamp=.venv/.installed-$profile
want=$(cat requirements.txt "$requirements" | sha256sum | cut -c1-16)

if [[ ! -x .venv/bin/python ]] || ! .venv/bin/python -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
  python=$(find_python) || die "no Python 3.12 or newer found (tried python3.13, python3.12, python3). Install one (e.g. pyenv install 3.12) or set OPENCITY_PYTHON=/path/to/python3.12."
  say "Creating .venv with $("$python" --version)"
  rm -rf .venv
  "$python" -m venv .venv || die "could not create a virtualenv with $python (on Debian: apt-get install python3-venv)"
fi

if [[ ! -f "$stamp" ]] || [[ "$(cat "$stamp")" != "$want" ]]; then
  say "Installing Python packages from $requirements"
  # (This machine's pip configuration names local mirrors that may be absent; that notice is noise.)
  quiet_pip() { .venv/bin/python -m pip "$@" 2>&1 | { grep -v '^WARNING: Location .* is ignored' || true; }; return "${PIPESTATUS[0]}"; }
  quiet_pip install --quiet --disable-pip-version-check --upgrade pip
  quiet_pip install --quiet --disable-pip-version-check -r "$requirements" || die "pip install -r $requirements failed"
  echo "$want" > "$stamp"
fi

# Compile translations when a .po file is newer than its .mo.
while IFS= read -r po; do
  mo="${po%.po}.mo"
  if [[ ! -f "$mo" || "$po" -nt "$mo" ]]; then
    msgfmt --check-format -o "$mo" "$po" || die "msgfmt failed on $po"
  fi
done < <(find locale -name '*.po')

# Node packages for the tests (axe-core), exactly as package-lock.json pins them, when the lock
# file is newer than what node_modules holds.
if [[ "$profile" == "dev" ]]; then
  npm_stamp=node_modules/.installed-lock
  npm_want=$(sha256sum package-lock.json | cut -c1-16)
  if [[ ! -f "$npm_stamp" ]] || [[ "$(cat "$npm_stamp")" != "$npm_want" ]]; then
    say "Installing Node packages from package-lock.json"
    npm ci --no-audit --no-fund --loglevel=error || die "npm ci failed"
    echo "$npm_want" > "$npm_stamp"
  fi
fi
