#!/bin/sh
# requires: root
# test_counters.sh - the statistics counters and the entry tools: what
# the service counts (clock injected), greyspf-stat --counters as text,
# JSON and a Prometheus textfile, the dump/load round trip with every
# key kind, greyspf-stat's filters, greyspf-delete, greyspf-clean of
# old counters.
. "$(dirname "$0")/lib.sh"
need faketime python3

W=$T/w
mkdir -p "$W/config" "$W/db"
chmod 755 "$T" "$W"
printf 'CHECKERS = greylist\nGREYLISTTIME = 600\n' >"$W/config/__default__"
chmod -R a+rX "$W/config"
cat >"$W/g.conf" <<EOC
database = $W/db
configPath = $W/config
user = nobody
autoWhitelistClients = 2
EOC
chown nobody "$W/db" 2>/dev/null || :
NOW=1795849200		# 2026-11-28 07:00:00 UTC, an hour's start
req() {	# req CLIENT SENDER RECIPIENT
	printf 'client_address=%s\nsender=%s\nrecipient=%s\n\n' "$1" "$2" "$3"
}
clock() { TZ=UTC date -d "@$((NOW + $1))" '+%Y-%m-%d %H:%M:%S'; }
at() {	# at SECONDS-AFTER-NOW: greyspf (one session) with that clock
	TZ=UTC faketime -f "$(clock "$1")" "$BIN/greyspf" -L -c "$W/g.conf"
}
tool() {	# tool SECONDS-AFTER-NOW PROGRAM ARGS...: a tool at that clock
	s=$1 p=$2
	shift 2
	env TZ=UTC faketime -f "$(clock "$s")" "$BIN/$p" -c "$W/g.conf" "$@"
}

# 07:00 two new triplets and a null sender (one session); 07:05 one
# retried too early; 07:20 its first pass (delay 1200 s: the 1800
# bucket); 08:10 it again (a known triplet) and two new ones; 08:30 the
# other's first pass (5400 s: the 7200 bucket), the client's second
# counted pass: auto-whitelisted; 08:40 a triplet of it, whitelisted.
{ req 192.0.2.1 a@x.org r@example.org; req 192.0.2.1 b@x.org r@example.org
  req 192.0.2.1 '' r@example.org; } | at 0 >/dev/null 2>&1
req 192.0.2.1 a@x.org r@example.org | at 300 >/dev/null 2>&1
req 192.0.2.1 a@x.org r@example.org | at 1200 >/dev/null 2>&1
{ req 192.0.2.1 a@x.org r@example.org; req 192.0.2.1 c@x.org r@example.org
  req 198.51.100.1 d@y.org r@example.org; } | at 4200 >/dev/null 2>&1
req 192.0.2.1 b@x.org r@example.org | at 5400 >/dev/null 2>&1
req 192.0.2.1 c@x.org r@example.org | at 6000 >/dev/null 2>&1

t_ok "stat --counters" tool 7200 greyspf-stat --counters --days 1
cp "$T/.out" "$W/text"
t_line "period: the last day, to the end of the hour" \
    "Counters from 2026-11-27T10:00:00.000000Z to 2026-11-28T10:00:00.000000Z (2 hours with counts)" "$W/text"
for l in "Requests: 10" "Greylisted, new: 4" \
    "Greylisted, retried too early: 1" "Passed after greylisting: 2" \
    "Not passed (share of new): 50.0%" "Passed, known triplets: 1" \
    "No greylist decision: 1" "Auto-whitelist: 1" "up to 30m: 1" \
    "up to 2h: 1" "Mean: 55m00s"; do
	t_line "text: $l" "  $l" "$W/text"
done
t_line "text: one line a day" "  2026-11-28 requests=10 greylist_new=4 greylist_early=1 pass_first=2 pass_known=1 no_key=1 whitelist_auto=1 delay_le_1800=1 delay_le_7200=1 delay_sum_s=6600" "$W/text"
# One hour: 08:00-09:00.
t_ok "stat --counters --since --until --json" tool 7200 greyspf-stat \
    --counters --since 2026-11-28T08 --until 2026-11-28T09:00:00Z --json
