#!/usr/bin/env bash
# Whole-process overhead of a runner: plain ansible-playbook vs ansible-runner vs anvil on the same workload.
# Method: /work/shared/reference/runner.md section 9 (interleaved rounds, GNU time, stdout discarded).
# Workload: ARA's integration benchmark shape (N local hosts x M debug/set_fact tasks, no fact gathering).
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: bench/runner-overhead.sh [options]

Times the same playbook run three ways, interleaved for R rounds:
  plain   ansible-playbook -i <pdd>/inventory/hosts bench.yml   (cwd <pdd>/project)
  runner  ansible-runner run <pdd> -p bench.yml -q --ident r<round>
  anvil   $ANVIL run <pdd> -p bench.yml -q --ident a<round>
and prints per variant: median/min/max wall seconds, median max RSS (KB) and the
ratio of the median wall time to plain's.

Options:
  -n N               hosts in the generated inventory (default 25)
  -m M               tasks in the generated playbook (default 50)
  -r R               rounds (default 5)
  --only LIST        comma-separated variants to run: plain,runner,anvil (default: all three)
  --keep             keep the generated temp dir (pdd, artifacts, raw results) and print its path
  -h, --help         show this help

Environment:
  ANVIL              anvil command (default: the repo's ./anvil wrapper); it is not built by this script
  ANSIBLE_RUNNER     ansible-runner command (default: ansible-runner)
  ANSIBLE_PLAYBOOK   ansible-playbook command (default: ansible-playbook)
  TMPDIR             where the temp dir is created (default /tmp)

Every host uses ansible_connection=local, so the run touches only this machine.
Timing uses /usr/bin/time -f '%e %M'. %M is the largest max RSS of the process tree (for the runners that is
usually the ansible-playbook child, not the runner itself).
EOF
}

die() { echo "runner-overhead: $*" >&2; exit 1; }

is_posint() { [[ $1 =~ ^[1-9][0-9]*$ ]]; }

hosts=25
tasks=50
rounds=5
only="plain,runner,anvil"
keep=0

