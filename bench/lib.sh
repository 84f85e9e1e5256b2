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