cp "$T/.out" "$W/json"
t_ok "JSON: the hour's counts, every counter named" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
c = d["counters"]
assert d["hours"] == 1 and d["since_us"] == 1795852800000000, d
assert c["requests"] == 5 and c["pass_known"] == 1 and c["greylist_new"] == 2
assert c["whitelist_auto"] == 1 and c["pass_first"] == 1, c
assert c["delay_le_7200"] == 1 and c["delay_sum_s"] == 5400, c
assert c["spf_helo_permerror"] == 0 and len(c) == 39, len(c)
assert d["total"]["requests"] == 10, d["total"]
assert d["days"][0]["day"] == "2026-11-28"
' "$W/json"
t_rc "--days 0" 2 tool 0 greyspf-stat --counters --days 0
t_rc "--since not a time" 2 tool 0 greyspf-stat --counters --since 2026-02-30
t_rc "--days with --since" 2 tool 0 greyspf-stat --counters --days 2 \
    --since 2026-11-28
t_rc "--counters with a filter" 2 tool 0 greyspf-stat --counters \
    --client 192.0.2.1
t_rc "--since after --until" 1 tool 0 greyspf-stat --counters \
    --since 2026-11-29 --until 2026-11-28

# Prometheus: the running totals, replacing the file atomically.
mkdir "$W/prom"
echo old >"$W/prom/greyspf.prom"
t_ok "--prometheus" tool 7200 greyspf-stat --prometheus "$W/prom/greyspf.prom"
t_eq "--prometheus prints nothing" "$(cat "$T/.out")" ""
P=$W/prom/greyspf.prom
for l in 'greyspf_requests_total 10' \
    'greyspf_greylist_total{result="new"} 4' \
    'greyspf_whitelisted_total{kind="auto"} 1' \
    'greyspf_first_pass_delay_seconds_bucket{le="900"} 0' \
    'greyspf_first_pass_delay_seconds_bucket{le="1800"} 1' \
    'greyspf_first_pass_delay_seconds_bucket{le="3600"} 1' \
    'greyspf_first_pass_delay_seconds_bucket{le="+Inf"} 2' \
    'greyspf_first_pass_delay_seconds_sum 6600' \
    'greyspf_first_pass_delay_seconds_count 2' \
    '# TYPE greyspf_spf_results_total counter' \
    'greyspf_spf_results_total{identity="helo",result="pass"} 0'; do
	t_line "prometheus: $l" "$l" "$P"
done
t_eq "the directory holds the file alone (no temporary left)" \
    "$(ls -A "$W/prom")" greyspf.prom
t_eq "mode 0644, for node-exporter" "$(stat -c %a "$P")" 644
t_rc "--prometheus into a missing directory" 1 tool 0 greyspf-stat \
    --prometheus "$W/missing/x.prom"

# Dump and load: every kind (triplets with a pass time, awl, counters)
# round trips byte for byte.
t_ok "dump" "$BIN/greyspf-dump" -d "$W/db"
cp "$T/.out" "$W/dump1"
t_grep "the dump has an auto-whitelist line" '^awl 192\.0\.2\.1/32 ' "$W/dump1"
t_grep "the dump has the first pass's time" \
    "^triplet 192\.0\.2\.1/32 a@x\.org r@example\.org .* 2 - $((NOW + 1200))\.000000$" "$W/dump1"
t_grep "the dump has the counters" \
    "^counters total 0 requests=10,greylist_new=4," "$W/dump1"
t_ok "load into a new database" "$BIN/greyspf-load" -d "$W/db2" "$W/dump1"
t_ok "dump it" "$BIN/greyspf-dump" -d "$W/db2"
t_same "round trip, byte for byte" "$T/.out" "$W/dump1"
sed 's/^counters hour \([0-9]*\) /counters hour 1 /' "$W/dump1" >"$W/bad"
t_rc "load: a bad counters line" 1 "$BIN/greyspf-load" -d "$W/db3" "$W/bad"
t_grep "load: said where" 'bad:[0-9]+: start is not the start of its period' "$T/.err"

t_ok "stat --json with every kind" tool 7200 greyspf-stat -d "$W/db2" --json
cp "$T/.out" "$W/json"
t_ok "JSON: triplets with their pass, the auto-whitelist entry" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
e = d["entries"]
assert [x["type"] for x in e] == ["awl", "triplet", "triplet", "triplet",
    "triplet"], e
assert e[0]["state"] == "whitelisted" and e[0]["passes"] == 2, e[0]
assert e[1]["delay_s"] == 1200 and "first_pass_us" not in e[3], e
s = d["summary"]
assert s["entries"] == 4 and s["awl"] == 1 and s["counter_keys"] == 4, s
' "$W/json"

