#!/bin/sh
# test_transcripts.sh - the original's request transcripts, replayed
# through greyspf with the original's configuration, each phase in its
# own process at the time the original saw it (faketime, frozen: no
# sleep). Replies must be byte-identical to the original's except for
# the intended differences in tests/data/transcript-differences.tsv;
# the greylist log lines likewise.
. "$(dirname "$0")/lib.sh"
need faketime awk
DIFFS=$(dirname "$0")/../data/transcript-differences.tsv

# phase_time FIXTURE N - when the original got phase N (run-info.json)
phase_time() {
	awk -v n="$2" '/"sent_at"/ { if (++i == n) { gsub(/[^0-9.]/, ""); print } }' \
	    "$FIXTURES/$1/run-info.json"
}

for fx in tumgreyspf-v2-triplet-ignorelastbyte tumgreyspf-v3-iponly; do
	W=$T/$fx
	mkdir -p "$W"
	chmod 1777 "$W"		# the service drops to nobody when root
	cp -r "$FIXTURES/$fx/config" "$W/config"
	chmod -R u+w,a+rX "$W/config"
	sed -e "s|/srv/tumgreyspf/config|$W/config|" \
	    "$FIXTURES/$fx/config/tumgreyspf.conf" >"$W/master.conf"
	printf "database = '%s'\nuser = nobody\n" "$W/db" >>"$W/master.conf"
	: >"$W/replies"
	: >"$W/log"
	for n in 1 2 3; do
		ts=$(TZ=UTC date -d "@$(phase_time "$fx" $n)" '+%Y-%m-%d %H:%M:%S.%N')
		TZ=UTC faketime -f "$ts" "$BUILD/tests/sockdrive" "$BIN/greyspf" \
		    -L -c "$W/master.conf" <"$FIXTURES/$fx/requests-phase$n.txt" \
		    >>"$W/replies" 2>>"$W/log"
		t_eq "$fx: phase $n exits 0" "$?" 0
	done
	# The original's replies, with the intended differences applied.
	awk -v fx="$fx" -F '\t' '
	    FILENAME == ARGV[1] { if ($1 == fx) want[$2] = $3; next }
	    FILENAME == ARGV[2] { for (k = 0; k < $3; k++) label[n++] = $2; next }
	    { r = (label[m] in want) ? want[label[m]] : $0; m++; printf "%s\n\n", r }
	' "$DIFFS" "$FIXTURES/$fx/labels.tsv" RS= "$FIXTURES/$fx/replies.txt" \
	    >"$W/expected"
	t_same "$fx: replies byte-identical but for the listed fixes" \
	    "$W/replies" "$W/expected"
	grep -c '^action=' "$W/replies" >"$W/n"
	t_eq "$fx: one reply per request" "$(cat "$W/n")" \
	    "$(grep -c '^action=' "$FIXTURES/$fx/replies.txt")"
	sed -n 's/^greyspf: \(.* greylisting: .*\)/\1/p' "$W/log" >"$W/gl"
	grep ' greylisting: ' "$FIXTURES/$fx/syslog.txt" >"$W/gl.orig"
	diff "$W/gl.orig" "$W/gl" | grep -c '^[<>]' >"$W/nd"
	nfix=$(grep -c "^$fx	" "$DIFFS")
	t_eq "$fx: greylist log lines as the original's but for the $nfix fixed" \
	    "$(cat "$W/nd")" $((2 * nfix))
	t_grep "$fx: bad per-entity line logged with file:line" \
	    'unknownkey.example/__default__:2: ERROR parsing line' "$W/log"
	t_grep "$fx: malformed request line logged" \
	    'ERROR: Could not match line "this line has no equals sign"' "$W/log"
done
