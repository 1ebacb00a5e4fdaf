#!/bin/bash
# Paced real-time soak of the streaming pipeline (issue 6): streams the generated demo sound
# through the committed NS1 StateNet-GRU model for SECONDS, samples the resident memory once a
# minute and keeps the latency histogram and /usr/bin/time's report.
#   scripts/soak.sh [SECONDS=3600] [OUT=out/soak]   (STATENET=path overrides build/statenet)
set -euo pipefail
seconds=${1:-3600}
out=${2:-out/soak}
statenet=${STATENET:-build/statenet}
mkdir -p "$out"
: > "$out/rss_kib.txt"
/usr/bin/time -v -o "$out/time.txt" "$statenet" stream --input demo --seconds "$seconds" --view off \
    --latency-json "$out/latency.json" > "$out/stream.txt" 2>&1 &
timer=$!
sleep 2
while kill -0 "$timer" 2> /dev/null; do
  pid=$(pgrep -P "$timer" || true)
  [ -n "$pid" ] && echo "$(date +%s) $(ps -o rss= -p "$pid" | tr -d ' ')" >> "$out/rss_kib.txt"
  for _ in $(seq 60); do kill -0 "$timer" 2> /dev/null || break; sleep 1; done
done
wait "$timer"
cat "$out/stream.txt"
grep -E "Maximum resident|Elapsed" "$out/time.txt"
