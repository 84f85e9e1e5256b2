#!/usr/bin/env bash
# Render time and page weight of the web UI's two heaviest pages (issue #4): the playbook list and the page of a
# playbook with 50,000 results. Anvil on the issue's database (10,000 playbooks, 1,000,000 results, plus the big
# playbook), and Anvil side by side with ARA's UI (Debian's ara-server 1.5.8) on the same 100,000 results.
# Everything on 127.0.0.1.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: bench/ui-render.sh [options]

1. Fills SQLite databases with bench/records-datagen.sh, each just before it is served:
     anvil, ara  the side-by-side pair, the same rows in both schemas: --side-results results in all, the big
                 playbook (--big-playbook results, 50,000 by default) plus playbooks of --results/--playbooks
                 results each (100 by default, so 500 of them)
     big         Anvil only, the issue's target: --playbooks playbooks (10,000) holding --results results
                 (1,000,000), plus the big playbook (so 10,001 playbooks, 1,050,000 results)
   The big playbook is the newest (first in the list); it has --big-hosts hosts (100) x 500 tasks.
2. Serves each in turn, one server at a time: `anvil server` twice, with its response cache as configured by
   default and with Records__ResponseCacheMegabytes=0 (label "-nocache"); ARA under gunicorn (2 x cores + 1 sync
   workers; its static files collected first, so that whitenoise serves them as in production) or, with
   --ara-server runserver, Django's development server.
3. Measures two pages, as a browser asks for them (Accept: text/html, Accept-Encoding: gzip, deflate, br):
     list      Anvil GET /                      ARA GET /                  (the playbook list, default page)
     playbook  Anvil GET /playbooks/{id}        ARA GET /playbooks/{id}.html   (the big playbook, default page)
   For each page and each --concurrency: --warmup unmeasured requests, then --requests measured ones (or
   --max-seconds), with bench/Anvil.Bench.Load (closed loop). Reports the server time (Anvil: its
   `Server-Timing: app;dur=` header; ARA sends none, so its client-side latency stands in), the client-side
   latency, requests/s, and the page weight: the HTML plus every same-origin stylesheet, script and image it
   references (fetched once, as served and uncompressed; disabled stylesheets are not fetched by browsers and
   not counted).
4. Prints a table with PASS/FAIL against the issue's targets (server time p99 < 100 ms, page weight as served
   < 200 KB, 1 KB = 1,000 bytes) and the ARA/Anvil ratios of the side-by-side pair.

Options:
  --results N             results of the big database besides the big playbook (default 1000000)
  --playbooks N           playbooks holding them (default 10000; must divide --results)
  --big-playbook N        results of the big playbook (default 50000)
  --big-hosts N           hosts of the big playbook (default 100)
  --side-results N        results of each side-by-side database, the big playbook's included (default 100000)
  --concurrency LIST      comma-separated client counts, each measured in turn (default 1)
  --requests N            measured requests per page and concurrency (default 200)
  --warmup N              unmeasured requests first (default 10)
  --max-seconds S         time limit per page and concurrency (default 60)
  --only LIST             databases to serve: anvil,ara,big (default: all three)
  --ara-server KIND       gunicorn (default) or runserver
  --anvil-list-path P     Anvil's list page (default /)
  --anvil-playbook-path P Anvil's playbook page, {id} standing for the playbook id (default /playbooks/{id});
                          both options let the script's Anvil side run against other pages, such as the API's
                          /api/v1/playbooks and /api/v1/playbooks/{id}, while the UI does not exist
  --keep                  keep the temp dir (databases, server logs, raw measurements) and print its path
  -h, --help              show this help

Environment:
  ANVIL     anvil command (default: the repo's ./anvil; its built program is then used directly)
  TMPDIR    where the temp dir is created (default /tmp); the big database takes about 250 MB

Exits 1 when Anvil's UI is not there (HTTP 404 at the list or playbook page), when requests fail, or when a
measured Anvil page misses a target at concurrency 1. Missing Debian packages (sqlite3, ara-server, gunicorn) are
installed with apt-get when running as root.
EOF
}

