#!/usr/bin/env bash
# What recording a run costs: plain ansible-playbook vs anvil's recorder (local SQLite, or an anvil server) vs ARA's
# callback (to ara-manage runserver, to gunicorn, or to an anvil server). Workload: ARA's benchmark (ara.md section 9),
# N local hosts x M debug tasks. Everything runs on 127.0.0.1; servers are started by this script and stopped at exit.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: bench/record-overhead.sh [options]

Times the same playbook, interleaved for R rounds, recorded in different ways:
  plain          ansible-playbook, no recording
  anvil-bare     anvil run --no-record                   (the runner alone)
  anvil-sqlite   anvil run                               (records into $ANVIL_HOME/anvil.db, the default)
  anvil-server   anvil run --record-to http://127.0.0.1:P   against `anvil server` on a SQLite file
  ara-runserver  ARA's callback (http client) -> ara-manage runserver (Django development server)
  ara-gunicorn   ARA's callback (http client) -> gunicorn --workers 2 serving ara.server.wsgi
  ara-anvil      ARA's callback (http client) -> anvil server
and prints per variant the median/min/max wall seconds, the ratio of the median to plain's, how many results each
variant recorded (checked after the runs, through the API or the database) and failed runs.

Options:
  -n N            hosts (default 1: localhost, the shape of ARA's bench200.yml); more hosts are host-1..host-N
  -m M            debug tasks (default 200)
  -r R            rounds (default 3)
  --only LIST     comma-separated variants (default: all; ara-* need Debian's ara-server, ara-gunicorn also gunicorn)
  --threads T     ARA_CALLBACK_THREADS for the ara-* variants (default 0, ARA's default)
  --keep          keep the temp dir (playbook, databases, server logs, stderr of every run) and print its path
  -h, --help      show this help

Environment:
  ANVIL           anvil command (default: the repo's ./anvil, built by its wrapper on first use, then the built
                  program is timed)
  TMPDIR          where the temp dir is created (default /tmp)

Missing Debian packages (time, sqlite3, ara-server, gunicorn) are installed with apt-get when running as root.
ARA's client and server come from Debian (python3-ara 1.5.8, ara-server) and run on /usr/bin/python3.
EOF
}

die() { echo "record-overhead: $*" >&2; exit 1; }
is_posint() { [[ $1 =~ ^[1-9][0-9]*$ ]]; }

all_variants=(plain anvil-bare anvil-sqlite anvil-server ara-runserver ara-gunicorn ara-anvil)
hosts=1
tasks=200
rounds=3
only=""
threads=0
keep=0

while (($#)); do
    case $1 in
        -n) (($# >= 2)) || die "-n needs a value"; hosts=$2; shift 2 ;;
        -m) (($# >= 2)) || die "-m needs a value"; tasks=$2; shift 2 ;;
        -r) (($# >= 2)) || die "-r needs a value"; rounds=$2; shift 2 ;;
        --only) (($# >= 2)) || die "--only needs a value"; only=$2; shift 2 ;;
        --only=*) only=${1#--only=}; shift ;;
        --threads) (($# >= 2)) || die "--threads needs a value"; threads=$2; shift 2 ;;
        --keep) keep=1; shift ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
done

is_posint "$hosts" || die "-n must be a positive integer: $hosts"
is_posint "$tasks" || die "-m must be a positive integer: $tasks"
is_posint "$rounds" || die "-r must be a positive integer: $rounds"
((rounds <= 50)) || die "-r: at most 50 rounds"
((hosts * tasks <= 100000)) || die "-n x -m: at most 100,000 results per run"
[[ $threads =~ ^[0-4]$ ]] || die "--threads must be 0..4 (ARA clamps to 4): $threads"

variants=()
if [[ -z $only ]]; then
    variants=("${all_variants[@]}")
else
    IFS=',' read -r -a requested <<<"$only"
    for v in "${all_variants[@]}"; do
        for r in "${requested[@]}"; do
            [[ $r == "$v" ]] && variants+=("$v") && break
        done
    done
    for r in "${requested[@]}"; do
        [[ " ${all_variants[*]} " == *" $r "* ]] || die "--only: unknown variant '$r' (expected: ${all_variants[*]})"
    done
fi
((${#variants[@]})) || die "--only: no variant given"
has() { [[ " ${variants[*]} " == *" $1 "* ]]; }
has_prefix() { [[ " ${variants[*]} " == *" $1"* ]]; }

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$repo_root/bench/lib.sh"
ANVIL=${ANVIL:-$repo_root/anvil}
PLAYBOOK=/usr/bin/ansible-playbook
PY=/usr/bin/python3
TIME=/usr/bin/time

# --- prerequisites -------------------------------------------------------------------------------------------------

bench_name=record-overhead

[[ -x $TIME ]] || apt_install time || die "GNU time ($TIME) is missing: install the 'time' package"
[[ -x $PLAYBOOK ]] || die "$PLAYBOOK is missing (Debian's ansible-core)"
command -v curl >/dev/null || die "curl is missing"
command -v sqlite3 >/dev/null || apt_install sqlite3 || true
if has_prefix ara; then
    $PY -c 'import ara.server, django, rest_framework' >/dev/null 2>&1 || apt_install ara-server ||
        die "ARA's server is missing: apt-get install -y ara-server (or leave the ara-* variants out with --only)"
fi
if has ara-gunicorn; then
    [[ -x /usr/bin/gunicorn ]] || apt_install gunicorn ||
        die "gunicorn is missing: apt-get install -y gunicorn (or leave ara-gunicorn out with --only)"
fi
if has_prefix anvil || has ara-anvil; then
    command -v "$ANVIL" >/dev/null || die "not found: $ANVIL"
    use_built_anvil
fi

# --- workload ------------------------------------------------------------------------------------------------------

work=$(mktemp -d "${TMPDIR:-/tmp}/anvil-record-bench.XXXXXX")
pids=()
cleanup() {
    stop_pids
    if ((keep)); then
        echo "record-overhead: kept $work" >&2
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT

pdd=$work/pdd
mkdir -p "$pdd/inventory" "$pdd/project"
{
    echo "[bench]"
    if ((hosts == 1)); then
        echo "localhost ansible_connection=local ansible_python_interpreter=$PY"
    else
        for ((h = 1; h <= hosts; h++)); do
            echo "host-$h ansible_connection=local ansible_python_interpreter=$PY"
        done
    fi
} >"$pdd/inventory/hosts"
{
    echo "---"
    echo "# Generated by bench/record-overhead.sh: $hosts host(s) x $tasks debug tasks (ARA's bench200.yml shape)."
    echo "- name: bench"
    echo "  hosts: bench"
    echo "  gather_facts: false"
    echo "  tasks:"
    for ((t = 0; t < tasks; t++)); do
        echo "    - name: debug $t"
        echo "      debug:"
        echo "        msg: \"task $t\""
    done
} >"$pdd/project/bench.yml"

export ANSIBLE_LOCALHOST_WARNING=False ANSIBLE_INVENTORY_UNPARSED_WARNING=False ANSIBLE_RETRY_FILES_ENABLED=False
unset ANSIBLE_CALLBACK_PLUGINS ANSIBLE_ACTION_PLUGINS ARA_API_CLIENT ARA_API_SERVER ANVIL_DATABASE ANVIL_RECORD_TO || true
export ANVIL_HOME=$work/anvil-home
mkdir -p "$ANVIL_HOME"

# What ara-manage does, minus its stale psycopg2 check (harmless here on SQLite, kept for symmetry with the tests).
# A plain command (not a function), so that a server started with `&` is the process whose id $! gives.
ara_manage=($PY -c "import os, sys; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'ara.server.settings'); from django.core.management import execute_from_command_line; execute_from_command_line(['ara-manage'] + sys.argv[1:])")

declare -A url
if has anvil-server || has ara-anvil; then
    port=$(free_port)
    url[anvil]=http://127.0.0.1:$port
    ANVIL_HOME=$work/anvil-server-home "$ANVIL" server --urls "${url[anvil]}" --database "sqlite:$work/anvil-server.db" \
        >"$work/anvil-server.log" 2>&1 &
    pids+=($!)
    wait_http "${url[anvil]}/api/" "$work/anvil-server.log"
fi
if has ara-runserver; then
    port=$(free_port)
    url[runserver]=http://127.0.0.1:$port
    mkdir -p "$work/ara-runserver"
    ARA_BASE_DIR=$work/ara-runserver "${ara_manage[@]}" migrate >"$work/ara-runserver.log" 2>&1 || die "ara migrate failed: $work/ara-runserver.log"
    ARA_BASE_DIR=$work/ara-runserver "${ara_manage[@]}" runserver --noreload "127.0.0.1:$port" >>"$work/ara-runserver.log" 2>&1 &
    pids+=($!)
    wait_http "${url[runserver]}/api/" "$work/ara-runserver.log"
fi
if has ara-gunicorn; then
    port=$(free_port)
    url[gunicorn]=http://127.0.0.1:$port
    mkdir -p "$work/ara-gunicorn"
    ARA_BASE_DIR=$work/ara-gunicorn "${ara_manage[@]}" migrate >"$work/ara-gunicorn.log" 2>&1 || die "ara migrate failed: $work/ara-gunicorn.log"
    ARA_BASE_DIR=$work/ara-gunicorn /usr/bin/gunicorn --workers 2 --bind "127.0.0.1:$port" ara.server.wsgi:application \
        >>"$work/ara-gunicorn.log" 2>&1 &
    pids+=($!)
    wait_http "${url[gunicorn]}/api/" "$work/ara-gunicorn.log"
fi
ara_callbacks=""
if has_prefix ara; then
    ara_callbacks=$($PY -m ara.setup.callback_plugins)
fi

results=$work/results.tsv # round variant wall_s exit
: >"$results"
log=$work/stderr.log
: >"$log"

# time_one VARIANT ROUND CMD...: runs CMD under GNU time, stdout discarded, stderr appended to $log.
time_one() {
    local variant=$1 round=$2
    shift 2
    local tf=$work/time.out rc=0
    echo "== round $round $variant: $*" >>"$log"
    "$TIME" -o "$tf" -f '%e' "$@" >/dev/null 2>>"$log" || rc=$?
    local wall
    wall=$(tail -n 1 "$tf")
    printf '%s\t%s\t%s\t%s\n' "$round" "$variant" "$wall" "$rc" >>"$results"
    printf 'round %d  %-13s  wall %7.2f s  exit %d\n' "$round" "$variant" "$wall" "$rc" >&2
}

plain_cmd() { (cd "$pdd/project" && time_one "$1" "$2" "$PLAYBOOK" -i "$pdd/inventory/hosts" bench.yml); }
ara_cmd() {
    (cd "$pdd/project" && ANSIBLE_CALLBACK_PLUGINS=$ara_callbacks ARA_API_CLIENT=http ARA_API_SERVER=$3 ARA_API_TIMEOUT=30 \
        ARA_CALLBACK_THREADS=$threads time_one "$1" "$2" "$PLAYBOOK" -i "$pdd/inventory/hosts" bench.yml)
}
anvil_cmd() {
    local variant=$1 round=$2
    shift 2
    (cd "$repo_root" && time_one "$variant" "$round" "$ANVIL" run "$pdd" -p bench.yml -q --ident "$variant-$round" "$@")
}

run_plain() { plain_cmd plain "$1"; }
run_anvil-bare() { anvil_cmd anvil-bare "$1" --no-record; }
run_anvil-sqlite() { anvil_cmd anvil-sqlite "$1"; }
run_anvil-server() { anvil_cmd anvil-server "$1" --record-to "${url[anvil]}"; }
run_ara-runserver() { ara_cmd ara-runserver "$1" "${url[runserver]}"; }
run_ara-gunicorn() { ara_cmd ara-gunicorn "$1" "${url[gunicorn]}"; }
run_ara-anvil() { ara_cmd ara-anvil "$1" "${url[anvil]}"; }

echo "record-overhead: $hosts host(s) x $tasks tasks, $rounds rounds, variants: ${variants[*]}" >&2
for ((r = 1; r <= rounds; r++)); do
    for v in "${variants[@]}"; do
        "run_$v" "$r"
        # Artifacts of anvil runs are not part of what is measured; keep the disk use bounded.
        rm -rf "$pdd/artifacts"
    done
done

# --- recorded results ----------------------------------------------------------------------------------------------

api_count() { curl -s --max-time 30 "$1/api/v1/results?limit=1" | $PY -c 'import json, sys; print(json.load(sys.stdin)["count"])' 2>/dev/null || echo "?"; }
db_count() { if command -v sqlite3 >/dev/null && [[ -f $1 ]]; then sqlite3 "$1" 'select count(*) from results' 2>/dev/null || echo "?"; else echo "?"; fi; }

# The anvil server and ara-anvil share one server: its count is the sum of both, split by the expected numbers.
declare -A recorded
has anvil-sqlite && recorded[anvil-sqlite]=$(db_count "$ANVIL_HOME/anvil.db")
has ara-runserver && recorded[ara-runserver]=$(api_count "${url[runserver]}")
has ara-gunicorn && recorded[ara-gunicorn]=$(api_count "${url[gunicorn]}")
if has anvil-server || has ara-anvil; then
    shared=$(api_count "${url[anvil]}")
    if has anvil-server && has ara-anvil; then
        recorded[anvil-server+ara-anvil]=$shared
    elif has anvil-server; then
        recorded[anvil-server]=$shared
    else
        recorded[ara-anvil]=$shared
    fi
fi
expected=$((hosts * tasks * rounds))

# --- report --------------------------------------------------------------------------------------------------------


plain_median=""
has plain && plain_median=$(col plain 3 | median)

echo
echo "hosts=$hosts tasks=$tasks results/run=$((hosts * tasks)) rounds=$rounds ara_threads=$threads"
printf '%-14s %12s %8s %8s %9s %16s %6s\n' variant "median wall" min max "vs plain" "recorded" fails
failed_runs=0
for v in "${variants[@]}"; do
    med=$(col "$v" 3 | median)
    min=$(col "$v" 3 | sort -g | head -n 1)
    max=$(col "$v" 3 | sort -g | tail -n 1)
    fails=$(col "$v" 4 | awk '$1 != 0' | wc -l)
    failed_runs=$((failed_runs + fails))
    if [[ -n $plain_median ]] && awk -v p="$plain_median" 'BEGIN {exit !(p > 0)}'; then
        ratio=$(awk -v m="$med" -v p="$plain_median" 'BEGIN {printf "%.2fx", m / p}')
    else
        ratio="-"
    fi
    case $v in
        plain | anvil-bare) rec="-" ;;
        anvil-server | ara-anvil)
            if [[ -n ${recorded[anvil-server+ara-anvil]:-} ]]; then
                rec="${recorded[anvil-server+ara-anvil]}/$((2 * expected))*"
            else
                rec="${recorded[$v]}/$expected"
            fi
            ;;
        *) rec="${recorded[$v]}/$expected" ;;
    esac
    printf '%-14s %12.2f %8.2f %8.2f %9s %16s %6d\n' "$v" "$med" "$min" "$max" "$ratio" "$rec" "$fails"
done
if has anvil-server && has ara-anvil; then
    echo "* anvil-server and ara-anvil record into the same anvil server: the count is their sum."
fi

# ARA's client reports recording failures only as log lines; count them so a "fast" broken run cannot pass unnoticed.
ara_errors=$(grep -cE 'Failure using method|Failed to (get|post|put|patch|delete) on ' "$log" || true)
anvil_warnings=$(grep -c 'anvil: warning: recording' "$log" || true)
if ((ara_errors || anvil_warnings)); then
    echo "record-overhead: recording errors in the runs' output: ARA $ara_errors, anvil $anvil_warnings (see --keep)" >&2
    failed_runs=$((failed_runs + 1))
fi
if ((failed_runs)); then
    if ((keep)); then
        echo "record-overhead: some runs failed; stderr of all runs: $log" >&2
    else
        echo "record-overhead: some runs failed (--keep keeps the full stderr log)" >&2
        echo "---- last 40 lines of stderr ----" >&2
        tail -n 40 "$log" >&2
    fi
    exit 1
fi
