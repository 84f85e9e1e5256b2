#!/usr/bin/env bash
# `anvil process` against `ansible-runner process` on the same recorded worker stream (remote execution, issue #13).
# The stream is synthesised once: a valid 2.3.1 worker stream (starting, running, N events shaped like a debug
# task's runner_on_ok, the final status, the artifacts zip, eof), which both processors turn into job_events/.
set -euo pipefail

usage() {
    cat <<'EOF2'
Usage: bench/process-stream.sh [-n EVENTS] [-r ROUNDS] [--keep]

Feeds the same worker stream of EVENTS events (default 100000) to both processors, alternating which goes first
each round, stdout discarded, and prints per run the wall time, the CPU time (user + system of the whole process
tree, GNU time's figures) and the peak RSS; then the median of the per-round ratios anvil / ansible-runner.
  -n EVENTS   events in the stream (default 100000)
  -r ROUNDS   rounds (default 5)
  --keep      keep the temp dir (stream, artifacts, raw results) and print its path
EOF2
}

die() { echo "process-stream: $*" >&2; exit 1; }
events=100000
rounds=5
keep=0
while (($#)); do
    case $1 in
        -n) (($# >= 2)) || die "-n needs a value"; events=$2; shift 2 ;;
        -r) (($# >= 2)) || die "-r needs a value"; rounds=$2; shift 2 ;;
        --keep) keep=1; shift ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
done
[[ $events =~ ^[1-9][0-9]*$ ]] || die "-n must be a positive integer: $events"
[[ $rounds =~ ^[1-9][0-9]*$ ]] || die "-r must be a positive integer: $rounds"

bench_name=process-stream
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$repo_root/bench/lib.sh"
ANVIL=${ANVIL:-$repo_root/anvil}
PY=/usr/bin/python3
[[ -x /usr/bin/time ]] || apt_install time || die "GNU time is missing: apt-get install -y time"
command -v ansible-runner >/dev/null || die "ansible-runner is missing: apt-get install -y python3-ansible-runner"
use_built_anvil

work=$(mktemp -d "${TMPDIR:-/tmp}/anvil-process-stream.XXXXXX")
if ((keep)); then echo "process-stream: keeping $work" >&2; else trap 'rm -rf "$work"' EXIT; fi

echo "process-stream: writing a worker stream of $events events" >&2
$PY - "$events" "$work/worker.stream" <<'PYEOF'
import base64, io, json, sys, uuid, zipfile
n, path = int(sys.argv[1]), sys.argv[2]
ident = "bench"
play, task = str(uuid.uuid4()), str(uuid.uuid4())
with open(path, "w") as out:
    w = lambda obj: out.write(json.dumps(obj) + "\n")
    w({"status": "starting", "runner_ident": ident, "command": ["ansible-playbook", "bench.yml"], "env": {}, "cwd": "/runner/project"})
    w({"status": "running", "runner_ident": ident})
    stdout_lines = []
    line = 0
    for c in range(1, n + 1):
        text = "\u001b[0;32mok: [host-%d] => {\u001b[0m\r\n\u001b[0;32m    \"msg\": \"task %d\"\u001b[0m\r\n\u001b[0;32m}\u001b[0m" % (c % 5, c)
        ev = {"uuid": str(uuid.uuid4()), "counter": c, "stdout": text, "start_line": line, "end_line": line + 3,
              "runner_ident": ident, "event": "runner_on_ok", "pid": 4242, "created": "2026-11-21T22:46:06.491973",
              "parent_uuid": task,
              "event_data": {"playbook": "bench.yml", "playbook_uuid": play, "play": "bench", "play_uuid": play,
                             "play_pattern": "all", "task": "task %d" % c, "task_uuid": task,
                             "task_action": "ansible.builtin.debug", "resolved_action": "ansible.builtin.debug",
                             "task_args": "", "task_path": "/runner/project/bench.yml:%d" % c, "host": "host-%d" % (c % 5),
                             "remote_addr": "host-%d" % (c % 5), "res": {"msg": "task %d" % c, "_ansible_verbose_always": True,
                             "_ansible_no_log": False, "changed": False}, "start": "2026-11-21T22:46:06.468724",
                             "end": "2026-11-21T22:46:06.491973", "duration": 0.02, "event_loop": None,
                             "uuid": str(uuid.uuid4())}}
        w(ev)
        stdout_lines.append(text)
        line += 3
    w({"status": "successful", "runner_ident": ident})
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in (("rc", "0"), ("status", "successful"), ("stderr", ""), ("command", "{}"),
                           ("stdout", "\n".join(stdout_lines) + "\n")):
            info = zipfile.ZipInfo(name); info.external_attr = 0o100600 << 16; info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
        d = zipfile.ZipInfo("job_events/"); d.external_attr = 0o40700 << 16
        z.writestr(d, "")
    data = buf.getvalue()
    w({"zipfile": len(data)})
    out.write(base64.b64encode(data).decode())
    w({"eof": True})
PYEOF
echo "process-stream: stream is $(du -h "$work/worker.stream" | cut -f1)" >&2

results=$work/results.tsv
: >"$results"
# run VARIANT ROUND: one timed run; appends round, variant, wall s, cpu s, peak KB, events written
run() {
    local v=$1 r=$2 out=$work/out-$1-$2 tlog=$work/time-$1-$2.log
    rm -rf "$out"
    mkdir -p "$out"
    case $v in
        anvil) /usr/bin/time -v -o "$tlog" "$ANVIL" process "$out" -i "r$r" <"$work/worker.stream" >/dev/null 2>"$work/err-$v-$r" ||
            die "anvil process failed: $(cat "$work/err-$v-$r")" ;;
        runner) /usr/bin/time -v -o "$tlog" ansible-runner process "$out" -i "r$r" <"$work/worker.stream" >/dev/null 2>"$work/err-$v-$r" ||
            die "ansible-runner process failed: $(cat "$work/err-$v-$r")" ;;
    esac
    local n
    n=$(find "$out/artifacts/r$r/job_events" -name '*.json' | wc -l)
    ((n == events)) || die "$v wrote $n event files, expected $events"
    awk -F': ' -v r="$r" -v v="$v" -v n="$n" '
        /Elapsed \(wall clock\)/ {k = split($2, t, ":"); wall = (k == 3) ? t[1] * 3600 + t[2] * 60 + t[3] : t[1] * 60 + t[2]}
        /User time/ {u = $2} /System time/ {s = $2} /Maximum resident set size/ {m = $2}
        END {printf "%s\t%s\t%.2f\t%.2f\t%d\t%d\n", r, v, wall, u + s, m, n}' "$tlog" >>"$results"
    rm -rf "$out"
}

for ((r = 1; r <= rounds; r++)); do
    if ((r % 2)); then order="anvil runner"; else order="runner anvil"; fi
    for v in $order; do
        echo "process-stream: round $r/$rounds $v" >&2
        run "$v" "$r"
    done
done

printf '%-7s %6s %9s %9s %12s\n' round runner "wall s" "cpu s" "peak RSS KB"
sort -k1,1n -k2,2 "$results" | awk -F'\t' '{printf "%-7s %6s %9s %9s %12s\n", $1, $2, $3, $4, $5}'
ratio() { # COLUMN: median over rounds of anvil / runner
    join -t $'\t' <(col anvil "$1" | nl -w1 -s$'\t') <(col runner "$1" | nl -w1 -s$'\t') |
        awk -F'\t' '$3 > 0 {print $2 / $3}' | median
}
echo
printf 'median of per-round ratios anvil / ansible-runner (%d events, %d rounds):\n' "$events" "$rounds"
printf '  wall %.3f   cpu %.3f   peak RSS %.3f\n' "$(ratio 3)" "$(ratio 4)" "$(ratio 5)"
printf 'medians: wall anvil %s s, ansible-runner %s s; cpu anvil %s s, ansible-runner %s s; RSS anvil %s KB, ansible-runner %s KB\n' \
    "$(col anvil 3 | median)" "$(col runner 3 | median)" "$(col anvil 4 | median)" "$(col runner 4 | median)" \
    "$(col anvil 5 | median)" "$(col runner 5 | median)"