die() { echo "ui-render: $*" >&2; exit 1; }
is_posint() { [[ $1 =~ ^[1-9][0-9]*$ ]]; }

results=1000000
playbooks=10000
big_playbook=50000
big_hosts=100
side_results=100000
concurrency_list=1
requests=200
warmup=10
max_seconds=60
only="anvil,ara,big"
ara_server=gunicorn
list_path=/
playbook_path='/playbooks/{id}'
keep=0

while (($#)); do
    case $1 in
        --results) (($# >= 2)) || die "--results needs a value"; results=$2; shift 2 ;;
        --playbooks) (($# >= 2)) || die "--playbooks needs a value"; playbooks=$2; shift 2 ;;
        --big-playbook) (($# >= 2)) || die "--big-playbook needs a value"; big_playbook=$2; shift 2 ;;
        --big-hosts) (($# >= 2)) || die "--big-hosts needs a value"; big_hosts=$2; shift 2 ;;
        --side-results) (($# >= 2)) || die "--side-results needs a value"; side_results=$2; shift 2 ;;
        --concurrency) (($# >= 2)) || die "--concurrency needs a value"; concurrency_list=$2; shift 2 ;;
        --requests) (($# >= 2)) || die "--requests needs a value"; requests=$2; shift 2 ;;
        --warmup) (($# >= 2)) || die "--warmup needs a value"; warmup=$2; shift 2 ;;
        --max-seconds) (($# >= 2)) || die "--max-seconds needs a value"; max_seconds=$2; shift 2 ;;
        --only) (($# >= 2)) || die "--only needs a value"; only=$2; shift 2 ;;
        --ara-server) (($# >= 2)) || die "--ara-server needs a value"; ara_server=$2; shift 2 ;;
        --anvil-list-path) (($# >= 2)) || die "--anvil-list-path needs a value"; list_path=$2; shift 2 ;;
        --anvil-playbook-path) (($# >= 2)) || die "--anvil-playbook-path needs a value"; playbook_path=$2; shift 2 ;;
        --keep) keep=1; shift ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
done
is_posint "$results" || die "--results must be a positive integer: $results"
is_posint "$playbooks" && ((playbooks <= results && results % playbooks == 0)) ||
    die "--playbooks must divide --results ($results) into playbooks of equal size: $playbooks"
per_playbook=$((results / playbooks))
is_posint "$big_playbook" || die "--big-playbook must be a positive integer: $big_playbook"
((results + big_playbook <= 10000000)) || die "--results + --big-playbook must be at most 10,000,000"
is_posint "$big_hosts" && ((big_hosts <= 100000)) || die "--big-hosts must be 1..100,000: $big_hosts"
is_posint "$side_results" && ((side_results > big_playbook && side_results <= 10000000)) ||
    die "--side-results must be more than --big-playbook ($big_playbook) and at most 10,000,000: $side_results"
side_rest=$((side_results - big_playbook))
((side_rest % per_playbook == 0)) ||
    die "--side-results minus --big-playbook ($side_rest) must be a multiple of --results/--playbooks ($per_playbook)"
side_playbooks=$((side_rest / per_playbook))
concurrencies=()
IFS=',' read -r -a cs <<<"$concurrency_list"
for c in "${cs[@]}"; do
    is_posint "$c" && ((c <= 200)) || die "--concurrency: each value must be 1..200: $c"
    concurrencies+=("$c")
done
((${#concurrencies[@]})) || die "--concurrency needs at least one value"
is_posint "$requests" && ((requests <= 1000000)) || die "--requests must be 1..1,000,000: $requests"
[[ $warmup =~ ^[0-9]+$ ]] && ((warmup <= 100000)) || die "--warmup must be 0..100,000: $warmup"
is_posint "$max_seconds" && ((max_seconds <= 3600)) || die "--max-seconds must be 1..3600: $max_seconds"
[[ $ara_server == gunicorn || $ara_server == runserver ]] || die "--ara-server must be gunicorn or runserver"
[[ $list_path == /* ]] || die "--anvil-list-path must start with /: $list_path"
[[ $playbook_path == /* && $playbook_path == *'{id}'* ]] || die "--anvil-playbook-path must start with / and contain {id}: $playbook_path"
servers=()
IFS=',' read -r -a requested <<<"$only"
for s in "${requested[@]}"; do
    case $s in
        anvil | ara | big) servers+=("$s") ;;
        *) die "--only: unknown database '$s' (expected anvil, ara, big)" ;;
    esac
done
((${#servers[@]})) || die "nothing to measure"
has() { [[ " ${servers[*]} " == *" $1 "* ]]; }

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$repo_root/bench/lib.sh"
ANVIL=${ANVIL:-$repo_root/anvil}
PY=/usr/bin/python3

bench_name=ui-render
prepare_servers

work=$(mktemp -d "${TMPDIR:-/tmp}/anvil-ui-bench.XXXXXX")
pids=()
cleanup() {
    stop_pids
    if ((keep)); then
        echo "ui-render: kept $work" >&2
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT
export ANVIL_HOME=$work/anvil-home
unset ANVIL_DATABASE || true

build_load_generator
# A plain command (not a function), so that a server started with `&` is the process whose id $! gives.
ara_manage=("$PY" -c "import os, sys; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'ara.server.settings'); from django.core.management import execute_from_command_line; execute_from_command_line(['ara-manage'] + sys.argv[1:])")
seconds_since() { awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN {printf "%.1f", e - s}'; }

# prepare NAME SCHEMA RESULTS PLAYBOOKS: a filled database (the big playbook added); sets $db and $big_id.
prepare() {
    local name=$1 schema=$2 count=$3 pbs=$4 start
    start=$(date +%s.%N)
    if [[ $schema == anvil ]]; then
        db=$work/$name.db
        "$ANVIL" db migrate --database "sqlite:$db" >"$work/$name-migrate.log" 2>&1 || die "anvil db migrate failed: $work/$name-migrate.log"
    else
        mkdir -p "$work/$name"
        db=$work/$name/ansible.sqlite
        ARA_BASE_DIR=$work/$name "${ara_manage[@]}" migrate >"$work/$name-migrate.log" 2>&1 || die "ara migrate failed: $work/$name-migrate.log"
        # ARA's production setup: whitenoise serves what collectstatic gathered into STATIC_ROOT (it does not look
        # in the package's own static/ folder), so the page weight includes real stylesheets and scripts.
        ARA_BASE_DIR=$work/$name "${ara_manage[@]}" collectstatic --noinput >>"$work/$name-migrate.log" 2>&1 ||
            die "ara collectstatic failed: $work/$name-migrate.log"
    fi
    big_id=$("$repo_root/bench/records-datagen.sh" --schema "$schema" --results "$count" --playbooks "$pbs" \
        --big-playbook "$big_playbook" --big-hosts "$big_hosts" --db "$db")
    echo "ui-render: $name: $big_id playbooks, $((count + big_playbook)) results (playbook $big_id has $big_playbook)," \
        "$(du -h "$db" | cut -f1), $(seconds_since "$start") s" >&2
}

# serve NAME SCHEMA DB [CACHE_MB]: starts a server, sets $url. Not run in a subshell: the server's id must reach $pids.
serve() {
    local name=$1 schema=$2 db=$3 cache_mb=${4:-} port
    port=$(free_port)
    if [[ $schema == anvil ]]; then
        # One log line per request would cost Anvil console writes that ARA's gunicorn does not make. Without
        # CACHE_MB the response cache stays as configured by default.
        env Logging__LogLevel__Default=Warning ${cache_mb:+Records__ResponseCacheMegabytes=$cache_mb} \
            "$ANVIL" server --urls "http://127.0.0.1:$port" --database "sqlite:$db" >"$work/$name-server.log" 2>&1 &
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

browser_headers=(--header "Accept: text/html,application/xhtml+xml" --header "Accept-Encoding: gzip, deflate, br")

# check_page LABEL KIND URL PATH: fails clearly when a page is missing; warns when Anvil sends no Server-Timing.
check_page() {
    local label=$1 kind=$2 base=$3 path=$4 status type timing
    status=$(curl -s -L -o "$work/probe.body" -D "$work/probe.headers" -w '%{http_code} %{content_type}' \
        -H 'Accept: text/html' "$base$path") || die "$label: no answer at $base$path"
    type=${status#* }
    status=${status%% *}
    if [[ $status != 200 ]]; then
        [[ $kind == anvil ]] &&
            die "Anvil UI not found at $path (HTTP $status from anvil server; is the web UI in this build?)." \
                "Measure ARA alone with --only ara."
        die "$label: HTTP $status at $path"
    fi
    if [[ $kind == anvil ]]; then
        if [[ $path == "$list_path" && $list_path == / && $type != text/html* ]]; then
            die "Anvil UI not found at / (it answers '$type', not an HTML page)"
        fi
        timing=$(tr -d '\r' <"$work/probe.headers" | grep -i '^server-timing:' | grep -i -E '(^|[:, ])app *;' | head -n 1 || true)
        [[ -n $timing ]] || echo "ui-render: warning: $label $path sends no 'Server-Timing: app;dur=…' header; server time not measured" >&2
    fi
}

# page_weight LABEL PAGE URL: appends "label page status html_wire html_raw encoding assets assets_wire assets_raw
# disabled external" to $weights and each fetched URL with its sizes to $work/assets.tsv.
page_weight() {
    $PY - "$1" "$2" "$3" "$weights" "$work/assets.tsv" <<'PY'
import gzip, sys, urllib.error, urllib.parse, urllib.request, zlib
from html.parser import HTMLParser

label, page, url, weights, assets_log = sys.argv[1:6]
origin = urllib.parse.urlsplit(url)[:2]


def fetch(u, encoding):
    """Body bytes as sent on the wire, the Content-Encoding, and the status."""
    req = urllib.request.Request(u, headers={"Accept": "text/html,application/xhtml+xml,*/*", "Accept-Encoding": encoding})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.read(), r.headers.get("Content-Encoding", ""), r.status
    except urllib.error.HTTPError as e:
        return e.read(), e.headers.get("Content-Encoding", ""), e.code


def decoded(body, enc):
    if enc in ("", "identity"):
        return body
    if enc == "gzip":
        return gzip.decompress(body)
    if enc == "deflate":
        return zlib.decompress(body)
    return None  # br: no decoder here; the uncompressed fetch gives the size


def sizes(u):
    wire, enc, status = fetch(u, "gzip, deflate, br")
    raw, raw_enc, _ = fetch(u, "identity")
    plain = decoded(raw, raw_enc)
    if plain is None:
        plain = decoded(wire, enc)
    return status, len(wire), (len(plain) if plain is not None else -1), enc or "-", plain


class Refs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.fetched, self.disabled, self.external = [], [], []

    def add(self, ref, disabled=False):
        if not ref or ref.startswith(("data:", "#", "javascript:")):
            return
        absolute = urllib.parse.urljoin(url, ref).split("#")[0]
        if urllib.parse.urlsplit(absolute)[:2] != origin:
            self.external.append(absolute)  # never fetched: only this machine's server is
        elif disabled:
            self.disabled.append(absolute)
        else:
            self.fetched.append(absolute)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link":
            rel = (a.get("rel") or "").lower().split()
            if "stylesheet" in rel:
                self.add(a.get("href"), "disabled" in a)
            elif {"icon", "preload", "modulepreload", "apple-touch-icon"} & set(rel):
                self.add(a.get("href"))
        elif tag == "script":
            self.add(a.get("src"))
        elif tag == "img":
            self.add(a.get("src"))


status, html_wire, html_raw, enc, html = sizes(url)
refs = Refs()
if status == 200 and html is not None:
    refs.feed(html.decode("utf-8", "replace"))
assets_wire = assets_raw = 0
unique = list(dict.fromkeys(refs.fetched))
with open(assets_log, "a") as log:
    log.write(f"{label}\t{page}\t{url}\t{status}\t{html_wire}\t{html_raw}\t{enc}\n")
    for u in unique:
        s, w, r, e, _ = sizes(u)
        if s != 200:
            print(f"ui-render: warning: {label}: {u} answered HTTP {s}; counted as it came", file=sys.stderr)
        assets_wire += w
        assets_raw += r if r >= 0 else w
        log.write(f"{label}\t{page}\t{u}\t{s}\t{w}\t{r}\t{e}\n")
    for u in dict.fromkeys(refs.disabled):
        log.write(f"{label}\t{page}\t{u}\tdisabled, not counted\t\t\t\n")
    for u in dict.fromkeys(refs.external):
        log.write(f"{label}\t{page}\t{u}\texternal, not fetched\t\t\t\n")
if refs.external:
    print(f"ui-render: note: {label} {page} references {len(set(refs.external))} other-origin URL(s), neither fetched"
          " nor counted (see assets.tsv with --keep)", file=sys.stderr)
with open(weights, "a") as out:
    out.write("\t".join(map(str, [label, page, status, html_wire, html_raw, enc, len(unique), assets_wire, assets_raw,
                                  len(set(refs.disabled)), len(set(refs.external))])) + "\n")
PY
}

# label, database (anvil, ara, big), page, concurrency, then Anvil.Bench.Load's columns: path requests errors p50 p90
# p99 max rps bytes, and server p50 p90 p99 max missing ("-" for ARA)
measurements=$work/measurements.tsv
weights=$work/weights.tsv
: >"$measurements"
: >"$weights"
: >"$work/assets.tsv"
failed=0

# measure LABEL DATABASE: both pages of the server at $url, every concurrency.
measure() {
    local label=$1 database=$2 kind=anvil list playbook c out timing=() extra
    [[ $database == ara ]] && kind=ara
    if [[ $kind == anvil ]]; then
        list=$list_path
        playbook=${playbook_path//\{id\}/$big_id}
        timing=(--server-timing app)
    else
        list=/
        playbook=/playbooks/$big_id.html
    fi
    check_page "$label" "$kind" "$url" "$list"
    check_page "$label" "$kind" "$url" "$playbook"
    page_weight "$label" list "$url$list" || die "$label: measuring the page weight of $list failed"
    page_weight "$label" playbook "$url$playbook" || die "$label: measuring the page weight of $playbook failed"
    for c in "${concurrencies[@]}"; do
        echo "ui-render: measuring $label, concurrency $c ($url)" >&2
        out=$(dotnet "$load_out/Anvil.Bench.Load.dll" --server "$url" --label "$label" --concurrency "$c" \
            --requests "$requests" --warmup "$warmup" --max-seconds "$max_seconds" "${browser_headers[@]}" "${timing[@]}" \
            --path "$list" --path "$playbook") || failed=1
        # Anvil.Bench.Load: label path requests errors p50 p90 p99 max rps bytes [st_p50 st_p90 st_p99 st_max missing]
        extra=""
        [[ $kind == anvil ]] || extra=$'\t-\t-\t-\t-\t-'
        awk -F'\t' -v OFS='\t' -v kind="$database" -v c="$c" -v list="$list" -v extra="$extra" \
            '{page = ($2 == list) ? "list" : "playbook"; $1 = $1 OFS kind OFS page OFS c; print $0 extra}' <<<"$out" >>"$measurements"
    done
}

# Side by side first (small and quick), then the issue's database. Each database is prepared just before it is
# served, so that a missing Anvil UI shows before the big one is built.
for s in anvil ara big; do
    has "$s" || continue
    case $s in
        anvil) prepare anvil anvil "$side_rest" "$side_playbooks" ;;
        ara) prepare ara ara "$side_rest" "$side_playbooks" ;;
        big) prepare big anvil "$results" "$playbooks" ;;
    esac
    if [[ $s == ara ]]; then
        serve ara ara "$db"
        measure "ara-$ara_server@$side_results" ara
        stop_pids
    else
        label="anvil@$side_results"
        [[ $s == anvil ]] || label="anvil@$((results + big_playbook))"
        serve "$s" anvil "$db"
        measure "$label" "$s"
        stop_pids
        # Again without the response cache: what a page costs when every read goes to the database.
        serve "$s" anvil "$db" 0
        measure "$label-nocache" "$s"
        stop_pids
    fi
    ((keep)) || rm -f "$db"
done

echo
echo "concurrency=$concurrency_list requests=$requests (or ${max_seconds}s) warmup=$warmup cores=$(nproc);" \
    "side by side: $side_results results ($side_playbooks x $per_playbook + 1 x $big_playbook);" \
    "big: $((results + big_playbook)) results ($playbooks x $per_playbook + 1 x $big_playbook)"
echo "server = the server's own render time (Server-Timing app;dur); for ARA, which sends none, the client-side latency (marked *)."
echo "weight = HTML + same-origin stylesheets, scripts and images, as served (KB = 1,000 bytes) / uncompressed."
echo "targets: server p99 < 100 ms, weight as served < 200 KB."
awk -F'\t' -v OFS='\t' '
    NR == FNR { w[$1 SUBSEP $2] = $0; next }
    {
        split(w[$1 SUBSEP $3], x, "\t")
        wire = x[4] + x[8]; raw = x[5] + x[9]
        ara = ($2 == "ara")
        none = (!ara && $18 + 0 >= $6 + 0)   # no answer carried Server-Timing app;dur
        sp50 = ara ? $8 : $14; sp99 = ara ? $10 : $16
        time_ok = (!ara && $18 > 0) || $7 > 0 ? "FAIL" : (sp99 + 0 < 100 ? "PASS" : "FAIL")
        weight_ok = (x[3] != 200) ? "FAIL" : (wire < 200000 ? "PASS" : "FAIL")
        mark = ara ? "*" : ""
        printf "%-26s %-9s %3d %8d %6d %10s %10s %10.2f %10.2f %7.1f %9.1f %9.1f %4d %-5s %s/%s\n", $1, $3, $4, $6, $7,
            none ? "-" : sprintf("%.2f%s", sp50, mark), none ? "-" : sprintf("%.2f%s", sp99, mark), $8, $10, $12,
            wire / 1000, raw / 1000, x[7], (x[6] == "-" ? "none" : x[6]), time_ok, weight_ok
    }' "$weights" "$measurements" >"$work/table.txt"
printf '%-26s %-9s %3s %8s %6s %10s %10s %10s %10s %7s %9s %9s %4s %-5s %s\n' server page c requests errors \
    server_p50 server_p99 client_p50 client_p99 req/s weight_KB raw_KB refs enc time/weight
cat "$work/table.txt"

# Ratios of the side-by-side pair: ARA's figure divided by Anvil's (above 1: Anvil is faster or lighter).
if has anvil && has ara; then
    echo
    echo "ARA / Anvil on the same $side_results results (client-side latency; weight as served):"
    printf '%-28s %-9s %3s %11s %11s %10s\n' anvil page c p50_ratio p99_ratio weight
    awk -F'\t' '
        NR == FNR { w[$1 SUBSEP $2] = $4 + $8; next }
        $2 == "ara" { ara50[$3 SUBSEP $4] = $8; ara99[$3 SUBSEP $4] = $10; araw[$3] = w[$1 SUBSEP $3]; next }
        $2 == "anvil" { rows[++n] = $0 }
        END {
            for (i = 1; i <= n; i++) {
                split(rows[i], r, "\t")
                k = r[3] SUBSEP r[4]
                if ((k in ara50) && r[8] > 0 && w[r[1] SUBSEP r[3]] > 0)
                    printf "%-28s %-9s %3d %10.1fx %10.1fx %9.1fx\n", r[1], r[3], r[4], ara50[k] / r[8], ara99[k] / r[10],
                        araw[r[3]] / w[r[1] SUBSEP r[3]]
            }
        }' "$weights" "$measurements"
fi

if ((failed)); then
    echo "ui-render: some requests failed (see above; --keep keeps the server logs)" >&2
    exit 1
fi
# The targets are read at concurrency 1; rows at higher concurrency are for information.
if awk '$1 ~ /^anvil/ && $3 == 1 && $NF != "PASS/PASS" {bad = 1} END {exit !bad}' "$work/table.txt"; then
    echo "ui-render: an Anvil page misses a target at concurrency 1 (see the table)" >&2
    exit 1
fi
