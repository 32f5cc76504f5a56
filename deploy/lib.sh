# shellcheck shell=bash disable=SC2034 # the paths are used by the scripts that source this
# Shared by deploy/install and deploy/upgrade (sourced, not run). Bash, set -euo pipefail.
#
# The layout on the server:
#   /opt/wkm/releases/<id>/   one copy of the app each, with its own .venv and collected static
#                             files; <id> is a hash of the copied files, so the same code is the
#                             same release and installing it again changes nothing
#   /opt/wkm/current          symlink to the release being served: a rollback is a symlink switch
#   /etc/wkm/wkm.env          the app's environment (0640 root:wkm), written once
#   /etc/wkm/owner.env        DATABASE_OWNER_URL with the owner's password (0600 root): migrate and
#                             backups only; the app never holds it (README, "The database roles")
#   /var/lib/wkm/media        case files (MEDIA_ROOT), the only place the app writes
#   /var/backups/wkm          daily dumps and media archives, and one before every upgrade

WKM_USER=wkm
WKM_HOME=/opt/wkm
RELEASES=$WKM_HOME/releases
CURRENT=$WKM_HOME/current
ETC=/etc/wkm
ENV_FILE=$ETC/wkm.env
OWNER_ENV=$ETC/owner.env
DATA=/var/lib/wkm
MEDIA=$DATA/media
BACKUPS=/var/backups/wkm
KEEP_RELEASES=${KEEP_RELEASES:-3}
DEPLOY_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

CHANGES=()
# A failure inside $(...) stops the script too (a release whose pip install failed is not built).
shopt -s inherit_errexit
# The releases are root's and read by the app's user; secrets and backups set their own modes.
umask 022

say() { printf '[wkm] %s\n' "$*"; }
die() { printf '[wkm] error: %s\n' "$*" >&2; exit 1; }

# Something was changed on this run: said at once and counted for the summary.
changed() {
    CHANGES+=("$*")
    printf '[wkm] changed: %s\n' "$*"
}

