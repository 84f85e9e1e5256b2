#!/usr/bin/env bash
# The runner's own peak memory as the number of events grows: Anvil and ansible-runner side by side.
# Anvil runs with the GC setting its ./anvil wrapper sets. Each runner process is polled for VmHWM (its own peak resident set, children excluded) until it exits.
set -euo pipefail

usage() {
    cat <<'EOF2'
Usage: bench/runner-memory.sh [-n HOSTS] [--tasks "100 400 1600"] [--only anvil,runner]

Runs one generated playbook per task count (HOSTS local hosts x TASKS debug tasks, no fact gathering) with each
runner, -q, and prints the runner process's own peak RSS (VmHWM, children excluded) and the event count.
Flat memory means the peak does not grow with the number of events.
EOF2
}

hosts=5
task_counts="100 400 1600"
only="anvil,runner"
while (($#)); do
    case $1 in
        -n) hosts=$2; shift 2 ;;
        --tasks) task_counts=$2; shift 2 ;;
        --only) only=$2; shift 2 ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
done

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ANVIL=${ANVIL:-$repo_root/anvil}
"$ANVIL" --help >/dev/null # build once, outside the measurement

work=$(mktemp -d "${TMPDIR:-/tmp}/anvil-mem.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/pdd/inventory" "$work/pdd/project"
for ((h = 1; h <= hosts; h++)); do
    echo "host-$h ansible_connection=local ansible_python_interpreter=/usr/bin/python3"
done >"$work/pdd/inventory/hosts"

# peak_kb CMD...: runs CMD in the background and samples its VmHWM every 100 ms; prints the last value seen.
peak_kb() {
    "$@" >/dev/null 2>&1 &
    local pid=$! hwm=0 v
    while kill -0 "$pid" 2>/dev/null; do
        v=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
        [[ -n $v ]] && hwm=$v
        sleep 0.1
    done
    wait "$pid" || true
    echo "$hwm"
}

printf '%-8s %8s %10s %14s\n' runner tasks events "peak RSS KB"
for tasks in $task_counts; do
    {
        echo "- hosts: all"
        echo "  gather_facts: false"
        echo "  tasks:"
        for ((t = 1; t <= tasks; t++)); do
            echo "    - debug: {msg: \"task $t on {{ inventory_hostname }}\"}"
        done
    } >"$work/pdd/project/mem.yml"
    events=$((3 + tasks * (1 + 2 * hosts)))
    if [[ $only == *anvil* ]]; then
        kb=$(cd "$repo_root" && peak_kb env DOTNET_GCgen0size=0x400000 "$repo_root/.build/cli/anvil" run "$work/pdd" -p mem.yml -q -i "a$tasks")
        printf '%-8s %8d %10d %14d\n' anvil "$tasks" "$events" "$kb"
    fi
    if [[ $only == *runner* ]]; then
        kb=$(peak_kb ansible-runner run "$work/pdd" -p mem.yml -q -i "r$tasks")
        printf '%-8s %8d %10d %14d\n' ansible-runner "$tasks" "$events" "$kb"
    fi
    rm -rf "$work/pdd/artifacts"
done
