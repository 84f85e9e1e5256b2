#!/usr/bin/env bash
# Fills a migrated, empty SQLite records database with N synthetic results, fast (one transaction of set-based SQL),
# in Anvil's schema or in ARA's (Debian's ara-server 1.5.8, compressed JSON blobs as ara.md section 2.3). Used by
# bench/api-latency.sh and bench/ui-render.sh; both schemas get the same rows, so the two servers answer the same
# questions.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: bench/records-datagen.sh --schema anvil|ara --results N --db PATH [--playbooks P] [--big-playbook B]

Inserts N results into PATH, a SQLite database already migrated and still empty (`anvil db migrate --database
sqlite:PATH`, or `ara-manage migrate` with ARA_BASE_DIR). Shape: 1,000 results per playbook (1 play, 50 tasks,
20 hosts named host-0..host-19, one result per task and host), so N/1000 playbooks (rounded up); every playbook has
its file (one shared content), the label "bench", a realistic `arguments` mapping (~1.4 KB, as ARA's callback
sends), and host counters summed from its results. Statuses: ~4% failed (a quarter of them ignore_errors), ~1%
unreachable, ~15% skipped, the rest ok (~16% of ok changed). Prints the playbook count.

With --playbooks P, the N results go into exactly P playbooks of N/P results each (N must be a multiple of P):
min(20, N/P) hosts and as many tasks as needed, e.g. 20 hosts x 5 tasks for 100 results. With --big-playbook B, one
more playbook gets B results on top of the N (--big-hosts hosts, 100 by default: 500 tasks x 100 hosts for 50,000);
it is the newest and the last: its id is the printed playbook count. Every playbook's results span 100 seconds.

  --schema anvil|ara   target schema
  --results N          number of results, 1 to 10,000,000
  --db PATH            the SQLite file
  --playbooks P        spread the N results over P playbooks (default: 1,000 results per playbook)
  --big-playbook B     add one playbook with B more results (default 0: none; N + B at most 10,000,000)
  --big-hosts H        hosts of that playbook (default 100)
EOF
}

die() { echo "records-datagen: $*" >&2; exit 1; }

