#!/usr/bin/env bash
# Read latency of the records API under concurrent clients: Anvil's server vs ARA's (Debian's ara-server 1.5.8 on
# gunicorn) on the same synthetic data, and Anvil alone on a much larger database. Everything on 127.0.0.1.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: bench/api-latency.sh [options]

1. Fills two SQLite databases with the same N synthetic results (bench/records-datagen.sh): one for Anvil
   (`anvil db migrate`, then bulk SQL) and one for ARA (`ara-manage migrate`, then bulk SQL in ARA's schema with its
   zlib-compressed JSON). With --big, a third one for Anvil alone.
2. Serves each: `anvil server` and ARA under gunicorn (2 x cores + 1 sync workers, as gunicorn advises; with
   --ara-server runserver, Django's development server instead). Each Anvil database is served twice: as
   configured by default (reads answered from memory until the database changes), then with that response cache
   off (Records__ResponseCacheMegabytes=0, label "-nocache"), which is what a read costs from the database.
3. Measures with bench/Anvil.Bench.Load (20 concurrent clients, closed loop) three requests an ARA user makes:
     results   GET /api/v1/results?playbook=P&status=failed     (P: the middle playbook)
     playbooks GET /api/v1/playbooks?order=-started             (first page of 100, with items and arguments)
     detail    GET /api/v1/playbooks/P
   and prints p50/p90/p99/max latency (ms) and requests/s per server and request.

Options:
  --results N         results in the side-by-side databases (default 100000)
  --big N             results in the Anvil-only database (default 1000000; 0 to skip)
  --concurrency C     concurrent clients (default 20)
  --requests R        measured requests per request kind (default 2000; each kind also stops after --max-seconds)
  --max-seconds S     time limit per request kind (default 60)
  --only LIST         servers to measure: anvil,ara,big (default: all three)
  --ara-server KIND   gunicorn (default) or runserver
  --keep              keep the temp dir (databases, server logs) and print its path
  -h, --help          show this help

Environment:
  ANVIL     anvil command (default: the repo's ./anvil; its built program is then used directly)
  TMPDIR    where the temp dir is created (default /tmp); the 1,000,000-result database takes about 400 MB

Missing Debian packages (sqlite3, ara-server, gunicorn) are installed with apt-get when running as root.
EOF
}

die() { echo "api-latency: $*" >&2; exit 1; }
is_posint() { [[ $1 =~ ^[1-9][0-9]*$ ]]; }

n=100000
big=1000000
concurrency=20
requests=2000
max_seconds=60
only="anvil,ara,big"
ara_server=gunicorn
keep=0

while (($#)); do
    case $1 in
        --results) (($# >= 2)) || die "--results needs a value"; n=$2; shift 2 ;;
        --big) (($# >= 2)) || die "--big needs a value"; big=$2; shift 2 ;;
        --concurrency) (($# >= 2)) || die "--concurrency needs a value"; concurrency=$2; shift 2 ;;
        --requests) (($# >= 2)) || die "--requests needs a value"; requests=$2; shift 2 ;;
        --max-seconds) (($# >= 2)) || die "--max-seconds needs a value"; max_seconds=$2; shift 2 ;;
        --only) (($# >= 2)) || die "--only needs a value"; only=$2; shift 2 ;;
        --ara-server) (($# >= 2)) || die "--ara-server needs a value"; ara_server=$2; shift 2 ;;
        --keep) keep=1; shift ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
done
is_posint "$n" && ((n <= 10000000)) || die "--results must be 1..10,000,000: $n"
[[ $big == 0 ]] || { is_posint "$big" && ((big <= 10000000)); } || die "--big must be 0..10,000,000: $big"
is_posint "$concurrency" && ((concurrency <= 200)) || die "--concurrency must be 1..200: $concurrency"
is_posint "$requests" && ((requests <= 1000000)) || die "--requests must be 1..1,000,000: $requests"
is_posint "$max_seconds" && ((max_seconds <= 3600)) || die "--max-seconds must be 1..3600: $max_seconds"
[[ $ara_server == gunicorn || $ara_server == runserver ]] || die "--ara-server must be gunicorn or runserver"
servers=()
IFS=',' read -r -a requested <<<"$only"
for s in "${requested[@]}"; do
    case $s in
        anvil | ara) servers+=("$s") ;;
        big) [[ $big == 0 ]] || servers+=(big) ;;
        *) die "--only: unknown server '$s' (expected anvil, ara, big)" ;;
    esac
done
((${#servers[@]})) || die "nothing to measure"
has() { [[ " ${servers[*]} " == *" $1 "* ]]; }

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$repo_root/bench/lib.sh"
ANVIL=${ANVIL:-$repo_root/anvil}
PY=/usr/bin/python3

bench_name=api-latency
prepare_servers

work=$(mktemp -d "${TMPDIR:-/tmp}/anvil-api-bench.XXXXXX")
pids=()
stop_servers() {
    stop_pids
    pids=()
}
cleanup() {
    stop_servers
    if ((keep)); then
        echo "api-latency: kept $work" >&2
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT
export ANVIL_HOME=$work/anvil-home
unset ANVIL_DATABASE || true

build_load_generator
# A plain command (not a function), so that a server started with `&` is the process whose id $! gives.
ara_manage=($PY -c "import os, sys; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'ara.server.settings'); from django.core.management import execute_from_command_line; execute_from_command_line(['ara-manage'] + sys.argv[1:])")
seconds_since() { awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN {printf "%.1f", e - s}'; }

# prepare NAME SCHEMA RESULTS: a filled database; prints "<path> <playbooks>".
prepare() {
    local name=$1 schema=$2 count=$3 db start playbooks
    start=$(date +%s.%N)
    if [[ $schema == anvil ]]; then
        db=$work/$name.db
        "$ANVIL" db migrate --database "sqlite:$db" >"$work/$name-migrate.log" 2>&1 || die "anvil db migrate failed: $work/$name-migrate.log"
    else
        mkdir -p "$work/$name"
        db=$work/$name/ansible.sqlite
        ARA_BASE_DIR=$work/$name "${ara_manage[@]}" migrate >"$work/$name-migrate.log" 2>&1 || die "ara migrate failed: $work/$name-migrate.log"
    fi
    playbooks=$("$repo_root/bench/records-datagen.sh" --schema "$schema" --results "$count" --db "$db")
    echo "api-latency: $name: $count results in $playbooks playbooks, $(du -h "$db" | cut -f1), $(seconds_since "$start") s" >&2
    echo "$db $playbooks"
}

# serve NAME SCHEMA DB: starts a server, sets $url. Not run in a subshell: the server's id must reach $pids.
serve() {
    local name=$1 schema=$2 db=$3 cache_mb=${4:-64} port
    port=$(free_port)
    if [[ $schema == anvil ]]; then
        # One log line per request would cost Anvil console writes that ARA's gunicorn does not make.
        Logging__LogLevel__Default=Warning Records__ResponseCacheMegabytes=$cache_mb "$ANVIL" server --urls "http://127.0.0.1:$port" --database "sqlite:$db" \
            >"$work/$name-server.log" 2>&1 &
    elif [[ $ara_server == gunicorn ]]; then
        ARA_BASE_DIR=$(dirname "$db") /usr/bin/gunicorn --workers $((2 * $(nproc) + 1)) --bind "127.0.0.1:$port" \
            ara.server.wsgi:application >"$work/$name-server.log" 2>&1 &
    else
        ARA_BASE_DIR=$(dirname "$db") "${ara_manage[@]}" runserver --noreload "127.0.0.1:$port" >"$work/$name-server.log" 2>&1 &
    fi
    pids+=($!)
    wait_http "http://127.0.0.1:$port/api/" "$work/$name-server.log"
    url=http://127.0.0.1:$port
}

table=$work/latency.tsv # label path requests errors p50 p90 p99 max rps bytes
: >"$table"
failed=0
measure() {
    local label=$1 url=$2 playbooks=$3 p=$(($3 / 2 + 1))
    echo "api-latency: measuring $label ($url)" >&2
    dotnet "$load_out/Anvil.Bench.Load.dll" --server "$url" --label "$label" --concurrency "$concurrency" \
        --requests "$requests" --warmup 100 --max-seconds "$max_seconds" \
        --path "/api/v1/results?playbook=$p&status=failed" \
        --path "/api/v1/playbooks?order=-started" \
        --path "/api/v1/playbooks/$p" >>"$table" || failed=1
}

declare -A db count
for s in anvil ara big; do
    has "$s" || continue
    case $s in
        anvil) out=$(prepare anvil anvil "$n") ;;
        ara) out=$(prepare ara ara "$n") ;;
        big) out=$(prepare big anvil "$big") ;;
    esac
    db[$s]=${out% *}
    count[$s]=${out##* }
done

# One server at a time, so that they do not compete for the two cores.
for s in anvil ara big; do
    has "$s" || continue
    schema=anvil
    [[ $s == ara ]] && schema=ara
    case $s in
        anvil) label="anvil@$n" ;;
        ara) label="ara-$ara_server@$n" ;;
        big) label="anvil@$big" ;;
    esac
    serve "$s" "$schema" "${db[$s]}"
    measure "$label" "$url" "${count[$s]}"
    stop_servers
    if [[ $schema == anvil ]]; then
        # Again without the response cache: what a read costs when it has to go to the database.
        serve "$s" "$schema" "${db[$s]}" 0
        measure "$label-nocache" "$url" "${count[$s]}"
        stop_servers
    fi
done

echo
echo "concurrency=$concurrency requests/kind=$requests (or ${max_seconds}s) cores=$(nproc)"
printf '%-24s %-10s %8s %8s %8s %8s %8s %7s %8s %6s\n' server request p50_ms p90_ms p99_ms max_ms req/s errors requests bytes
awk -F'\t' '{
    kind = ($2 ~ /^\/api\/v1\/results/) ? "results" : ($2 ~ /order=/) ? "playbooks" : "detail"
    printf "%-24s %-10s %8.2f %8.2f %8.2f %8.2f %8d %7d %8d %6d\n", $1, kind, $5, $6, $7, $8, $9, $4, $3, $10
}' "$table"

if ((failed)); then
    echo "api-latency: some requests failed (see above; --keep keeps the server logs)" >&2
    exit 1
fi
