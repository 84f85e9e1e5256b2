# Shared helpers of the benchmark scripts (sourced, not run).

# median of the numbers on stdin (mean of the two middle values for an even count)
median() { sort -g | awk '{a[NR] = $1} END {if (NR == 0) exit; if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

# col VARIANT COLUMN: that column of every row of $results (tab-separated: round, variant, ...) for the variant
col() { awk -F'\t' -v v="$1" -v c="$2" '$2 == v {print $c}' "$results"; }

# stop_pids: ends the background servers whose pids are in the array "pids", and waits for them
stop_pids() {
    local p
    for p in "${pids[@]}"; do
        kill "$p" 2>/dev/null || true
    done
    for p in "${pids[@]}"; do
        wait "$p" 2>/dev/null || true
    done
    pids=()
}

# apt_install PKG...: installs Debian packages quietly when running as root; fails otherwise ($bench_name says who asks)
apt_install() {
    [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1 || return 1
    echo "$bench_name: installing $*" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1 ||
        { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1; }
}

# prepare_servers: what the server benchmarks need (sqlite3, curl, dotnet; ARA's server and gunicorn when "ara" is
# measured), then Anvil built once and called directly. Uses the caller's has(), $ara_server, $PY, $repo_root, $ANVIL.
prepare_servers() {
    command -v sqlite3 >/dev/null || apt_install sqlite3 || die "sqlite3 is missing: apt-get install -y sqlite3"
    command -v curl >/dev/null || die "curl is missing"
    command -v dotnet >/dev/null || die "the .NET SDK (dotnet) is required for the load generator"
    if has ara; then
        $PY -c 'import ara.server, django, rest_framework' >/dev/null 2>&1 || apt_install ara-server ||
            die "ARA's server is missing: apt-get install -y ara-server (or --only anvil,big)"
        if [[ $ara_server == gunicorn ]]; then
            [[ -x /usr/bin/gunicorn ]] || apt_install gunicorn || die "gunicorn is missing: apt-get install -y gunicorn (or --ara-server runserver)"
        fi
    fi
    if has anvil || has big; then
        use_built_anvil
    fi
}

# use_built_anvil: runs $ANVIL once untimed (the repo's wrapper builds the CLI then), and when $ANVIL is that
# wrapper, points it at the built program with the settings the wrapper exports, so that a source edit during a
# benchmark cannot trigger a rebuild inside a timed run and no run pays for the wrapper's check of the sources.
use_built_anvil() {
    (cd "$repo_root" && "$ANVIL" --help >/dev/null) || die "warm-up '$ANVIL --help' failed (build error?)"
    if [[ $ANVIL == "$repo_root/anvil" && -x $repo_root/.build/cli/anvil ]]; then
        ANVIL=$repo_root/.build/cli/anvil
        export ANVIL_ROOT=$repo_root DOTNET_GCgen0size=${DOTNET_GCgen0size:-0x400000}
    fi
}

# build_load_generator: builds bench/Anvil.Bench.Load into .build/bench-load and sets $load_out
build_load_generator() {
    echo "$bench_name: building the load generator" >&2
    load_out=$repo_root/.build/bench-load
    dotnet build "$repo_root/bench/Anvil.Bench.Load/Anvil.Bench.Load.csproj" -c Release -o "$load_out" -nologo -v quiet \
        >"$work/load-build.log" 2>&1 || { cat "$work/load-build.log" >&2; die "building bench/Anvil.Bench.Load failed"; }
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on now
free_port() { $PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# wait_http URL LOG: waits up to 120 s for URL to answer; on failure prints the end of LOG and stops the script
wait_http() {
    local i
    for ((i = 0; i < 1200; i++)); do
        curl -s -o /dev/null --max-time 2 "$1" && return 0
        sleep 0.1
    done
    tail -n 30 "$2" >&2 || true
    die "no server answered at $1 within 120 s"
}

# --- collections (bench/collections.sh, bench/registry.sh) -------------------------------------------------------

# Debian's ansible package: the real collections the collection benchmarks build and install.
debian_collections=/usr/lib/python3/dist-packages/ansible_collections

# Twenty of them, in an order where each depends on the next one or two (as some really do: community.windows on
# ansible.windows), so that installing the first pulls in all twenty.
chain_names=(ansible.posix ansible.utils ansible.netcommon ansible.windows community.general community.crypto
    community.docker community.mysql community.postgresql kubernetes.core containers.podman community.rabbitmq
    community.libvirt community.hashi_vault community.grafana community.sops community.dns community.zabbix
    community.windows amazon.aws)

# galaxy_yml DIR [DEPS_JSON]: writes DIR/galaxy.yml from DIR/MANIFEST.json (JSON is YAML), optionally replacing
# the dependencies (and the version, with a third argument).
galaxy_yml() {
    $PY - "$1" "${2:-}" "${3:-}" <<'PYEOF'
import json, sys, os
d, deps, version = sys.argv[1], sys.argv[2], sys.argv[3]
ci = json.load(open(os.path.join(d, 'MANIFEST.json')))['collection_info']
if deps:
    ci['dependencies'] = json.loads(deps)
if version:
    ci['version'] = version
open(os.path.join(d, 'galaxy.yml'), 'w').write(json.dumps(ci))
PYEOF
}

# chain_sources DIR: hard-links the twenty collections of chain_names into DIR/NS.NAME with galaxy.yml files that
# make the dependency chain; sets the array chain_dirs.
chain_sources() {
    local i n d deps
    [[ -d $debian_collections ]] || die "$debian_collections is missing: install Debian's ansible package (apt-get install ansible)"
    mkdir -p "$1"
    chain_dirs=()
    for i in "${!chain_names[@]}"; do
        n=${chain_names[$i]}
        d="$1/$n"
        cp -al "$debian_collections/${n%%.*}/${n#*.}" "$d"
        deps="{}"
        if ((i + 1 < ${#chain_names[@]})); then deps="{\"${chain_names[$((i + 1))]}\": \">=1.0.0\""; fi
        if ((i + 2 < ${#chain_names[@]})); then deps="$deps, \"${chain_names[$((i + 2))]}\": \"*\""; fi
        [[ $deps == "{}" ]] || deps="$deps}"
        galaxy_yml "$d" "$deps"
        chain_dirs+=("$d")
    done
}

# same_installed PATH_A PATH_B [COUNT]: both collections paths hold the same NS.NAME at the same versions (from each
# MANIFEST.json), and COUNT of them when given; otherwise prints the difference and fails.
same_installed() {
    $PY - "$1" "$2" "${3:-0}" <<'PYEOF'
import json, os, sys
def listing(p):
    root = os.path.join(p, 'ansible_collections')
    out = {}
    for ns in os.listdir(root):
        for n in os.listdir(os.path.join(root, ns)):
            m = os.path.join(root, ns, n, 'MANIFEST.json')
            if os.path.isfile(m):
                out[f'{ns}.{n}'] = json.load(open(m))['collection_info']['version']
    return out
a, b, count = listing(sys.argv[1]), listing(sys.argv[2]), int(sys.argv[3])
if a != b or (count and len(a) != count):
    print('different installs:', sorted(set(a.items()) ^ set(b.items()))[:20], len(a), len(b)); sys.exit(1)
print(f'{len(a)} collections, the same versions')
PYEOF
}

# timed ROUND SCENARIO TOOL COMMAND...: runs COMMAND once under GNU time (output to $work/last.*), appends
# "round scenario tool seconds rc" to $results, and shows the end of its output when it fails.
timed() {
    local round=$1 scenario=$2 tool=$3
    shift 3
    local t rc=0
    # Each run starts on a settled machine: the previous run's dirty pages written back and its memory freed
    # (a build right after ansible-galaxy's was 60 ms slower than one after a pause).
    sync
    sleep 0.5
    /usr/bin/time -f '%e' -o "$work/last.time" "$@" >"$work/last.out" 2>"$work/last.err" || rc=$?
    t=$(tail -1 "$work/last.time")
    [[ $rc -eq 0 ]] || { tail -n 20 "$work/last.out" "$work/last.err" >&2; echo "$scenario/$tool round $round failed (rc $rc)" >&2; }
    record_run "$round" "$scenario" "$tool" "$t" "$rc"
}

# record_run ROUND SCENARIO TOOL SECONDS RC: one row of $results, and a progress line on stderr.
record_run() {
    printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$results"
    echo "  $2 $3 round $1: ${4}s" >&2
}