schema="" results="" db="" playbooks_arg="" big=0 big_hosts=100
while (($#)); do
    case $1 in
        --schema) (($# >= 2)) || die "--schema needs a value"; schema=$2; shift 2 ;;
        --results) (($# >= 2)) || die "--results needs a value"; results=$2; shift 2 ;;
        --db) (($# >= 2)) || die "--db needs a value"; db=$2; shift 2 ;;
        --playbooks) (($# >= 2)) || die "--playbooks needs a value"; playbooks_arg=$2; shift 2 ;;
        --big-playbook) (($# >= 2)) || die "--big-playbook needs a value"; big=$2; shift 2 ;;
        --big-hosts) (($# >= 2)) || die "--big-hosts needs a value"; big_hosts=$2; shift 2 ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
done
[[ $schema == anvil || $schema == ara ]] || die "--schema must be anvil or ara"
[[ $results =~ ^[1-9][0-9]*$ ]] && ((results <= 10000000)) || die "--results must be an integer from 1 to 10,000,000"
[[ -z $playbooks_arg ]] || { [[ $playbooks_arg =~ ^[1-9][0-9]*$ ]] && ((playbooks_arg <= results && results % playbooks_arg == 0)); } ||
    die "--playbooks must divide --results ($results) into playbooks of equal size: $playbooks_arg"
[[ $big == 0 ]] || { [[ $big =~ ^[1-9][0-9]*$ ]] && ((results + big <= 10000000)); } ||
    die "--big-playbook must be 0 or a positive integer, with --results + --big-playbook at most 10,000,000: $big"
[[ $big_hosts =~ ^[1-9][0-9]*$ ]] && ((big_hosts <= 100000)) || die "--big-hosts must be an integer from 1 to 100,000"
[[ -f $db ]] || die "--db: no such file: $db (migrate it first)"
command -v sqlite3 >/dev/null || die "sqlite3 is missing (apt-get install -y sqlite3)"
[[ $(sqlite3 "$db" 'select count(*) from playbooks') == 0 ]] || die "$db already has playbooks"

if [[ -z $playbooks_arg ]]; then
    per_playbook=1000 tasks=50 hosts=20
    playbooks=$(((results + per_playbook - 1) / per_playbook))
else
    playbooks=$playbooks_arg per_playbook=$((results / playbooks_arg))
    hosts=$((per_playbook < 20 ? per_playbook : 20))
    tasks=$(((per_playbook + hosts - 1) / hosts))
fi
((big_hosts <= big)) || big_hosts=$((big > 0 ? big : 1))
big_tasks=$(((big + big_hosts - 1) / big_hosts))
base=1767225600000000 # 2026-01-01T00:00:00Z in microseconds; playbook p starts p x 10 minutes later

# SQL literals of the constant values, made by Python so that quoting and zlib are exact.
eval "$(/usr/bin/python3 - <<'PY'
import hashlib, json, zlib
arguments = {
    "version": None, "verbosity": 0, "private_key_file": None, "remote_user": None, "connection": "smart",
    "timeout": 10, "ssh_common_args": None, "sftp_extra_args": None, "scp_extra_args": None, "ssh_extra_args": None,
    "ask_pass": False, "connection_password_file": None, "force_handlers": False, "flush_cache": False,
    "become": False, "become_method": "sudo", "become_user": None, "become_ask_pass": False,
    "become_password_file": None, "tags": ["all"], "skip_tags": [], "check": False, "diff": False,
    "inventory": ["/srv/bench/inventory/hosts.ini"], "listhosts": False, "subset": None,
    "extra_vars": "Not saved by ARA as configured by 'ignored_arguments'", "vault_ids": [], "ask_vault_pass": False,
    "vault_password_files": [], "forks": 5, "module_path": None, "syntax": False, "listtasks": False,
    "listtags": False, "step": False, "start_at_task": None, "args": ["site.yml"],
}
content = {"changed": False, "msg": "benchmark result"}
yaml = "- hosts: all\n  gather_facts: false\n  tasks:\n" + "".join(
    f"    - name: task {i}\n      debug:\n        msg: task {i}\n" for i in range(50))
def text(s): return "'" + s.replace("'", "''") + "'"
def blob(v): return "X'" + zlib.compress(json.dumps(v).encode()).hex() + "'"
def emit(name, value): print(f"{name}={json.dumps(value)}")
emit("ARGS_TEXT", text(json.dumps(arguments, separators=(",", ":"))))
emit("ARGS_BLOB", blob(arguments))
emit("CONTENT_TEXT", text(json.dumps(content, separators=(",", ":"))))
emit("CONTENT_BLOB", blob(content))
emit("EMPTY_DICT_BLOB", blob({}))
emit("EMPTY_LIST_BLOB", blob([]))
emit("FILE_TEXT", text(yaml))
emit("FILE_BLOB", "X'" + zlib.compress(yaml.encode()).hex() + "'")
emit("FILE_SHA1", text(hashlib.sha1(yaml.encode()).hexdigest()))
PY
)"

# Playbook p starts p x 10 minutes after $base and lasts 120 s; its results are spread over its first 100 s.
pstart="($base + p * 600000000)"
status_of="CASE WHEN x < 4 THEN 'failed' WHEN x < 5 THEN 'unreachable' WHEN x < 20 THEN 'skipped' ELSE 'ok' END"
counters="UPDATE hosts SET
  ok = (SELECT count(*) FROM results WHERE host_id = hosts.id AND status = 'ok'),
  changed = (SELECT count(*) FROM results WHERE host_id = hosts.id AND status = 'ok' AND changed),
  failed = (SELECT count(*) FROM results WHERE host_id = hosts.id AND status = 'failed' AND NOT ignore_errors),
  skipped = (SELECT count(*) FROM results WHERE host_id = hosts.id AND status = 'skipped'),
  unreachable = (SELECT count(*) FROM results WHERE host_id = hosts.id AND status = 'unreachable');"
# ARA (Debian's 1.5.8 schema) keeps datetimes as text.
dt() { echo "(strftime('%Y-%m-%d %H:%M:%S', ($1) / 1000000, 'unixepoch') || printf('.%06d', ($1) % 1000000))"; }

# group_sql P0 NP PER T H N T0 H0 R0 NAME: the rows of NP playbooks of one shape, ids P0+1..P0+NP, each with PER
# results over T tasks x H hosts (N results in all: the last playbook may have fewer); the group's tasks, hosts and
# results take the ids after T0, H0 and R0. Playbook p owns tasks T0+(p-P0-1)*T+1.. and hosts H0+(p-P0-1)*H+1..;
# result k (0-based in the group) belongs to playbook P0+k/PER+1, task (k%PER)/H, host (k%PER)%H. NAME is the SQL
# expression of the playbook's name.
group_sql() {
    local p0=$1 np=$2 per=$3 t=$4 h=$5 n=$6 t0=$7 h0=$8 r0=$9 name=${10}
    local spacing=$((100000000 / per)) tlen=$((100000000 / t)) lp="(p - $p0 - 1)"
    local playbooks_cte="WITH RECURSIVE s(p) AS (SELECT $((p0 + 1)) UNION ALL SELECT p + 1 FROM s WHERE p < $((p0 + np)))"
    local tasks_cte="WITH RECURSIVE s(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM s WHERE k < $((np * t - 1))),
  r AS (SELECT k, $p0 + k / $t + 1 AS p, k % $t AS t FROM s)"
    local hosts_cte="WITH RECURSIVE s(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM s WHERE k < $((np * h - 1))),
  r AS (SELECT k, $p0 + k / $h + 1 AS p, k % $h AS h FROM s)"
    local results_cte="WITH RECURSIVE s(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM s WHERE k < $((n - 1))),
  r AS (SELECT k, $p0 + k / $per + 1 AS p, (k % $per) / $h AS t, (k % $per) % $h AS h FROM s),
  v AS (SELECT k, p, t, h, (t * 7 + h * 13 + p * 3) % 100 AS x, $base + p * 600000000 + (t * $h + h) * $spacing AS st FROM r)"
    local tstart="$pstart + t * $tlen" tend="$pstart + t * $tlen + $tlen"
    if [[ $schema == anvil ]]; then
        # Anvil: times are integer microseconds, JSON is text, booleans 0/1.
        cat <<SQL
$playbooks_cte
INSERT INTO playbooks (id, created, updated, started, ended, name, ansible_version, client_version, python_version,
  server_version, status, arguments, path, controller, "user")
SELECT p, $pstart, $pstart + 120000000, $pstart, $pstart + 120000000, $name, '2.14.18', '1.7.4', '3.11.2',
  '1.7.4', CASE WHEN p % 10 = 0 THEN 'failed' ELSE 'completed' END, $ARGS_TEXT, '/srv/bench/site-' || (p % 10) || '.yml',
  'controller-' || (p % 3), 'bench' FROM s;
$playbooks_cte
INSERT INTO playbooks_labels (playbook_id, label_id) SELECT p, 1 FROM s;
$playbooks_cte
INSERT INTO plays (id, created, updated, started, ended, name, uuid, status, playbook_id)
SELECT p, $pstart, $pstart, $pstart, $pstart + 120000000, 'bench play', printf('%08x-0000-4000-8000-%012x', p, p), 'completed', p FROM s;
$playbooks_cte
INSERT INTO files (id, created, updated, path, content_id, playbook_id)
SELECT p, $pstart, $pstart, '/srv/bench/site-' || (p % 10) || '.yml', 1, p FROM s;
$tasks_cte
INSERT INTO tasks (id, created, updated, started, ended, name, uuid, action, lineno, tags, handler, status, file_id, play_id, playbook_id)
SELECT $t0 + k + 1, $tstart, $tend, $tstart, $tend,
  'task ' || t, printf('%08x-0000-4000-9000-%012x', p, t), 'ansible.builtin.debug', 4 + t * 3, '[]', 0, 'completed', p, p, p FROM r;
$hosts_cte
INSERT INTO hosts (id, created, updated, name, facts, playbook_id)
SELECT $h0 + k + 1, $pstart, $pstart + 120000000, 'host-' || h, '{}', p FROM r;
$results_cte
INSERT INTO results (id, created, updated, started, ended, status, changed, ignore_errors, content, host_id, task_id, play_id, playbook_id)
SELECT $r0 + k + 1, st, st + 50000, st, st + 50000, $status_of, (x >= 20 AND x % 5 = 0), x < 1, $CONTENT_TEXT,
  $h0 + $lp * $h + h + 1, $t0 + $lp * $t + t + 1, p, p FROM v;
SQL
    else
        # ARA: datetimes as text, durations as bigint microseconds, JSON as zlib blobs.
        cat <<SQL
$playbooks_cte
INSERT INTO playbooks (id, created, updated, started, ended, name, ansible_version, status, arguments, path, duration, controller)
SELECT p, $(dt "$pstart"), $(dt "$pstart + 120000000"), $(dt "$pstart"), $(dt "$pstart + 120000000"), $name,
  '2.14.18', CASE WHEN p % 10 = 0 THEN 'failed' ELSE 'completed' END, $ARGS_BLOB, '/srv/bench/site-' || (p % 10) || '.yml',
  120000000, 'controller-' || (p % 3) FROM s;
$playbooks_cte
INSERT INTO playbooks_labels (playbook_id, label_id) SELECT p, 1 FROM s;
$playbooks_cte
INSERT INTO plays (id, created, updated, started, ended, name, uuid, playbook_id, duration, status)
SELECT p, $(dt "$pstart"), $(dt "$pstart"), $(dt "$pstart"), $(dt "$pstart + 120000000"), 'bench play',
  printf('%08x00004000800%013x', p, p), p, 120000000, 'completed' FROM s;
$playbooks_cte
INSERT INTO files (id, created, updated, path, content_id, playbook_id)
SELECT p, $(dt "$pstart"), $(dt "$pstart"), '/srv/bench/site-' || (p % 10) || '.yml', 1, p FROM s;
$tasks_cte
INSERT INTO tasks (id, created, updated, started, ended, name, action, lineno, tags, handler, file_id, play_id, playbook_id, duration, status)
SELECT $t0 + k + 1, $(dt "$tstart"), $(dt "$tend"), $(dt "$tstart"),
  $(dt "$tend"), 'task ' || t, 'ansible.builtin.debug', 4 + t * 3, $EMPTY_LIST_BLOB, 0, p, p, p,
  $tlen, 'completed' FROM r;
$hosts_cte
INSERT INTO hosts (id, created, updated, name, facts, changed, failed, ok, skipped, unreachable, playbook_id)
SELECT $h0 + k + 1, $(dt "$pstart"), $(dt "$pstart + 120000000"), 'host-' || h, $EMPTY_DICT_BLOB, 0, 0, 0, 0, 0, p FROM r;
$results_cte
INSERT INTO results (id, created, updated, started, ended, content, host_id, play_id, playbook_id, task_id, changed,
  ignore_errors, duration, status)
SELECT $r0 + k + 1, $(dt st), $(dt "st + 50000"), $(dt st), $(dt "st + 50000"), $CONTENT_BLOB, $h0 + $lp * $h + h + 1, p, p,
  $t0 + $lp * $t + t + 1, (x >= 20 AND x % 5 = 0), x < 1, 50000, $status_of FROM v;
SQL
    fi
}

groups=$(group_sql 0 "$playbooks" "$per_playbook" "$tasks" "$hosts" "$results" 0 0 0 "'bench ' || (p % 10)")
if ((big)); then
    groups+=$'\n'$(group_sql "$playbooks" 1 "$big" "$big_tasks" "$big_hosts" "$big" $((playbooks * tasks)) $((playbooks * hosts)) \
        "$results" "'bench big'")
    playbooks=$((playbooks + 1))
fi

if [[ $schema == anvil ]]; then
    # The count tables of migration 0002 (playbook_counts, play_counts, task_counts) are kept by the schema's own
    # triggers as the rows go in (about 15% of the time); the check after the commit makes sure they add up.
    sql="PRAGMA synchronous=OFF;
BEGIN;
INSERT INTO labels (id, created, updated, name) VALUES (1, $base, $base, 'bench');
INSERT INTO file_contents (id, created, updated, sha1, contents) VALUES (1, $base, $base, $FILE_SHA1, $FILE_TEXT);
$groups
$counters
INSERT INTO latest_hosts (name, host_id, created, updated) SELECT name, max(id), $base, $base FROM hosts GROUP BY name;
COMMIT;"
    check="SELECT (SELECT count(*) FROM playbooks) = (SELECT count(*) FROM playbook_counts)
  AND (SELECT count(*) FROM plays) = (SELECT total(plays) FROM playbook_counts)
  AND (SELECT count(*) FROM tasks) = (SELECT total(tasks) FROM playbook_counts)
  AND (SELECT count(*) FROM hosts) = (SELECT total(hosts) FROM playbook_counts)
  AND (SELECT count(*) FROM files) = (SELECT total(files) FROM playbook_counts)
  AND (SELECT count(*) FROM results) = (SELECT total(results) FROM playbook_counts)
  AND (SELECT count(*) FROM results) = (SELECT total(results) FROM play_counts)
  AND (SELECT count(*) FROM results) = (SELECT total(results) FROM task_counts)
  AND (SELECT count(*) FROM tasks) = (SELECT total(tasks) FROM play_counts);"
else
    sql="PRAGMA synchronous=OFF;
BEGIN;
INSERT INTO labels (id, created, updated, name) VALUES (1, $(dt $base), $(dt $base), 'bench');
INSERT INTO file_contents (id, created, updated, sha1, contents) VALUES (1, $(dt $base), $(dt $base), $FILE_SHA1, $FILE_BLOB);
$groups
$counters
INSERT INTO latest_hosts (name, created, updated, host_id) SELECT name, $(dt $base), $(dt $base), max(id) FROM hosts GROUP BY name;
COMMIT;"
    check=""
fi

printf '%s\n' "$sql" | sqlite3 -bail "$db" >/dev/null
if [[ -n $check ]]; then
    [[ $(sqlite3 "$db" "$check") == 1 ]] || die "$db: the count tables (playbook_counts, play_counts, task_counts) do not match the rows"
fi
echo "$playbooks"
