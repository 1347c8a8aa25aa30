#!/usr/bin/env bash
# Measures issue 8's field day over ../shared/fieldnet: a laptop sends a day of notes (500
# annotations with notes, colors and tags, 100 of them edited) to the hub with one unattended
# `gloss sync`, over 64 kbit/s, 10 % loss and 300 ms round trip, with no cut, a 5 s cut every
# 30 s and a 5 s cut every 10 s. Needs root, nftables and iptables, and the fieldnet harness.
#
#   Tests/Field/field-day.sh [GLOSS_BINARY] [FIELDNET_DIR]
#   DAY_ANNOTATIONS=1500 DAY_EDITS=300 Tests/Field/field-day.sh     # a bigger day (default 500, 100)
#
# Prints one line per profile: wall time, attempts, bytes on the wire each way (L2, from the
# link's counters), gloss's own resent_bytes, and whether the hub holds the whole day.
set -euo pipefail
FIELDNET="$(realpath "${2:-../shared/fieldnet}")/fieldnet.sh"
ARTICLE="$(cd "$(dirname "$0")/../.." && pwd)/Sources/gloss/Resources/sample-article.txt"
WORK="$(mktemp -d /tmp/gloss-field-day.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
# A copy of the binary: a build during the run cannot change what is measured.
cp "${1:-.build/debug/gloss}" "$WORK/gloss"
GLOSS="$WORK/gloss"
cd "$WORK"
g() { "$GLOSS" "$@"; }

# The pristine pair: the hub with the article, the laptop cloned from it, each trusting the other.
g init --store hub.sqlite --name hub >/dev/null
article=$(g import "$ARTICLE" --store hub.sqlite)
g bundle create start.bundle --store hub.sqlite >/dev/null
g clone start.bundle --store laptop.sqlite --name laptop >/dev/null
g trust "$(g id --store laptop.sqlite --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["device"])')" \
    --role read-write --store hub.sqlite >/dev/null
HUB_DEVICE=$(g id --store hub.sqlite --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["device"])')
mapfile -t quotes < <(python3 -c '
import re, sys
words = re.findall(r"[A-Za-z]{7,}", open(sys.argv[1]).read())
seen = []
for w in words:
    if w not in seen: seen.append(w)
print("\n".join(seen))' "$ARTICLE")
ids=()
ANNOTATIONS="${DAY_ANNOTATIONS:-500}"
EDITS="${DAY_EDITS:-100}"
for i in $(seq 0 $((ANNOTATIONS - 1))); do
    colors=(yellow green red); tags=(verify quote follow-up)
    ids+=("$(g annotate "$article" --quote "${quotes[$((i % ${#quotes[@]}))]}" --occurrence 1 \
        --note "Source $i confirmed this by phone; check the second paragraph again." \
        --color "${colors[$((i % 3))]}" --tag "${tags[$((i % 3))]}" --store laptop.sqlite)")
done
for i in $(seq 0 $((EDITS - 1))); do
    g edit "${ids[$((i * 5))]}" --note "Edited: source $i asked not to be named." --store laptop.sqlite >/dev/null
done
echo "field day: $(g status --json --store laptop.sqlite | python3 -c 'import json,sys; s=json.load(sys.stdin); print(sum(s["clock"].values()), "changes on the laptop")')" >&2

run_profile() {
    local name="$1"; shift
    rm -rf run && mkdir run && cp hub.sqlite laptop.sqlite run/
    local out
    out=$("$FIELDNET" --rate 64kbit --loss 10 --delay 150 --timeout 900 "$@" --json run/net.json \
        -- "$GLOSS" serve --store "$WORK/run/hub.sqlite" --listen 10.231.0.1:7700 \
        ::: "$GLOSS" sync 10.231.0.1:7700 --expect "$HUB_DEVICE" --json --timeout 14m --store "$WORK/run/laptop.sqlite" \
        2>run/fieldnet.err | head -1) || true
    python3 - "$name" "$out" run/net.json <<'PY'
import json, sys
name, out, net = sys.argv[1], sys.argv[2], json.load(open(sys.argv[3]))
try:
    s = json.loads(out)
except ValueError:
    s = {}
up, down = net["field_to_hub"], net["hub_to_field"]
print(f'{name}: exit {net["client_exit"]}, {net["wall_s"]:.1f} s, cuts {net["cuts"]}, attempts {s.get("attempts")}, '
      f'sent {s.get("sent")} changes; wire field->hub {up["sent_bytes"]} B, hub->field {down["sent_bytes"]} B; '
      f'gloss bytes_sent (last session) {s.get("bytes_sent")}, resent_bytes {s.get("resent_bytes")}; '
      f'tcp retrans {net["tcp"]["field_retrans_segs"]}/{net["tcp"]["field_out_segs"]} segs')
PY
    g status --json --store run/hub.sqlite | python3 -c 'import json,sys; s=json.load(sys.stdin); print("  hub now holds", sum(s["clock"].values()), "changes")'
}

run_profile "no cut"
run_profile "5 s cut every 30 s" --cut-every 30 --cut-for 5
run_profile "5 s cut every 10 s" --cut-every 10 --cut-for 5
