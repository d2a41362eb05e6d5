#!/usr/bin/env bash
# Throughput benchmark: builds clinex, makes a corpus of MB megabytes by
# repeating ../shared/corpus/e3c-bulk (ids made unique), and prints MB/s,
# documents/s and peak memory for extract to JSONL, to JSONL + XLSX, with one
# worker and with the default, and on a corpus ten times smaller to show how
# time scales; then the start-up time (load, validate and compile every
# built-in pattern, then one short text: `clinex try`), best of 5.
#
# The machine is shared: wall-clock figures move with the load; the CPU
# seconds (user+sys) printed beside them move less.
#
#   scripts/bench.sh        # 60 MB, the figures in the README
#   scripts/bench.sh 3      # a quick run (CI checks that it completes)
set -euo pipefail
cd "$(dirname "$0")/.."
mb=${1:-60}
src=../shared/corpus/e3c-bulk/e3c-layer3-en.jsonl
[ -f "$src" ] || { echo "bench: $src is missing" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/clinex" ./cmd/clinex

make_corpus() { # make_corpus MB FILE
  local want=$(( $1 * 1000000 )) out=$2 i=0
  : > "$out"
  while [ "$(stat -c %s "$out")" -lt "$want" ]; do
    i=$((i + 1))
    sed "s/\"id\": \"\([^\"]*\)\"/\"id\": \"\1-r$i\"/" "$src" >> "$out"
  done
  # cut to the size asked for, at a line end
  head -c "$want" "$out" | sed '$d' > "$out.cut" && mv "$out.cut" "$out"
}

timed() { # timed NAME CORPUS ARGS...: one run, one line of figures
  local name=$1 corpus=$2; shift 2
  local out="$work/out-$name" bytes docs t0 t1 secs rss="n/a"
  rm -f "$work/time.txt"
  bytes=$(stat -c %s "$corpus")
  docs=$(wc -l < "$corpus")
  t0=$(date +%s.%N)
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -v -o "$work/time.txt" "$work/clinex" extract "$corpus" --out "$out" -q "$@"
    rss=$(awk -F': ' '/Maximum resident/ {printf "%.0f MB", $2/1024}' "$work/time.txt")
  else
    "$work/clinex" extract "$corpus" --out "$out" -q "$@"
  fi
  t1=$(date +%s.%N)
  secs=$(echo "$t1 - $t0" | bc -l)
  cpu="n/a"
  [ -f "$work/time.txt" ] && cpu=$(awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {printf "%.2f s", u+s}' "$work/time.txt")
  printf '%-28s %6.1f MB  %8d docs  %7.2f s  %7.2f MB/s  %8.0f docs/s  peak %s  cpu %s\n' \
    "$name" "$(echo "$bytes / 1000000" | bc -l)" "$docs" "$secs" \
    "$(echo "$bytes / 1000000 / $secs" | bc -l)" "$(echo "$docs / $secs" | bc -l)" "$rss" "$cpu"
  echo "$secs" > "$work/secs-$name"
  echo "${cpu% s}" > "$work/cpu-$name"
}

make_corpus "$mb" "$work/big.jsonl"
small=$(( mb / 10 )); [ "$small" -ge 1 ] || small=1
make_corpus "$small" "$work/small.jsonl"
# The corpora were just written: flush them now, so the kernel's writeback
# of them does not run during (and get timed with) the first runs.
sync
echo "clinex benchmark on $(nproc) cores: a ${mb} MB corpus and a ${small} MB one"
timed "jsonl, default workers" "$work/big.jsonl" --format jsonl
timed "jsonl+xlsx, default workers" "$work/big.jsonl" --format jsonl,xlsx
timed "jsonl, 1 worker" "$work/big.jsonl" --format jsonl --workers 1
timed "jsonl, small corpus" "$work/small.jsonl" --format jsonl
printf 'time ratio big/small: %.1f (corpus ratio %.1f)\n' \
  "$(echo "$(cat "$work/secs-jsonl, default workers") / $(cat "$work/secs-jsonl, small corpus")" | bc -l)" \
  "$(echo "$(stat -c %s "$work/big.jsonl") / $(stat -c %s "$work/small.jsonl")" | bc -l)"
if [ "$(cat "$work/cpu-jsonl, small corpus")" != "n/a" ]; then
  printf 'cpu time ratio big/small: %.1f\n' \
    "$(echo "$(cat "$work/cpu-jsonl, default workers") / $(cat "$work/cpu-jsonl, small corpus")" | bc -l)"
fi

# Start-up: every command loads, validates and compiles the patterns before
# its first document; `try` on a short text is that and almost nothing else.
best="" bestcpu=""
for _ in 1 2 3 4 5; do
  t0=$(date +%s.%N)
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f '%U %S' -o "$work/time.txt" "$work/clinex" try "Hb 10.2 g/dL" > /dev/null
  else
    "$work/clinex" try "Hb 10.2 g/dL" > /dev/null
  fi
  t1=$(date +%s.%N)
  ms=$(echo "($t1 - $t0) * 1000" | bc -l)
  if [ -z "$best" ] || [ "$(echo "$ms < $best" | bc -l)" = 1 ]; then best=$ms; fi
  if [ -f "$work/time.txt" ]; then
    c=$(awk '{printf "%.0f", ($1 + $2) * 1000}' "$work/time.txt")
    if [ -z "$bestcpu" ] || [ "$c" -lt "$bestcpu" ]; then bestcpu=$c; fi
  fi
done
printf 'start-up (clinex try, best of 5): %.0f ms wall, %s ms cpu\n' "$best" "${bestcpu:-n/a}"
