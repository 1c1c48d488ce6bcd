#!/bin/sh
# test_kill.sh - DESIGN's invariant: the database survives a kill -9 of
# any process at any moment. 20 greyspf processes write new entries and
# are killed with SIGKILL at staggered moments, mid-stream; a reply is
# only sent after its entry was committed, so every answered request's
# entry must be in the database, which must open and decode cleanly.
. "$(dirname "$0")/lib.sh"
need timeout faketime awk

W=$T/w
mkdir -p "$W/config"
chmod 1777 "$W"
printf 'CHECKERS = greylist\n' >"$W/config/__default__"
chmod -R a+rX "$W/config"
printf 'configPath = %s/config\ndatabase = %s/db\nuser = nobody\n' "$W" "$W" >"$W/g.conf"
for p in $(seq 1 20); do
	awk -v p="$p" 'BEGIN { for (i = 0; i < 3000; i++)
	    printf "client_address=10.%d.%d.%d\nsender=s%d@example.com\nrecipient=r%d@example.org\n\n",
	    p, int(i / 256), i % 256, i, p }' >"$W/in.$p"
done
for p in $(seq 1 20); do
	# Kill after 0.05 s to 1 s: somewhere in the middle of the stream.
	d=$(awk -v p="$p" 'BEGIN { printf "%.2f", 0.05 * p }')
	TZ=UTC faketime -f "2026-11-21 04:38:57" "$BUILD/tests/sockdrive" \
	    timeout -s KILL "$d" "$BIN/greyspf" -L -c "$W/g.conf" \
	    <"$W/in.$p" >"$W/out.$p" 2>/dev/null &
done
wait
killed=0
for p in $(seq 1 20); do
	n=$(grep -c '^action=' "$W/out.$p")
	[ "$n" -lt 3000 ] && killed=$((killed + 1))
	echo "$p $n"
done >"$W/answered"
t_ok "some processes were killed mid-stream" test "$killed" -gt 0
t_ok "the database opens after the kills" "$BIN/greyspf-stat" -s -d "$W/db"
t_grep "no undecodable record" '^  Undecodable: 0$' "$T/.out"
"$BIN/greyspf-dump" -d "$W/db" >"$W/dump"
# Every answered request's triplet is stored: the first n of process p.
awk 'NR == FNR { want[$1] = $2; next }
    $1 == "triplet" { split($2, ip, "."); split($4, r, "[r@]"); q = r[2] + 0;
	s = $3; sub(/^s/, "", s); sub(/@.*/, "", s);
	if (s + 0 < want[q]) have[q]++ }
    END { bad = 0; for (p in want) if (have[p] + 0 < want[p]) { print "process " p ": " want[p] " answered, " have[p] + 0 " stored"; bad = 1 } exit bad }' \
    "$W/answered" "$W/dump" >"$W/missing"
t_eq "every answered request's entry was committed" "$(cat "$W/missing")" ""