# Filters.
t_ok "stat --client" tool 7200 greyspf-stat -d "$W/db2" --client 192.0.2.0/24
t_grep "--client: the network's entries" '^  Entries: 3$' "$T/.out"
t_grep "--client: its auto-whitelist entry" '^TYPE=awl IP=192\.0\.2\.1/32 ' "$T/.out"
t_nogrep "--client: no other client" '198\.51\.100\.' "$T/.out"
t_ok "stat --sender @domain" tool 7200 greyspf-stat -d "$W/db2" \
    --sender @Y.ORG
t_grep "--sender @domain, lower-cased" '^  Entries: 1$' "$T/.out"
t_ok "stat --state" tool 7200 greyspf-stat -d "$W/db2" --state passed
t_grep "--state passed" '^  Entries: 2$' "$T/.out"
t_grep "--state passed: its pass time" \
    'SENDER=b@x\.org .* FIRSTPASS=2026-11-28T08:30:00\.000000Z STATE=passed' \
    "$T/.out"
t_ok "stat --recipient, --sender and --state" tool 7200 greyspf-stat \
    -d "$W/db2" --recipient r@example.org --sender @y.org \
    --state unretried --json
cp "$T/.out" "$W/json"
t_ok "JSON: filtered summary" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["summary"]["entries"] == 1 and d["summary"]["awl"] == 0, d["summary"]
assert d["entries"][0]["sender"] == "d@y.org"
' "$W/json"
t_rc "stat: bad --client" 2 tool 0 greyspf-stat --client 192.0.2.300
t_rc "stat: bad --state" 2 tool 0 greyspf-stat --state gone

# greyspf-delete: one triplet, then every entry of a client.
t_rc "delete with no filter" 2 "$BIN/greyspf-delete" -d "$W/db2"
t_ok "delete -n" tool 7200 greyspf-delete -n -d "$W/db2" --client 192.0.2.1
t_line "delete -n counts" "dry run: deleted=4" "$T/.out"
"$BIN/greyspf-dump" -d "$W/db2" >"$W/after"
t_same "delete -n changes nothing" "$W/after" "$W/dump1"
t_ok "delete one triplet" tool 7200 greyspf-delete -d "$W/db2" \
    --client 192.0.2.1 --sender b@x.org --recipient r@example.org
t_line "one deleted" "deleted=1" "$T/.out"
"$BIN/greyspf-dump" -d "$W/db2" >"$W/after"
t_nogrep "that triplet is gone" ' b@x\.org ' "$W/after"
t_grep "its neighbours stay" ' a@x\.org ' "$W/after"
t_ok "delete every entry of a client" tool 7200 greyspf-delete -q \
    -d "$W/db2" --client 192.0.2.1
t_eq "delete -q prints nothing" "$(cat "$T/.out")" ""
"$BIN/greyspf-dump" -d "$W/db2" >"$W/after"
t_nogrep "the client's entries are gone, auto-whitelist too" \
    '192\.0\.2\.1/' "$W/after"
t_grep "another client's stay" '^triplet 198\.51\.100\.1/32 ' "$W/after"
t_grep "the counters stay" '^counters total 0 ' "$W/after"
t_ok "delete: none matching" tool 7200 greyspf-delete -d "$W/db2" \
    --client 203.0.113.0/24
t_line "none matching: deleted=0" "deleted=0" "$T/.out"

# Clean: hours and days older than counterDays go, the total stays.
printf 'counterDays = 1\n' >>"$W/g.conf"
t_ok "clean -n two days on" tool $((3 * 86400)) greyspf-clean -n -d "$W/db2"
t_ok "clean two days on" tool $((3 * 86400)) greyspf-clean -d "$W/db2"
"$BIN/greyspf-dump" -d "$W/db2" >"$W/after"
t_nogrep "old hours and days dropped" '^counters (hour|day) ' "$W/after"
t_grep "the total kept" '^counters total 0 requests=10,' "$W/after"

# store_add_counts() on LMDB (one transaction) against db/counter.c's
# rule, byte for byte: stored values valid, absent and undecodable;
# counts near 2^64 (saturating); one to three keys at once.
t_ok "counts added on LMDB as db/counter.c adds them" \
    "$BUILD/tests/countadd" "lmdb:$W/countadd" "" 2000 7
