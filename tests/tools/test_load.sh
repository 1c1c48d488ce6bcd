#!/bin/sh
# test_load.sh - greyspf-load: strict parsing with file:line, all or
# nothing, version check, -N, and the dump/load baseline (.in/.ref).
. "$(dirname "$0")/lib.sh"

DATA=$(dirname "$0")/../data
t_ok "load baseline" "$BIN/greyspf-load" -d "$T/db" "$DATA/dump-v1.in"
t_grep "load report" 'dump-v1.in: 6 entries: 6 added, 0 replaced, 0 kept' "$T/.out"
t_ok "dump baseline" "$BIN/greyspf-dump" -d "$T/db"
t_same "dump matches dump-v1.ref" "$T/.out" "$DATA/dump-v1.ref"
cp "$T/.out" "$T/before"

# case NAME EXPECTED-DIAGNOSTIC - feed $T/case.in, expect refusal.
bad() {
	t_rc "$1: refused" 1 "$BIN/greyspf-load" -d "$T/db" "$T/case.in"
	t_grep "$1: diagnostic" "$2" "$T/.err"
	"$BIN/greyspf-dump" -d "$T/db" >"$T/now"
	t_same "$1: database unchanged" "$T/now" "$T/before"
}
hdr='VERSION=1
format=greyspf-greylist
HEADER=END'
line='triplet 192.0.2.0/24 new@example.com bob@example.org 1795235937.000000 1795235939.000000 1795235940.000000 1 -'

printf '%s\n%s\n' "$hdr" "$line" >"$T/case.in"
bad "truncated (no DATA=END)" 'case.in:4: unexpected end of input: DATA=END missing'
printf '%s\n%s\nDATA=END' "$hdr" "$line" >"$T/case.in"
bad "no final newline" 'case.in:5: last line has no newline'
printf '%s\n%s\ntriplet 192.0.2.0/24 garbled\nDATA=END\n' "$hdr" "$line" >"$T/case.in"
bad "garbled line" 'case.in:5: expected "triplet" with 9 or 10 fields'
printf 'VERSION=2\nformat=greyspf-greylist\nHEADER=END\nDATA=END\n' >"$T/case.in"
bad "unknown version" 'case.in:1: unsupported dump version "2"'
printf 'format=greyspf-greylist\nHEADER=END\nDATA=END\n' >"$T/case.in"
bad "no version" 'case.in:1: not a greyspf dump'
printf 'VERSION=1\nformat=mdb\nHEADER=END\nDATA=END\n' >"$T/case.in"
bad "wrong format" 'case.in:2: format is "mdb"'
printf '%s\n%s\n%s\nDATA=END\n' "$hdr" "$line" "$line" >"$T/case.in"
bad "duplicate entry" 'case.in:5: duplicate of the entry on line 4'
printf '%s\n%s\nDATA=END\nmore\n' "$hdr" "$line" >"$T/case.in"
bad "text after the end" 'case.in:6: text after DATA=END'
printf '%s\ntriplet 192.0.2.0/24 a\000b@x bob@x 1.000000 1.000000 1.000000 0 -\nDATA=END\n' "$hdr" >"$T/case.in"
bad "NUL byte" 'case.in:4: NUL byte'
{ echo "$hdr"; printf 'triplet 192.0.2.0/24 '; head -c 13000 /dev/zero | tr '\0' a; echo ' b 1.000000 1.000000 1.000000 0 -'; echo DATA=END; } >"$T/case.in"
bad "over-long line" 'case.in:4: line longer than 12538'
printf '%s\n%s\n' "$hdr" "$(echo "$line" | sed 's/192.0.2.0/192.0.2.1/')" >"$T/case.in"
echo DATA=END >>"$T/case.in"
bad "host bits set" 'case.in:4: bad client network'
# Upper case can never match (the service lower-cases addresses).
printf '%s\n%s\nDATA=END\n' "$hdr" "$(echo "$line" | sed 's/new@/New@/')" >"$T/case.in"
bad "upper-case sender" 'case.in:4: address in upper case'
printf '%s\n%s\nDATA=END\n' "$hdr" "$(echo "$line" | sed 's/bob@example.org/bob@EXAMPLE.org/')" >"$T/case.in"
bad "upper-case recipient" 'case.in:4: address in upper case'
# Errors anywhere stop the load, and are all reported (up to 20).
{ echo "$hdr"; echo "$line"; for i in $(seq 1 30); do echo "junk $i"; done; echo DATA=END; } >"$T/case.in"
bad "many errors" '30 errors; database not changed'
t_grep "many errors: count of the unshown" '10 more errors' "$T/.err"

# Unknown header keys are warned about and ignored (as mdb_load).
printf 'VERSION=1\nformat=greyspf-greylist\ncomment=hello\nHEADER=END\n%s\nDATA=END\n' "$line" >"$T/ok.in"
t_ok "unknown header key accepted" "$BIN/greyspf-load" -d "$T/db" "$T/ok.in"
t_grep "unknown header key warned" 'ok.in:3: unknown header key "comment" ignored' "$T/.err"

# -N keeps existing entries; default replaces them.
sed 's/ 1 -$/ 5 -/' "$T/ok.in" >"$T/ok5.in"
t_ok "load -N" "$BIN/greyspf-load" -N -d "$T/db" "$T/ok5.in"
t_grep "-N kept" '1 entries: 0 added, 0 replaced, 1 kept' "$T/.out"
"$BIN/greyspf-dump" -d "$T/db" >"$T/now"
t_grep "-N left the record" 'new@example.com bob@example.org [0-9. ]+ 1 -$' "$T/now"
t_ok "load replaces" "$BIN/greyspf-load" -d "$T/db" - <"$T/ok5.in"
t_grep "replace counted" 'stdin: 1 entries: 0 added, 1 replaced' "$T/.out"
"$BIN/greyspf-dump" -d "$T/db" >"$T/now"
t_grep "record replaced" 'new@example.com bob@example.org [0-9. ]+ 5 -$' "$T/now"
t_ok "load -n checks only" "$BIN/greyspf-load" -n -d "$T/none" "$DATA/dump-v1.in"
t_rc "load -n wrote nothing" 1 test -e "$T/none"