while (($#)); do
    case $1 in
        -n) (($# >= 2)) || die "-n needs a value"; hosts=$2; shift 2 ;;
        -m) (($# >= 2)) || die "-m needs a value"; tasks=$2; shift 2 ;;
        -r) (($# >= 2)) || die "-r needs a value"; rounds=$2; shift 2 ;;
        --only) (($# >= 2)) || die "--only needs a value"; only=$2; shift 2 ;;
        --only=*) only=${1#--only=}; shift ;;
        --keep) keep=1; shift ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
done

is_posint "$hosts" || die "-n must be a positive integer: $hosts"
is_posint "$tasks" || die "-m must be a positive integer: $tasks"
is_posint "$rounds" || die "-r must be a positive integer: $rounds"

variants=()
IFS=',' read -r -a requested <<<"$only"
for v in "${requested[@]}"; do
    case $v in
        plain | runner | anvil) ;;
        *) die "--only: unknown variant '$v' (expected plain, runner, anvil)" ;;
    esac
    # keep the canonical order, drop duplicates
    [[ " ${variants[*]-} " == *" $v "* ]] || variants+=("$v")
done
((${#variants[@]})) || die "--only: no variant given"
ordered=()
for v in plain runner anvil; do
    [[ " ${variants[*]} " == *" $v "* ]] && ordered+=("$v")
done
variants=("${ordered[@]}")

has() { [[ " ${variants[*]} " == *" $1 "* ]]; }

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$repo_root/bench/lib.sh"
ANVIL=${ANVIL:-$repo_root/anvil}
ANSIBLE_RUNNER=${ANSIBLE_RUNNER:-ansible-runner}
ANSIBLE_PLAYBOOK=${ANSIBLE_PLAYBOOK:-ansible-playbook}
TIME=/usr/bin/time

# --- prerequisites -------------------------------------------------------------------------------------------------

if [[ ! -x $TIME ]]; then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
        echo "runner-overhead: installing GNU time" >&2
        apt-get install -y time >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y time >/dev/null; }
    fi
    [[ -x $TIME ]] || die "GNU time ($TIME) is missing: install the 'time' package"
fi
has plain && { command -v "$ANSIBLE_PLAYBOOK" >/dev/null || die "not found: $ANSIBLE_PLAYBOOK"; }
has runner && { command -v "$ANSIBLE_RUNNER" >/dev/null || die "not found: $ANSIBLE_RUNNER"; }
if has anvil; then
    command -v "$ANVIL" >/dev/null || die "not found: $ANVIL (set ANVIL or leave anvil out with --only)"
fi
[[ -x /usr/bin/python3 ]] || die "/usr/bin/python3 is missing (used as ansible_python_interpreter)"

# --- workload ------------------------------------------------------------------------------------------------------

work=$(mktemp -d "${TMPDIR:-/tmp}/anvil-bench.XXXXXX")
cleanup() {
    if ((keep)); then
        echo "runner-overhead: kept $work" >&2
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT

pdd=$work/pdd
mkdir -p "$pdd/inventory" "$pdd/project"

{
    echo "[benchmark]"
    for ((h = 1; h <= hosts; h++)); do
        echo "host-$h ansible_connection=local ansible_python_interpreter=/usr/bin/python3"
    done
} >"$pdd/inventory/hosts"

{
    echo "---"
    echo "# Generated by bench/runner-overhead.sh: $hosts hosts x $tasks tasks."
    echo "- name: Run tasks on many hosts"
    echo "  hosts: benchmark"
    echo "  gather_facts: false"
    echo "  tasks:"
    for ((t = 1; t <= tasks; t++)); do
        if ((t % 2)); then
            echo "    - name: debug task $t"
            echo "      ansible.builtin.debug:"
            echo "        msg: \"{{ inventory_hostname }} running task $t/$tasks\""
        else
            echo "    - name: set_fact task $t"
            echo "      ansible.builtin.set_fact:"
            echo "        bench_fact_$t: \"{{ inventory_hostname }}-$t\""
        fi
    done
} >"$pdd/project/bench.yml"

# Events per run: playbook_on_start, play_start, stats + per task one task_start and per host runner_on_start/ok.
events=$((3 + tasks * (1 + 2 * hosts)))

results=$work/results.tsv # round variant wall_s maxrss_kb exit
: >"$results"
log=$work/stderr.log
: >"$log"

# --- runs ----------------------------------------------------------------------------------------------------------

# time_one VARIANT ROUND CMD...: runs CMD under GNU time, stdout discarded, stderr appended to $log.
time_one() {
    local variant=$1 round=$2
    shift 2
    local tf=$work/time.out rc=0
    echo "== round $round $variant: $*" >>"$log"
    "$TIME" -o "$tf" -f '%e %M' "$@" >/dev/null 2>>"$log" || rc=$?
    # On a non-zero exit GNU time writes "Command exited with non-zero status N" before the format line.
    local wall rss
    read -r wall rss < <(tail -n 1 "$tf")
    printf '%s\t%s\t%s\t%s\t%s\n' "$round" "$variant" "$wall" "$rss" "$rc" >>"$results"
    printf 'round %d  %-6s  wall %6.2f s  maxrss %7d KB  exit %d\n' "$round" "$variant" "$wall" "$rss" "$rc" >&2
}

run_plain() { (cd "$pdd/project" && time_one plain "$1" "$ANSIBLE_PLAYBOOK" -i "$pdd/inventory/hosts" bench.yml); }
run_runner() { (cd "$repo_root" && time_one runner "$1" "$ANSIBLE_RUNNER" run "$pdd" -p bench.yml -q --ident "r$1"); }
run_anvil() { (cd "$repo_root" && time_one anvil "$1" "$ANVIL" run "$pdd" -p bench.yml -q --no-record --ident "a$1"); }

echo "runner-overhead: $hosts hosts x $tasks tasks (~$events events per run), $rounds rounds, variants: ${variants[*]}" >&2
if has anvil; then
    use_built_anvil
fi

# Each round starts with the next variant, so no variant always follows the same one: on a filesystem without a
# journal (this container's ext4), files created shortly after another run deleted thousands (ansible-runner's
# partial event files) cost several times more, and a fixed order would always bill that to the same variant.
nv=${#variants[@]}
for ((r = 1; r <= rounds; r++)); do
    for ((i = 0; i < nv; i++)); do
        "run_${variants[(r - 1 + i) % nv]}" "$r"
    done
done

# --- report --------------------------------------------------------------------------------------------------------



plain_median=""
has plain && plain_median=$(col plain 3 | median)

echo
echo "hosts=$hosts tasks=$tasks events/run~$events rounds=$rounds"
printf '%-8s %12s %8s %8s %16s %9s %6s\n' variant "median wall" min max "median maxRSS KB" "vs plain" fails
failed_runs=0
for v in "${variants[@]}"; do
    med=$(col "$v" 3 | median)
    min=$(col "$v" 3 | sort -g | head -n 1)
    max=$(col "$v" 3 | sort -g | tail -n 1)
    rss=$(col "$v" 4 | median)
    fails=$(col "$v" 5 | awk '$1 != 0' | wc -l)
    failed_runs=$((failed_runs + fails))
    if [[ -n $plain_median ]] && awk -v p="$plain_median" 'BEGIN {exit !(p > 0)}'; then
        ratio=$(awk -v m="$med" -v p="$plain_median" 'BEGIN {printf "%.2fx", m / p}')
    else
        ratio="-"
    fi
    printf '%-8s %12.2f %8.2f %8.2f %16.0f %9s %6d\n' "$v" "$med" "$min" "$max" "$rss" "$ratio" "$fails"
done

if ((failed_runs)); then
    if ((keep)); then
        echo "runner-overhead: $failed_runs run(s) exited non-zero; stderr of all runs: $log" >&2
    else
        echo "runner-overhead: $failed_runs run(s) exited non-zero (--keep keeps the full stderr log)" >&2
        echo "---- last 40 lines of stderr ----" >&2
        tail -n 40 "$log" >&2
    fi
    exit 1
fi
