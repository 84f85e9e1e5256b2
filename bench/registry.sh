#!/usr/bin/env bash
# The collection registry of `anvil server`, side by side: ansible-galaxy (Debian's ansible-core 2.14) and
# `anvil collection` as clients of the same Anvil server, on
#   install   twenty real collections with dependencies between them, by name from the server: cold (no cache of
#             any kind) and warm (the client's caches from the cold run kept, a new target directory)
#   publish   publish-to-installable latency: from the start of an upload until the new version's detail answers
#             (what an install needs), for each client's own publish command (both wait for the import), and
#             for the server alone (an upload with --no-wait, then polling every 10 ms)
#   load      twenty installs of the twenty collections at once (anvil clients, cold), the server's memory
# and the server's memory (VmRSS) at rest, and its peak (VmHWM) after the load.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: bench/registry.sh [options]

Options:
  -r R            rounds (default 5); the two clients alternate which goes first
  --only LIST     scenarios, comma-separated: install,publish,load (default: all)
  --keep          keep the temp dir (server home, sources, tarballs, results) and print its path
  -h, --help      show this help

Environment:
  ANVIL           anvil command (default: the binary the repo's ./anvil wrapper builds, built once before timing)
  ANSIBLE_GALAXY  ansible-galaxy command (default: ansible-galaxy)
  TMPDIR          where the temp dir goes (default /tmp)

The server is `anvil server` on 127.0.0.1 with a fresh SQLite database and artifact folder in the temp dir. The
twenty collections come from Debian's ansible package (/usr/lib/python3/dist-packages/ansible_collections), each
depending on the next one or two, built by anvil and published by `anvil collection publish` before the install
rounds. A cold run has a fresh HOME for ansible-galaxy (no response cache in ~/.ansible/galaxy_cache) and a fresh
ANVIL_HOME for anvil (no artifact cache); a warm run reuses the home of the cold run just before it. After the
runs the script checks that both clients installed the same versions.
EOF
}

die() { echo "registry: $*" >&2; exit 1; }

