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
        (cd "$repo_root" && "$ANVIL" --help >/dev/null) || die "warm-up '$ANVIL --help' failed (build error?)"
        if [[ $ANVIL == "$repo_root/anvil" && -x $repo_root/.build/cli/anvil ]]; then
            ANVIL=$repo_root/.build/cli/anvil
            export ANVIL_ROOT=$repo_root
        fi
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
