#!/bin/sh
# test_stat_clean.sh - greyspf-stat's states and expiry times, and
# greyspf-clean's rules (per-entity GREYLISTEXPIREDAYS, 12 hours for the
# never retried, corrupt records), with time injected by faketime.
. "$(dirname "$0")/lib.sh"
need faketime mdb_load python3

DATA=$(dirname "$0")/../data
NOW=1795236000		# a minute after the baseline's last request
# frozen - the rest of the line with the clock frozen at NOW: times
# compared with it are exact
frozen() { TZ=UTC faketime -f "$(TZ=UTC date -d "@$NOW" '+%Y-%m-%d %H:%M:%S')" "$@"; }
"$BIN/greyspf-load" -d "$T/db" "$DATA/dump-v1.in" >/dev/null

t_ok "stat" frozen "$BIN/greyspf-stat" -d "$T/db"
S=$T/stat
cp "$T/.out" "$S"
t_grep "stat: environment" '^  Page size: 4096$' "$S"
t_grep "stat: the backend and what it promises" '^  Guarantees: ordered walk, snapshot, atomic load$' "$S"
t_grep "stat: the backend named" '^  Backend: lmdb$' "$S"
t_grep "stat: IP-only passed" '^TYPE=iponly IP=198.51.100.0/24 FIRST=2026-11-21T04:28:59.500000Z\(inferred\) LAST=2026-11-21T04:39:00.250000Z ALLOW=2026-11-21T04:38:59.500000Z PASSES=1 STATE=passed EXPIRESIN=9d23h$' "$S"
t_grep "stat: null sender shown as <>, unretried, 12 h rule" '^TYPE=triplet IP=203.0.113.0/24 SENDER=<> RECIPIENT=postmaster@example.org .* STATE=unretried EXPIRESIN=11h58m$' "$S"
t_grep "stat: pending" 'SENDER=%2eleading@example.com RECIPIENT=%C3%A9quipe@ex%C3%A4mple.com .* STATE=pending EXPIRESIN=12h58m$' "$S"
t_grep "stat: IPv6 network" '^TYPE=triplet IP=2001:db8:1:2::/64 SENDER=alice@example.com .* FIRST=2026-11-21T04:38:57.173611Z LAST=' "$S"
t_grep "stat: collapsed IPv6" '^TYPE=iponly IP=::/0 ' "$S"
for kv in "Entries: 6" "Triplets: 4" "IP only: 2" "IPv4: 4" "IPv6: 2" \
    "Pending: 1" "Allowed, not retried: 1" "Passed: 4" \
    "Expired \(clean would drop\): 0" "Undecodable: 0"; do
	t_grep "stat summary: $kv" "^  $kv\$" "$S"
done
t_ok "stat -s" frozen "$BIN/greyspf-stat" -s -d "$T/db"
t_nogrep "stat -s: no entries" '^TYPE=' "$T/.out"
t_ok "stat --json" frozen "$BIN/greyspf-stat" --json -d "$T/db"
cp "$T/.out" "$T/json"
t_ok "stat --json parses" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
e = d["entries"]
assert d["summary"] == {"entries": 6, "triplet": 4, "iponly": 2, "ipv4": 4,
    "ipv6": 2, "pending": 1, "unretried": 1, "passed": 4, "expired": 0,
    "undecodable": 0, "awl": 0, "awl_whitelisted": 0, "counter_keys": 0}, \
    d["summary"]
assert e[1]["sender"] == "<>" and e[1]["state"] == "unretried"
# the clock frozen at NOW: exact.
assert e[1]["expires_in_s"] == 1795235939 + 43200 - 1795236000, e[1]
assert e[5]["first_seen_us"] == 1795235937173611
assert e[5]["first_seen_inferred"] is False
assert "sender" not in e[0]
env = d["environment"]
assert env["backend"] == "lmdb" and env["page_size"] == 4096, env
assert env["guarantees"] == "ordered walk, snapshot, atomic load", env
assert env["map_size"] >= env["bytes_used"] > 0, env
' "$T/json"

