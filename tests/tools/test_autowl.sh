#!/bin/sh
# requires: root
# test_autowl.sh - auto-whitelisting (autoWhitelistClients) and record
# version 2 in the service, with the clock injected (faketime): a client
# whitelisted after N passes, at most one pass counted an hour, the
# whitelisting lapsing after autoWhitelistMaxAge, clean dropping it; a
# version-1 record (an older dump) read and passed.
. "$(dirname "$0")/lib.sh"
need faketime

W=$T/w
mkdir -p "$W/config" "$W/db"
chmod 755 "$T" "$W"
printf 'CHECKERS = greylist\nGREYLISTTIME = 600\n' >"$W/config/__default__"
chmod -R a+rX "$W/config"
cat >"$W/g.conf" <<EOC
database = $W/db
configPath = $W/config
user = nobody
autoWhitelistClients = 3
autoWhitelistMaxAge = 35
EOC
chown nobody "$W/db" 2>/dev/null || :
NOW=1795235937
req() {	# req CLIENT SENDER RECIPIENT
	printf 'client_address=%s\nsender=%s\nrecipient=%s\n\n' "$1" "$2" "$3"
}
clock() {	# clock SECONDS-AFTER-NOW: faketime's stopped clock there
	TZ=UTC date -d "@$((NOW + $1))" '+%Y-%m-%d %H:%M:%S'
}
at() {	# at SECONDS-AFTER-NOW [CONF]: greyspf with that clock
	TZ=UTC faketime -f "$(clock "$1")" "$BIN/greyspf" -L \
	    -c "${2:-$W/g.conf}"
}
awl() {	# the client's auto-whitelist line of the dump
	"$BIN/greyspf-dump" -d "$W/db" | grep "^awl $1 " || :
}
NEW='^action=defer_if_permit Service unavailable, greylisted \(http'
C=192.0.2.1

# pass K AT: triplet K of client C greylisted at AT, passed at AT + 700.
pass() {
	req $C "s$1@x.org" r@example.org | at "$2" >"$W/r" 2>/dev/null
	t_grep "triplet $1 greylisted" "$NEW" "$W/r"
	req $C "s$1@x.org" r@example.org | at "$(($2 + 700))" >"$W/r" \
	    2>"$W/e"
	t_grep "triplet $1 passes" '^action=dunno$' "$W/r"
}
pass 1 0
t_eq "first pass counted" "$(awl $C/32)" \
    "awl $C/32 $((NOW + 700)).000000 $((NOW + 700)).000000 1"
# Another triplet's first pass within the hour: not counted.
pass 2 100
t_eq "a second pass within the hour: not counted" "$(awl $C/32)" \
    "awl $C/32 $((NOW + 700)).000000 $((NOW + 700)).000000 1"
pass 3 3700
t_eq "an hour later: counted" "$(awl $C/32)" \
    "awl $C/32 $((NOW + 700)).000000 $((NOW + 4400)).000000 2"
# Two passes of three: a new triplet is still greylisted.
req $C s9@x.org r@example.org | at 7000 >"$W/r" 2>/dev/null
t_grep "two passes of three: still greylisted" "$NEW" "$W/r"
pass 4 7400
t_grep "the third pass logged" \
    "auto-whitelist: $C/32 whitelisted after 3 passes" "$W/e"
T3=$((NOW + 8100))
t_eq "three passes" "$(awl $C/32)" \
    "awl $C/32 $((NOW + 700)).000000 $T3.000000 3"
# Whitelisted: a new triplet is not greylisted, and no entry is made.
req $C new@x.org r@example.org | at 8200 >"$W/r" 2>"$W/e"
t_grep "whitelisted: a new triplet passes at once" '^action=dunno$' "$W/r"
t_grep "the log says so, with the passes" \
    "Auto-whitelisted after 3 passes: REMOTEIP=\"$C\"" "$W/e"
"$BIN/greyspf-dump" -d "$W/db" >"$W/d"
t_nogrep "no greylist entry for it" ' new@x\.org ' "$W/d"
# Another client of the same /24 is not whitelisted (no grouping here).
req 192.0.2.2 new@x.org r@example.org | at 8200 >"$W/r" 2>/dev/null
t_grep "a neighbour is greylisted" "$NEW" "$W/r"
# While whitelisted, requests refresh last-seen, at most once an hour.
req $C b@x.org r@example.org | at 9000 >/dev/null 2>&1
t_eq "within the hour: not refreshed" "$(awl $C/32)" \
    "awl $C/32 $((NOW + 700)).000000 $T3.000000 3"
req $C b@x.org r@example.org | at 12000 >/dev/null 2>&1
T4=$((NOW + 12000))
t_eq "an hour on: refreshed, not counted" "$(awl $C/32)" \
    "awl $C/32 $((NOW + 700)).000000 $T4.000000 3"
