#!/bin/sh
# test_long_addresses.sh - envelope addresses too long for a key whole
# (sender and recipient over 490 bytes together) are greylisted like any
# other (they used to get action=dunno: a way around greylisting), each
# triplet its own entry, and the tools show and move the whole text.
. "$(dirname "$0")/lib.sh"

W=$T/w
mkdir -p "$W/config"
chmod 755 "$T" "$W"
printf 'CHECKERS = greylist\n' >"$W/config/__default__"
# counterDays = 0: clean's counts below are the four entries alone.
printf 'database = %s/db\nconfigPath = %s/config\nuser = nobody\ncounterDays = 0\n' "$W" "$W" >"$W/g.conf"
mkdir "$W/db"
chown nobody "$W/db" 2>/dev/null || :
NOW=1795235937
S=$(head -c 1990 /dev/zero | tr '\0' s)
S2=$(head -c 1500 /dev/zero | tr '\0' s)t$(head -c 489 /dev/zero | tr '\0' s)
R=$(head -c 300 /dev/zero | tr '\0' r)
req() {	# req CLIENT SENDER RECIPIENT
	printf 'client_address=%s\nsender=%s\nrecipient=%s\n\n' "$1" "$2" "$3"
}
at() {	# at SECONDS-AFTER-NOW: greyspf with that clock
	TZ=UTC faketime "@$((NOW + $1))" "$BIN/greyspf" -L -c "$W/g.conf"
}
NEW='^action=defer_if_permit Service unavailable, greylisted \(http'
req 192.0.2.51 "$S@x.org" b@example.org | at 0 >"$W/r1" 2>"$W/e1"
t_grep "a 1990-byte sender is greylisted" "$NEW" "$W/r1"
req 192.0.2.51 "$S@x.org" b@example.org | at 60 >"$W/r2" 2>/dev/null
t_grep "its retry before GREYLISTTIME is still pending" \
    '^action=defer_if_permit Service unavailable, greylisted\.$' "$W/r2"
req 192.0.2.51 "$S@x.org" b@example.org | at 700 >"$W/r3" 2>/dev/null
t_grep "its retry after GREYLISTTIME passes" '^action=dunno$' "$W/r3"
req 192.0.2.51 "$S2@x.org" b@example.org | at 700 >"$W/r4" 2>/dev/null
t_grep "another long sender with the same first 1500 bytes: its own entry" "$NEW" "$W/r4"
req 192.0.2.52 "$R@x.org" "$R@example.org" | at 0 >"$W/r5" 2>/dev/null
t_grep "300-byte sender and recipient are greylisted" "$NEW" "$W/r5"
req 192.0.2.53 a@x.org "$S@example.org" | at 0 >"$W/r6" 2>/dev/null
t_grep "a 1990-byte recipient is greylisted" "$NEW" "$W/r6"
t_nogrep "the log line is cut, filtered" "s{101}" "$W/e1"

t_ok "dump" "$BIN/greyspf-dump" -d "$W/db"
cp "$T/.out" "$W/dump"
t_eq "dump: four entries" "$(grep -c '^triplet' "$W/dump")" 4
grep -c "^triplet 192.0.2.51/32 $S@x.org b@example.org " "$W/dump" >"$W/n1"
t_eq "dump: the whole 1990-byte sender" "$(cat "$W/n1")" 1
grep -c "^triplet 192.0.2.51/32 $S2@x.org b@example.org " "$W/dump" >"$W/n2"
t_eq "dump: the other long sender, whole" "$(cat "$W/n2")" 1
t_ok "stat" "$BIN/greyspf-stat" -d "$W/db"
grep -c "SENDER=$S@x.org RECIPIENT=b@example.org" "$T/.out" >"$W/n3"
t_eq "stat: the whole address" "$(cat "$W/n3")" 1
t_grep "stat: nothing undecodable" '^  Undecodable: 0$' "$T/.out"
t_ok "load the dump into a new database" "$BIN/greyspf-load" -d "$W/db2" "$W/dump"
"$BIN/greyspf-dump" -d "$W/db2" >"$W/dump2"
t_same "dump, load, dump: identical" "$W/dump2" "$W/dump"
t_rc "legacy export: an address longer than a file name is left out" 1 \
    "$BIN/greyspf-dump" -d "$W/db" --legacy "$W/legacy"
t_grep "legacy export: says why" 'left out: escaped address longer than a file name' "$T/.err"
t_ok "clean keeps them (not expired)" faketime "@$((NOW + 700))" "$BIN/greyspf-clean" -d "$W/db"
t_grep "clean: four kept" '^kept=4 dropped=0$' "$T/.out"
t_ok "clean drops them when expired" faketime "@$((NOW + 86400 * 30))" "$BIN/greyspf-clean" -d "$W/db"
t_grep "clean: four dropped" '^kept=0 dropped=4$' "$T/.out"