rounds=5
only="install,publish,load"
keep=0
while (($#)); do
    case $1 in
        -r) (($# >= 2)) || die "-r needs a value"; rounds=$2; shift 2 ;;
        --only) (($# >= 2)) || die "--only needs a value"; only=$2; shift 2 ;;
        --only=*) only=${1#--only=}; shift ;;
        --keep) keep=1; shift ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
done
[[ $rounds =~ ^[1-9][0-9]*$ ]] || die "-r must be a positive integer: $rounds"
for s in ${only//,/ }; do
    [[ $s == install || $s == publish || $s == load ]] || die "--only: unknown scenario '$s'"
done
has() { [[ ,$only, == *,$1,* ]]; }

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bench_name=registry
PY=/usr/bin/python3
# shellcheck source=bench/lib.sh
source "$repo_root/bench/lib.sh"
ANVIL=${ANVIL:-$repo_root/anvil}
ANSIBLE_GALAXY=${ANSIBLE_GALAXY:-ansible-galaxy}
command -v "$ANSIBLE_GALAXY" >/dev/null || die "ansible-galaxy not found (apt-get install ansible-core)"
[[ -x /usr/bin/time ]] || apt_install time || die "GNU time is needed (apt-get install time)"
command -v curl >/dev/null || die "curl is missing"

work="$(mktemp -d "${TMPDIR:-/tmp}/anvil-bench-registry-XXXXXX")"
pids=()
cleanup() {
    stop_pids
    if ((keep)); then echo "kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
results="$work/results.tsv"
: >"$results"
: >"$work/ansible.cfg"

use_built_anvil

# --- the server, a user with a token, the namespaces --------------------------------------------------------------
export ANVIL_HOME="$work/server-home"
mkdir -p "$ANVIL_HOME"
port=$(free_port)
base="http://127.0.0.1:$port"
server="$base/api/galaxy/"
"$ANVIL" user add bench --password "bench-$RANDOM$RANDOM" >/dev/null
token=$("$ANVIL" token create --user bench --name bench | tail -1)
for ns in ansible community kubernetes containers amazon; do
    "$ANVIL" galaxy namespace create "$ns" --owner bench >/dev/null
done
"$ANVIL" server --urls "$base" >"$work/server.log" 2>&1 &
server_pid=$!
pids+=("$server_pid")
wait_http "$base/api/galaxy/" "$work/server.log"
unset ANVIL_HOME

# rss KEY: the server's VmRSS or VmHWM in KB
rss() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$server_pid/status"; }
# server_cpu: the server's user + system CPU seconds so far
server_cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$server_pid/stat"; }
rest_empty=$(rss VmRSS)

echo "registry: building and publishing the 20 collections" >&2
chain_sources "$work/src"
"$ANVIL" collection build "${chain_dirs[@]}" --output-path "$work/tarballs" >/dev/null
for f in "$work"/tarballs/*.tar.gz; do
    ANVIL_HOME="$work/publisher" "$ANVIL" collection publish "$f" -s "$server" --token "$token" >"$work/publish.log" 2>&1 ||
        { cat "$work/publish.log" >&2; die "publishing $(basename "$f") failed"; }
done
rest_published=$(rss VmRSS)

agalaxy() { echo env HOME="$work/home-$1" ANSIBLE_CONFIG="$work/ansible.cfg" ANSIBLE_GALAXY_DISPLAY_PROGRESS=false "$ANSIBLE_GALAXY"; }
anvil_home() { echo env ANVIL_HOME="$work/anvil-home-$1" "$ANVIL"; }

# --- install: cold, then warm -------------------------------------------------------------------------------------
if has install; then
    run_ansible() {
        timed "$1" install-cold ansible-galaxy $(agalaxy "$1") collection install "${chain_names[@]}" -p "$work/i/ansible-cold-$1" -s "$server"
        timed "$1" install-warm ansible-galaxy $(agalaxy "$1") collection install "${chain_names[@]}" -p "$work/i/ansible-warm-$1" -s "$server"
    }
    run_anvil() {
        timed "$1" install-cold anvil $(anvil_home "$1") collection install "${chain_names[@]}" -p "$work/i/anvil-cold-$1" -s "$server"
        timed "$1" install-warm anvil $(anvil_home "$1") collection install "${chain_names[@]}" -p "$work/i/anvil-warm-$1" -s "$server"
    }
    for ((r = 1; r <= rounds; r++)); do
        if ((r % 2)); then run_ansible "$r"; run_anvil "$r"; else run_anvil "$r"; run_ansible "$r"; fi
    done
    same_installed "$work/i/ansible-cold-1" "$work/i/anvil-cold-1" 20 >&2
    same_installed "$work/i/ansible-warm-1" "$work/i/anvil-warm-1" 20 >&2
fi

# --- publish-to-installable ---------------------------------------------------------------------------------------
if has publish; then
    # A new version of ansible.posix each time (100.0.N: above what is there, so each becomes the latest).
    posix=$work/src/ansible.posix
    seq_no=0
    new_version() {
        seq_no=$((seq_no + 1))
        version="100.0.$seq_no"
        galaxy_yml "$posix" '{}' "$version"
        rm -rf "$work/pub"
        "$ANVIL" collection build "$posix" --output-path "$work/pub" >/dev/null
        tarball="$work/pub/ansible-posix-$version.tar.gz"
        detail="$base/api/galaxy/v3/collections/ansible/posix/versions/$version/"
    }
    # latency ROUND TOOL COMMAND...: time from the start of COMMAND until the new version's detail answers 200.
    latency() {
        local round=$1 tool=$2 rc=0
        shift 2
        local t0 t1
        t0=$(date +%s.%N)
        "$@" >"$work/last.out" 2>&1 || rc=$?
        until curl -fso /dev/null "$detail"; do sleep 0.01; done
        t1=$(date +%s.%N)
        [[ $rc -eq 0 ]] || { tail -n 20 "$work/last.out" >&2; echo "publish/$tool round $round failed (rc $rc)" >&2; }
        record_run "$round" publish "$tool" "$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')" "$rc"
    }
    cfg="$work/publish.cfg"
    printf '[galaxy]\nserver_list = anvil\n\n[galaxy_server.anvil]\nurl = %s\ntoken = %s\n' "$server" "$token" >"$cfg"
    for ((r = 1; r <= rounds; r++)); do
        new_version
        latency "$r" ansible-galaxy env HOME="$work/home-pub" ANSIBLE_CONFIG="$cfg" "$ANSIBLE_GALAXY" collection publish "$tarball"
        new_version
        latency "$r" anvil env ANVIL_HOME="$work/publisher" "$ANVIL" collection publish "$tarball" -s "$server" --token "$token"
        new_version
        latency "$r" server env ANVIL_HOME="$work/publisher" "$ANVIL" collection publish "$tarball" -s "$server" --token "$token" --no-wait
    done
fi

# --- load: twenty installs at once --------------------------------------------------------------------------------
if has load; then
    echo "registry: twenty concurrent installs" >&2
    cpu0=$(server_cpu)
    for ((r = 1; r <= rounds; r++)); do
        t0=$(date +%s.%N)
        lpids=()
        for c in $(seq 20); do
            env ANVIL_HOME="$work/load-home-$r-$c" "$ANVIL" collection install "${chain_names[@]}" -p "$work/load/$r-$c" \
                -s "$server" >"$work/load-$r-$c.log" 2>&1 &
            lpids+=($!)
        done
        failed=0
        for p in "${lpids[@]}"; do wait "$p" || failed=$((failed + 1)); done
        t1=$(date +%s.%N)
        record_run "$r" load anvil-x20 "$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')" "$failed"
        ((failed == 0)) || { tail -n 5 "$work"/load-"$r"-*.log >&2; }
        # Kept until the end: on ext4 without a journal, creating files right after deleting 50,000 is far slower.
    done
fi
[[ -z ${cpu0:-} ]] || load_cpu=$(awk -v a="$cpu0" -v b="$(server_cpu)" -v n="$rounds" 'BEGIN {printf "%.2f", (b - a) / n}')
peak=$(rss VmHWM)
rest_after=$(rss VmRSS)

# --- report -------------------------------------------------------------------------------------------------------
failed=$(awk -F'\t' '$5 != 0' "$results" | wc -l)
printf '%-13s %-15s %10s %10s %10s %8s\n' scenario client median min max ratio
for s in install-cold install-warm publish load; do
    grep -q -P "\t$s\t" "$results" || continue
    ma=$(awk -F'\t' -v s="$s" '$2 == s && $3 == "ansible-galaxy" {print $4}' "$results" | median)
    for tool in ansible-galaxy anvil server anvil-x20; do
        vals=$(awk -F'\t' -v s="$s" -v t="$tool" '$2 == s && $3 == t {print $4}' "$results")
        [[ -n $vals ]] || continue
        m=$(median <<<"$vals")
        lo=$(sort -g <<<"$vals" | head -1)
        hi=$(sort -g <<<"$vals" | tail -1)
        ratio=$(awk -v a="$ma" -v m="$m" 'BEGIN {if (a == "" || m == "") print "-"; else printf "%.1fx", a / m}')
        printf '%-13s %-15s %9ss %9ss %9ss %8s\n' "$s" "$tool" "$m" "$lo" "$hi" "$ratio"
    done
done
awk -v a="$rest_empty" -v b="$rest_published" -v c="$rest_after" -v d="$peak" 'BEGIN {
    printf "\nserver memory (VmRSS): %.1f MB at rest empty, %.1f MB at rest with the 20 collections, %.1f MB at rest after the runs; peak (VmHWM) %.1f MB\n", a / 1024, b / 1024, c / 1024, d / 1024 }'
[[ -z ${load_cpu:-} ]] || echo "server CPU during one load round (20 installs of 20 collections): ${load_cpu} s"
((failed == 0)) || die "$failed run(s) failed"
