#!/usr/bin/env bash
# The whole test suite. Installs what the tests need (Debian packages) when missing, then runs every test project.
#   ./test.sh           everything (what CI runs)
#   ./test.sh --quick   the unit tests only: every test not tagged [Trait("Category", "Integration")], i.e. none
#                       that runs Ansible, the reference tools, a browser or Anvil's own processes
set -euo pipefail
quick=0
case "${1:-}" in
  --quick) quick=1 ;;
  "") ;;
  -h|--help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "test.sh: unknown argument '$1' (try --quick or --help)" >&2; exit 2 ;;
esac
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"

missing=()
command -v ansible-playbook >/dev/null 2>&1 || missing+=(ansible-core)
/usr/bin/python3 -c 'import ansible_runner' >/dev/null 2>&1 || missing+=(python3-ansible-runner)
/usr/bin/python3 -c 'import ara' >/dev/null 2>&1 || missing+=(python3-ara)
[[ -x /usr/bin/time ]] || missing+=(time)
# The records tests start throwaway PostgreSQL 15 clusters of their own on 127.0.0.1.
[[ -x /usr/lib/postgresql/15/bin/initdb && -x /usr/lib/postgresql/15/bin/psql ]] || missing+=(postgresql-15)
# The web UI tests drive Debian's Chromium through Playwright (never Playwright's own browser download).
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
# The runner's process isolation (bubblewrap) and env/ssh_key (ssh-agent, ssh-add; ssh-keygen makes test keys).
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
# Collections: the interop tests build every collection Debian's ansible package ships, with Anvil and ansible-galaxy.
[[ -d /usr/lib/python3/dist-packages/ansible_collections ]] || missing+=(ansible)
# ansible-galaxy's `manifest:` build mode (compared byte for byte with Anvil's) needs distlib.
/usr/bin/python3 -c 'import distlib' >/dev/null 2>&1 || missing+=(python3-distlib)
command -v ssh-agent >/dev/null 2>&1 && command -v ssh-keygen >/dev/null 2>&1 || missing+=(openssh-client)
if ((${#missing[@]})); then
  echo "test.sh: installing ${missing[*]} (Debian packages the tests run for real)"
  if [[ $(id -u) -ne 0 ]]; then
    echo "test.sh: need root to install ${missing[*]}; run: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v dotnet >/dev/null 2>&1 || { echo "test.sh: the .NET 10 SDK (dotnet) is required" >&2; exit 1; }

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
filter=()
((quick)) && filter=(--filter "Category!=Integration")
# The code must be formatted as .editorconfig says (whitespace, style and analyzers); a diff fails the run.
if ! dotnet format Anvil.slnx --verify-no-changes -v q >"$log" 2>&1; then
  cat "$log"
  echo "test.sh: 'dotnet format Anvil.slnx' would change files (run it, then commit)" >&2
  exit 1
fi
# The console logger at "minimal" prints each failed test with its message and stack (-v quiet alone hides them).
dotnet test Anvil.slnx -c Release --nologo -v quiet --logger "console;verbosity=minimal" "${filter[@]}" 2>&1 | tee "$log" || status=$?

# One closing line for CI: the sum over all test projects.
passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -Eo 'Skipped: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
if ((status == 0 && passed == 0)); then
  echo "test.sh: no test ran" >&2
  exit 1
fi
exit "$status"