summary() {
    if ((${#CHANGES[@]} == 0)); then
        say "done: no changes (everything was already in place)"
    else
        say "done: ${#CHANGES[@]} change(s)"
    fi
}

# put_file PATH MODE OWNER:GROUP < content -- writes only when content, mode or owner differ;
# returns 0 when it changed something, 1 when the file was already so.
put_file() {
    local path=$1 mode=$2 owner=$3 tmp
    tmp=$(mktemp "$(dirname "$path")/.wkm.XXXXXX")
    cat >"$tmp"
    if [[ -f $path ]] && cmp -s "$tmp" "$path" &&
        [[ $(stat -c '%a %U:%G' "$path") == "$mode $owner" ]]; then
        rm -f "$tmp"
        return 1
    fi
    chmod "$mode" "$tmp"
    chown "$owner" "$tmp"
    mv -f "$tmp" "$path"
    changed "$path"
    return 0
}

# ensure_mode PATH MODE OWNER:GROUP -- of a file that exists
ensure_mode() {
    local path=$1 mode=$2 owner=$3
    [[ $(stat -c '%a %U:%G' "$path") == "$mode $owner" ]] && return 0
    chmod "$mode" "$path"
    chown "$owner" "$path"
    changed "$path (mode or owner)"
}

# ensure_dir PATH MODE OWNER:GROUP
ensure_dir() {
    local path=$1 mode=$2 owner=$3
    if [[ ! -d $path ]]; then
        install -d -m "$mode" -o "${owner%%:*}" -g "${owner##*:}" "$path"
        changed "$path/"
    elif [[ $(stat -c '%a %U:%G' "$path") != "$mode $owner" ]]; then
        chmod "$mode" "$path"
        chown "$owner" "$path"
        changed "$path/ (mode or owner)"
    fi
}

have_systemd() { [[ -d /run/systemd/system ]]; }

# Debian packages not yet installed are installed; nothing is upgraded behind the admin's back.
APT_UPDATED=0
apt_ensure() {
    local missing=() pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
            missing+=("$pkg")
    done
    ((${#missing[@]})) || return 0
    if ((APT_UPDATED == 0)); then
        apt-get update -q
        APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
    changed "Debian packages: ${missing[*]}"
}

# The runtime OS packages of os-packages.txt (the "run" ones), from the release's own list.
os_packages_run() {
    awk '!/^#/ && NF >= 2 && $2 ~ /(^|,)run(,|$)/ {print $1}' "$1/os-packages.txt"
}

# Run a command with the app's environment (and the owner's, for migrate and backups).
with_env() {
    local owner=0
    if [[ $1 == --owner ]]; then
        owner=1
        shift
    fi
    (
        set -a
        # shellcheck disable=SC1090
        . "$ENV_FILE"
        # shellcheck disable=SC1090
        ((owner)) && . "$OWNER_ENV"
        set +a
        exec "$@"
    )
}

# manage RELEASE [--owner] ARGS... -- manage.py of that release as the app's user (as root with
# the owner's role).
manage() {
    local release=$1
    shift
    local owner=()
    if [[ ${1:-} == --owner ]]; then
        owner=(--owner)
        shift
    fi
    # As the owner, as root: the owner's password must never be in a process of the app's user,
    # whose other processes could read it from /proc/<pid>/environ.
    local as=(runuser -u "$WKM_USER" --)
    ((${#owner[@]})) && as=()
    with_env "${owner[@]}" "${as[@]}" env HOME="$DATA" PYTHONDONTWRITEBYTECODE=1 \
        "$release/.venv/bin/python" "$release/manage.py" "$@"
}

# Copy the app from SOURCE (a checkout or an unpacked copy; with REF, that git ref of it) into a
# new staging directory; print its path. Only what the app is made of: no var/, .venv, .git.
stage_source() {
    local source=$1 ref=${2:-} staging
    staging=$(mktemp -d "$RELEASES/.staging.XXXXXX")
    if [[ -n $ref ]]; then
        git -C "$source" archive --format=tar "$ref" | tar -x -C "$staging"
    else
        tar -C "$source" -c \
            --exclude=./.git --exclude=./.venv --exclude=./var --exclude='__pycache__' \
            --exclude='*.pyc' --exclude=./.pytest_cache --exclude=./.ruff_cache \
            --exclude=./test-results --exclude=./node_modules . | tar -x -C "$staging"
    fi
    [[ -f $staging/manage.py && -f $staging/requirements.txt ]] ||
        die "$source${ref:+ at $ref} is not the WKM Case Manager (no manage.py/requirements.txt)"
    printf '%s\n' "$staging"
}

# The release id: a hash of every file's path and contents, so the same code is the same id.
release_id() {
    (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-12)
}

# Build the release from a staged copy: its own virtualenv, compiled bytecode (the code is
# read-only to the services) and collected static files. Prints the release's path. A release
# that is already complete is kept as it is.
build_release() {
    local staging=$1 id release
    id=$(release_id "$staging")
    release=$RELEASES/$id
    if [[ -f $release/.complete ]]; then
        rm -rf "$staging"
        printf '%s\n' "$release"
        return
    fi
    rm -rf "$release"
    mv "$staging" "$release"
    chmod 755 "$release"
    say "building release $id" >&2
    python3 -m venv "$release/.venv" >&2
    "$release/.venv/bin/pip" install --quiet --disable-pip-version-check \
        -r "$release/requirements.txt" >&2
    "$release/.venv/bin/python" -m compileall -q "$release" -x '/\.venv/' >&2 || true
    with_env env STATIC_ROOT="$release/var/static" PYTHONDONTWRITEBYTECODE=1 \
        "$release/.venv/bin/python" "$release/manage.py" collectstatic --noinput -v0 >&2
    # Readable by the app's user whatever the umask (collectstatic gives files the 0600 of
    # FILE_UPLOAD_PERMISSIONS, meant for case files); written by root only.
    chmod -R a+rX,go-w "$release"
    touch "$release/.complete"
    printf '%s\n' "$release"
}

# The release being served, or nothing before the first install.
served_release() {
    if [[ -L $CURRENT ]]; then readlink -f "$CURRENT"; fi
}

# Point current at RELEASE in one rename, so nothing ever sees no current.
switch_current() {
    local release=$1
    [[ $(readlink "$CURRENT" 2>/dev/null) == "$release" ]] && return 1
    ln -sfn "$release" "$CURRENT.new"
    mv -T "$CURRENT.new" "$CURRENT"
    changed "current -> $(basename "$release")"
    return 0
}

# Keep the newest KEEP_RELEASES releases (and always the current one).
prune_releases() {
    local current keep=0 dir
    current=$(served_release)
    while IFS= read -r dir; do
        [[ -f $dir/.complete ]] || continue
        keep=$((keep + 1))
        if ((keep > KEEP_RELEASES)) && [[ $dir != "$current" ]]; then
            rm -rf "$dir"
            changed "old release $(basename "$dir") removed"
        fi
    done < <(find "$RELEASES" -mindepth 1 -maxdepth 1 -type d ! -name '.*' -printf '%T@ %p\n' |
        sort -rn | cut -d' ' -f2-)
}

# The applied migrations, one "app name" a line, as the owner sees them.
applied_migrations() {
    with_env --owner "$1/.venv/bin/python" - <<'EOF'
import os
from urllib.parse import urlsplit, unquote
import psycopg2
url = urlsplit(os.environ["DATABASE_OWNER_URL"])
conn = psycopg2.connect(
    dbname=unquote(url.path.lstrip("/")), user=unquote(url.username or ""),
    password=unquote(url.password or ""), host=url.hostname, port=url.port or 5432,
)
with conn, conn.cursor() as cur:
    cur.execute("SELECT to_regclass('django_migrations') IS NOT NULL")
    if cur.fetchone()[0]:
        cur.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        for app, name in cur.fetchall():
            print(app, name)
EOF
}

# A dump of the database as the owner (scripts/backup.py) into FILE.
backup_to() {
    local release=$1 file=$2
    with_env --owner "$release/.venv/bin/python" "$release/scripts/backup.py" backup --output "$file"
}

restore_from() {
    local release=$1 file=$2
    with_env --owner "$release/.venv/bin/python" "$release/scripts/backup.py" restore --yes "$file"
}

# /health/ through gunicorn directly, as the proxy would ask (Host and X-Forwarded-Proto), with
# the monitor's token to see its components. The app's own parts must answer (database, Redis,
# a Celery worker); an outbox or beat "late" (mail down for a while, a beat not yet run since the
# start) is the monitor's business, not a reason to call an install or an upgrade failed.
health_ok() {
    local host port token body
    host=$(sed -n 's/^ALLOWED_HOSTS=\([^,]*\).*/\1/p' "$ENV_FILE")
    port=$(sed -n 's/^WKM_PORT=//p' "$ENV_FILE")
    token=$(sed -n 's/^HEALTH_TOKEN=//p' "$ENV_FILE")
    body=$(curl -sS --max-time 5 --noproxy '*' -H "Host: $host" -H 'X-Forwarded-Proto: https' \
        -H "Authorization: Bearer $token" "http://127.0.0.1:${port:-8000}/health/") || return 1
    python3 -c 'import json, sys
body = json.loads(sys.stdin.read() or "{}")
sys.exit(0 if all(body.get(part) == "ok" for part in ("database", "redis", "celery")) else 1)' \
        <<<"$body" 2>/dev/null
}

wait_healthy() {
    local _
    for _ in $(seq 1 "${1:-60}"); do
        health_ok && return 0
        sleep 1
    done
    return 1
}