t_ok "stat shows it" env TZ=UTC faketime -f "$(clock 12000)" "$BIN/greyspf-stat" \
    -c "$W/g.conf"
t_grep "stat: whitelisted, expiring after 35 days" \
    "^TYPE=awl IP=$C/32 .* PASSES=3 STATE=whitelisted EXPIRESIN=35d" "$T/.out"
t_grep "stat summary" '^  Auto-whitelisted: 1$' "$T/.out"
# Lapsed after 35 days without a pass: greylisted again.
LAPSE=$((12000 + 35 * 86400))
t_ok "clean before it lapses keeps it" env TZ=UTC faketime -f "$(clock $((LAPSE - 1)))" \
    "$BIN/greyspf-clean" -c "$W/g.conf"
t_eq "kept" "$(awl $C/32 | cut -d' ' -f5)" 3
req $C late@x.org r@example.org | at "$LAPSE" >"$W/r" 2>/dev/null
t_grep "35 days without a pass: greylisted again" "$NEW" "$W/r"
t_ok "clean after it lapsed" env TZ=UTC faketime -f "$(clock $((LAPSE + 1)))" \
    "$BIN/greyspf-clean" -c "$W/g.conf"
t_eq "clean dropped the lapsed entry" "$(awl $C/32)" ""

# ignoreLastByte: the client's /24 is whitelisted, as the key groups it.
cat >>"$W/g.conf" <<EOC
ignoreLastByte = 1
autoWhitelistClients = 1
EOC
req 198.51.100.7 a@x.org r@example.org | at 0 >/dev/null 2>&1
req 198.51.100.7 a@x.org r@example.org | at 700 >/dev/null 2>&1
t_eq "the /24 counted" "$(awl 198.51.100.0/24 | cut -d' ' -f5)" 1
req 198.51.100.9 z@x.org r@example.org | at 800 >"$W/r" 2>/dev/null
t_grep "another host of the /24 is whitelisted" '^action=dunno$' "$W/r"

# greyspf-import into this database: tumgreyspf kept no auto-whitelist
# and no counters, so their entries are left as they are, byte for byte,
# and the tree's entries (by client address only) are added.
"$BIN/greyspf-dump" -d "$W/db" >"$W/pre"
fixture tumgreyspf-v3-iponly "$W/fx"
t_ok "import into a database with auto-whitelist and counter entries" \
    "$BIN/greyspf-import" -q -d "$W/db" "$W/fx/data"
"$BIN/greyspf-dump" -d "$W/db" >"$W/post"
t_ok "... it had both kinds before" sh -c "grep -q '^awl ' '$W/pre' && grep -q '^counters ' '$W/pre'"
t_eq "... the auto-whitelist and counter entries unchanged" \
    "$(grep -E '^(awl|counters) ' "$W/post")" \
    "$(grep -E '^(awl|counters) ' "$W/pre")"
t_ok "... the tree's entries added" \
    test "$(grep -c '^iponly ' "$W/post")" -gt "$(grep -c '^iponly ' "$W/pre")"

# autoWhitelistClients = 0 (the default): nothing read, nothing written.
printf 'database = %s/db2\nconfigPath = %s/config\nuser = nobody\n' \
    "$W" "$W" >"$W/off.conf"
mkdir "$W/db2" && chown nobody "$W/db2" 2>/dev/null || :
for t in 0 700; do
	req $C a@x.org r@example.org | at $t "$W/off.conf" >/dev/null 2>&1
done
"$BIN/greyspf-dump" -d "$W/db2" >"$W/d"
t_nogrep "off: no auto-whitelist entry" '^awl ' "$W/d"

# Record version 2: a version-1 record (an older dump, no pass time) is
# read; its first pass is kept with the time.
cat >"$W/v1.dump" <<EOD
VERSION=1
format=greyspf-greylist
HEADER=END
triplet 203.0.113.5/32 a@x.org r@example.org $NOW.000000 $((NOW + 600)).000000 $NOW.000000 0 -
DATA=END
EOD
t_ok "a version-1 dump loads" "$BIN/greyspf-load" -d "$W/db2" "$W/v1.dump"
req 203.0.113.5 a@x.org r@example.org | at 650 "$W/off.conf" >"$W/r" \
    2>/dev/null
t_grep "its retry passes" '^action=dunno$' "$W/r"
"$BIN/greyspf-dump" -d "$W/db2" >"$W/d"
t_grep "the first pass's time kept" "^triplet 203.0.113.5/32 a@x.org r@example.org $NOW.000000 $((NOW + 600)).000000 $((NOW + 650)).000000 1 - $((NOW + 650)).000000$" "$W/d"
