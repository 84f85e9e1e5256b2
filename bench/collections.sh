#!/usr/bin/env bash
# Collections, side by side: ansible-galaxy (Debian's ansible-core 2.14) against anvil collection, on
#   build    the largest collection of Debian's ansible package (fortinet.fortimanager, 1,152 files, 83 MB)
#   install  twenty real collections with dependencies between them, from local tarballs (--offline), with GNU
#            tar unpacking the same tarballs as the file system's floor
#   resolve  a synthetic graph of 200 collections x 4 versions whose newest versions conflict, from a Galaxy server
# and prints the median, min and max wall time of each tool and the ratio of the medians.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: bench/collections.sh [options]

Options:
  -r R            rounds (default 5); the two tools alternate which goes first
  --only LIST     scenarios, comma-separated: build,install,resolve (default: all)
  --tools LIST    tools, comma-separated: ansible-galaxy,anvil (default: both; one alone for quick checks)
  --keep          keep the temp dir (sources, tarballs, server tree, results) and print its path
  -h, --help      show this help

Environment:
  ANVIL           anvil command (default: the binary the repo's ./anvil wrapper builds, built once before timing)
  ANSIBLE_GALAXY  ansible-galaxy command (default: ansible-galaxy)
  TMPDIR          where the temp dir goes (default /tmp)

The sources come from Debian's ansible package (/usr/lib/python3/dist-packages/ansible_collections), hard-linked
into the temp dir and given a galaxy.yml made from their MANIFEST.json. For 'resolve', both tools install by name
from the same server: a static Galaxy v3 tree (discovery, collection, version list, version detail, downloads)
served by python3 -m http.server, because ansible-galaxy resolves ranges only against a server. Every run starts
cold: a fresh HOME for ansible-galaxy (no response cache) and a fresh ANVIL_HOME for anvil (no artifact cache), a
fresh target directory. After the runs the script checks that both tools installed the same versions.
EOF
}

die() { echo "collections: $*" >&2; exit 1; }