# Clean, with a per-entity tree: example.org recipients expire after a day.
C=$T/config
mkdir -p "$C/envelope_recipient/example.org"
printf 'GREYLISTEXPIREDAYS = 10\nOTHERCONFIGS = client_address,envelope_sender,envelope_recipient\n' >"$C/__default__"
printf 'GREYLISTEXPIREDAYS = 1\n' >"$C/envelope_recipient/example.org/__default__"
printf "configPath = 'file://%s'\n" "$C" >"$T/master.conf"
LATER=$((1795235940 + 2 * 86400))
"$BIN/greyspf-dump" -d "$T/db" >"$T/before"
t_ok "clean -n" faketime "@$LATER" "$BIN/greyspf-clean" -n -c "$T/master.conf" -d "$T/db"
t_grep "clean -n counts" '^dry run: kept=2 dropped=4$' "$T/.out"
"$BIN/greyspf-dump" -d "$T/db" >"$T/now"
t_same "clean -n changed nothing" "$T/now" "$T/before"
t_ok "stat agrees with clean" faketime "@$LATER" "$BIN/greyspf-stat" -s -c "$T/master.conf" -d "$T/db"
t_grep "stat: expired count" '^  Expired \(clean would drop\): 4$' "$T/.out"
t_ok "clean without config: defaults" faketime "@$LATER" "$BIN/greyspf-clean" -n -d "$T/db"
t_grep "clean default: 10 days, 12 hours" '^dry run: kept=4 dropped=2$' "$T/.out"
t_ok "clean, batch of 1" faketime "@$LATER" "$BIN/greyspf-clean" -b 1 -c "$T/master.conf" -d "$T/db"
t_grep "clean counts" '^kept=2 dropped=4$' "$T/.out"
"$BIN/greyspf-dump" -d "$T/db" | grep -c '^iponly' >"$T/n"
t_eq "clean kept the two passed IP-only entries" "$(cat "$T/n")" 2
t_ok "clean again" faketime "@$LATER" "$BIN/greyspf-clean" -c "$T/master.conf" -d "$T/db"
t_grep "clean is idempotent" '^kept=2 dropped=0$' "$T/.out"
# -q, as in README's cron line: nothing at all unless something fails.
t_ok "clean -q" faketime "@$LATER" "$BIN/greyspf-clean" -q -c "$T/master.conf" -d "$T/db"
t_eq "clean -q: nothing on stdout" "$(cat "$T/.out")" ""
t_eq "clean -q: nothing on stderr" "$(cat "$T/.err")" ""
t_rc "clean -q: a failure" 1 "$BIN/greyspf-clean" -q -d /dev/null/db
t_grep "clean -q: a failure is still reported" '/dev/null/db' "$T/.err"

# Corrupt records: stat and dump report them, clean deletes them.
printf 'VERSION=3\nformat=print\ntype=btree\nHEADER=END\n \\01\\04\\0a\\00\\00\\00\\08I\n \\09garbage\n junk-key\n \\01\\00\\00\\00\\00\\00\nDATA=END\n' >"$T/corrupt.mdb"
t_ok "inject corrupt records" mdb_load -f "$T/corrupt.mdb" "$T/db"
t_ok "stat with corrupt records" "$BIN/greyspf-stat" -s -d "$T/db"
t_grep "stat counts undecodable" '^  Undecodable: 2$' "$T/.out"
t_rc "dump with corrupt records exits 1" 1 "$BIN/greyspf-dump" -d "$T/db"
t_grep "dump names the bad key" 'undecodable entry, key 01040a00000008 49|undecodable entry, key 01040a0000000849' "$T/.err"
t_ok "clean deletes corrupt records" faketime "@$LATER" "$BIN/greyspf-clean" -c "$T/master.conf" -d "$T/db"
t_grep "clean counts corrupt" '^kept=2 dropped=0 corrupt=2$' "$T/.out"
t_ok "dump clean again" "$BIN/greyspf-dump" -d "$T/db"