rounds=5
only="build,install,resolve"
tools="ansible-galaxy,anvil"
keep=0
while (($#)); do
    case $1 in
        -r) (($# >= 2)) || die "-r needs a value"; rounds=$2; shift 2 ;;
        --only) (($# >= 2)) || die "--only needs a value"; only=$2; shift 2 ;;
        --only=*) only=${1#--only=}; shift ;;
        --tools) (($# >= 2)) || die "--tools needs a value"; tools=$2; shift 2 ;;
        --keep) keep=1; shift ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
done
[[ $rounds =~ ^[1-9][0-9]*$ ]] || die "-r must be a positive integer: $rounds"
for s in ${only//,/ }; do
    [[ $s == build || $s == install || $s == resolve ]] || die "--only: unknown scenario '$s'"
done

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bench/lib.sh
source "$repo_root/bench/lib.sh"
ANVIL=${ANVIL:-$repo_root/anvil}
ANSIBLE_GALAXY=${ANSIBLE_GALAXY:-ansible-galaxy}
PY=/usr/bin/python3
[[ -d $debian_collections ]] || die "$debian_collections is missing: install Debian's ansible package (apt-get install ansible)"
command -v "$ANSIBLE_GALAXY" >/dev/null || die "ansible-galaxy not found (apt-get install ansible-core)"
[[ -x /usr/bin/time ]] || die "GNU time is needed (apt-get install time)"

work="$(mktemp -d "${TMPDIR:-/tmp}/anvil-bench-collections-XXXXXX")"
pids=()
cleanup() {
    stop_pids
    if ((keep)); then echo "kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
results="$work/results.tsv"
: >"$results"
: >"$work/ansible.cfg"   # no servers configured: each command names its own

use_built_anvil

# Runs a scenario's two commands for every round, alternating which goes first. The commands are functions
# run_<scenario>_<tool> ROUND.
rounds_of() {
    local scenario=$1 r
    for ((r = 1; r <= rounds; r++)); do
        if ((r % 2)); then
            [[ ,$tools, != *,ansible-galaxy,* ]] || "run_${scenario}_ansible" "$r"
            [[ ,$tools, != *,anvil,* ]] || "run_${scenario}_anvil" "$r"
        else
            [[ ,$tools, != *,anvil,* ]] || "run_${scenario}_anvil" "$r"
            [[ ,$tools, != *,ansible-galaxy,* ]] || "run_${scenario}_ansible" "$r"
        fi
        # A scenario may also time the file system's floor (plain tar on the same input).
        ! declare -F "run_${scenario}_floor" >/dev/null || "run_${scenario}_floor" "$r"
    done
}

both() { [[ ,$tools, == *,ansible-galaxy,* && ,$tools, == *,anvil,* ]]; }

# The commands as /usr/bin/time runs them (no shell functions): a fresh home each run, so nothing is cached.
agalaxy() { echo env HOME="$work/home-$1" ANSIBLE_CONFIG="$work/ansible.cfg" ANSIBLE_GALAXY_DISPLAY_PROGRESS=false "$ANSIBLE_GALAXY"; }
anvil_cold() { echo env ANVIL_HOME="$work/anvil-home-$1" "$ANVIL"; }

# --- build: the largest collection -----------------------------------------------------------------------------
if [[ ,$only, == *,build,* ]]; then
    echo "build: preparing fortinet.fortimanager" >&2
    src="$work/build/src"
    mkdir -p "$work/build"
    cp -al "$debian_collections/fortinet/fortimanager" "$src"
    galaxy_yml "$src"
    run_build_ansible() { timed "$1" build ansible-galaxy $(agalaxy "b$1") collection build "$src" --output-path "$work/build/ansible" --force; }
    run_build_anvil() { timed "$1" build anvil $(anvil_cold "b$1") collection build "$src" --output-path "$work/build/anvil" --force; }
    rounds_of build
    for t in ansible anvil; do
        for f in "$work/build/$t"/*.tar.gz; do [[ -f $f ]] && echo "build: $t artifact $(stat -c %s "$f") bytes" >&2; done
    done
fi

# --- install: twenty collections with dependencies, from tarballs -------------------------------------------------
if [[ ,$only, == *,install,* ]]; then
    echo "install: preparing 20 collections" >&2
    mkdir -p "$work/install/tarballs"
    chain_sources "$work/install/src"
    "$ANVIL" collection build "${chain_dirs[@]}" --output-path "$work/install/tarballs" >/dev/null
    tarballs=("$work"/install/tarballs/*.tar.gz)
    # A new target each run, removed only at the end: on this container's ext4, creating files right after
    # thousands were deleted is several times slower, which would fall on whichever tool runs next.
    run_install_ansible() { timed "$1" install ansible-galaxy $(agalaxy "i$1") collection install "${tarballs[@]}" -p "$work/install/ansible-$1" --offline; }
    run_install_anvil() { timed "$1" install anvil $(anvil_cold "i$1") collection install "${tarballs[@]}" -p "$work/install/anvil-$1" --offline; }
    # The floor: GNU tar unpacking the same tarballs one after another (no checksums, no resolution), to show
    # how much of an install is the file system's own cost of creating the files.
    run_install_floor() {
        local d="$work/install/tar-$1"
        mkdir -p "$d"
        timed "$1" install tar bash -c 'for f in "${@:2}"; do m="$1/$(basename "$f" .tar.gz)"; mkdir "$m" && tar xzf "$f" -C "$m" || exit 1; done' _ "$d" "${tarballs[@]}"
    }
    rounds_of install
    ! both || same_installed "$work/install/ansible-1" "$work/install/anvil-1" >&2
fi

# --- resolve: 200 collections with conflicting ranges, from a server --------------------------------------------
if [[ ,$only, == *,resolve,* ]]; then
    echo "resolve: generating 200 collections x 4 versions" >&2
    gen="$work/resolve/src"
    mkdir -p "$gen"
    # Versions 1.0.0 1.1.0 2.0.0 2.1.0. A hidden solution picks one version of each collection (so the graph is
    # solvable): that version's dependencies accept the solution's version of each dependency (half of them also
    # cap it below the next version); the other versions mostly need what does not exist (>=9.0.0), or some
    # random range. Each collection depends on one or two of the next twenty, and every collection is reachable
    # from the ten requested. Resolving goes back often: with seed 16, resolvelib 0.9 (ansible-galaxy's) needs
    # 530 rounds and 87 backtracks, and keeps the newest version for 69 of the 200. (Seed 5 needs 2,414 rounds
    # and takes ansible-galaxy ten minutes; a few seeds make resolvelib 0.9 loop until it gives up.)
    "$PY" - "$gen" <<'EOF'
import json, os, random, sys
out = sys.argv[1]
random.seed(16)
versions = ['1.0.0', '1.1.0', '2.0.0', '2.1.0']
following = {'1.0.0': '1.1.0', '1.1.0': '2.0.0', '2.0.0': '2.1.0', '2.1.0': None}
names = [f'bench.c{i:03d}' for i in range(200)]
solution = {i: random.choice(versions) for i in range(200)}
picks = {i: set() for i in range(200)}
for i in range(200):
    later = list(range(i + 1, min(200, i + 20)))
    picks[i] |= set(random.sample(later, min(len(later), random.randint(1, 2)))) if later else set()
for j in range(10, 200):
    if not any(j in picks[i] for i in range(j)):
        picks[random.randrange(max(0, j - 20), j)].add(j)
for i, name in enumerate(names):
    for v in versions:
        deps = {}
        for j in sorted(picks[i]):
            if v == solution[i]:
                r = f'>={solution[j]}'
                if following[solution[j]] and random.random() < 0.5:
                    r += f',<{following[solution[j]]}'
            elif random.random() < 0.6:
                r = '>=9.0.0'
            else:
                r = random.choice(['*', '>=1.1.0', '<2.0.0', '>=2.0.0'])
            deps[names[j]] = r
        d = os.path.join(out, f'{name}-{v}')
        os.makedirs(os.path.join(d, 'meta'))
        open(os.path.join(d, 'README.md'), 'w').write(f'# {name}\n')
        open(os.path.join(d, 'meta', 'runtime.yml'), 'w').write("requires_ansible: '>=2.14.0'\n")
        ns, n = name.split('.')
        open(os.path.join(d, 'galaxy.yml'), 'w').write(json.dumps({
            'namespace': ns, 'name': n, 'version': v, 'readme': 'README.md', 'authors': ['bench'],
            'license': ['MIT'], 'repository': 'https://example.com', 'dependencies': deps}))
EOF
    "$ANVIL" collection build "$gen"/* --output-path "$work/resolve/tarballs" >/dev/null
    port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    www="$work/resolve/www"
    "$PY" - "$work/resolve/tarballs" "$www" "$port" <<'EOF'
import hashlib, json, os, shutil, sys, tarfile
tarballs, www, port = sys.argv[1], sys.argv[2], sys.argv[3]
def put(path, obj):
    os.makedirs(path, exist_ok=True)
    open(os.path.join(path, 'index.html'), 'w').write(json.dumps(obj))
put(os.path.join(www, 'api'), {'available_versions': {'v3': 'v3/'}, 'current_version': 'v3'})
coll = {}
os.makedirs(os.path.join(www, 'download'))
for f in sorted(os.listdir(tarballs)):
    p = os.path.join(tarballs, f)
    with tarfile.open(p) as t:
        ci = json.load(t.extractfile('MANIFEST.json'))['collection_info']
    shutil.copy(p, os.path.join(www, 'download', f))
    coll.setdefault((ci['namespace'], ci['name']), []).append((ci, f, hashlib.sha256(open(p, 'rb').read()).hexdigest()))
for (ns, n), versions in coll.items():
    href = f'/api/v3/collections/{ns}/{n}/'
    base = os.path.join(www, 'api', 'v3', 'collections', ns, n)
    put(base, {'href': href, 'namespace': ns, 'name': n, 'updated_at': '2024-01-01T00:00:00.000000Z'})
    put(os.path.join(base, 'versions'), {'meta': {'count': len(versions)}, 'links': {'next': None},
        'data': [{'version': ci['version'], 'href': f"{href}versions/{ci['version']}/"} for ci, _, _ in versions]})
    for ci, f, sha in versions:
        put(os.path.join(base, 'versions', ci['version']), {
            'version': ci['version'], 'href': f"{href}versions/{ci['version']}/",
            'artifact': {'filename': f, 'sha256': sha}, 'collection': {'name': n}, 'namespace': {'name': ns},
            'download_url': f'http://127.0.0.1:{port}/download/{f}', 'signatures': [],
            'metadata': {'dependencies': ci['dependencies']}})
EOF
    "$PY" -m http.server "$port" --bind 127.0.0.1 --directory "$www" >/dev/null 2>&1 &
    pids+=($!)
    for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/api/" >/dev/null && break; sleep 0.1; done
    server="http://127.0.0.1:$port/api/"
    roots=(bench.c000 bench.c001 bench.c002 bench.c003 bench.c004 bench.c005 bench.c006 bench.c007 bench.c008 bench.c009)
    run_resolve_ansible() { timed "$1" resolve ansible-galaxy $(agalaxy "r$1") collection install "${roots[@]}" -p "$work/resolve/ansible-$1" -s "$server"; }
    run_resolve_anvil() { timed "$1" resolve anvil $(anvil_cold "r$1") collection install "${roots[@]}" -p "$work/resolve/anvil-$1" -s "$server"; }
    rounds_of resolve
    ! both || same_installed "$work/resolve/ansible-1" "$work/resolve/anvil-1" >&2
fi

# --- report -----------------------------------------------------------------------------------------------------
failed=$(awk -F'\t' '$5 != 0' "$results" | wc -l)
printf '%-8s %-15s %10s %10s %10s %8s\n' scenario tool median min max ratio
for s in build install resolve; do
    [[ ,$only, == *,$s,* ]] || continue
    ma=$(awk -F'\t' -v s="$s" '$2 == s && $3 == "ansible-galaxy" {print $4}' "$results" | median)
    mb=$(awk -F'\t' -v s="$s" '$2 == s && $3 == "anvil" {print $4}' "$results" | median)
    for tool in ansible-galaxy anvil tar; do
        [[ ,$tools, == *,$tool,* || ($tool == tar && $s == install) ]] || continue
        vals=$(awk -F'\t' -v s="$s" -v t="$tool" '$2 == s && $3 == t {print $4}' "$results")
        m=$(median <<<"$vals")
        lo=$(sort -g <<<"$vals" | head -1)
        hi=$(sort -g <<<"$vals" | tail -1)
        ratio=$(awk -v a="$ma" -v m="$m" 'BEGIN {if (a == "" || m == "") print "-"; else printf "%.1fx", a / m}')
        printf '%-8s %-15s %9ss %9ss %9ss %8s\n' "$s" "$tool" "$m" "$lo" "$hi" "$ratio"
    done
done
((failed == 0)) || die "$failed run(s) failed"
