#!/bin/sh
# compare.sh - two builds of greyspf side by side, interleaved, on the
# same workloads: spawn first answer (p50 of 300 spawns), requests/s at
# 100 requests a connection (every request a new triplet), and SPF CPU per
# request (pass/fail/softfail/neutral). Medians of ROUNDS (7) rounds.
#   sh tests/spf/run.sh sh tests/bench/compare.sh OLD_BUILD NEW_BUILD
# where a build is a "make bench" tree (bin/, tests/bench_policy); the
# new one also gives tests/spfsuite, the DNS server. For the "within 5%
# of the previous commit" checks: build the previous commit in a git
# worktree with make B=build/bench BIN=build/bench/bin all \
#   build/bench/tests/bench_policy.
# CONF_A and CONF_B are lines added to each side's greyspf.conf (one build
# with and without a key: pass the same build twice); CLIENT_NAME is the
# requests' client_name (unknown).
set -eu

A=${1:?old build}; B=${2:?new build}
W=$(mktemp -d /tmp/greyspf-ab.XXXXXX)
"$B/tests/spfsuite" -s tests/spf/service-zone.yml 2>/dev/null &
DNS=$!
trap 'kill $DNS 2>/dev/null || :; rm -rf "$W"' EXIT
until getent hosts none.example >/dev/null 2>&1; do :; done
chmod 1777 "$W"
asnobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
field() { tr ' ' '\n' | sed -n "s/^$1=//p"; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for v in A B; do
	mkdir -p "$W/$v/config"
	printf 'CHECKERS = greylist\nGREYLISTTIME = 300\nOTHERCONFIGS = client_address,envelope_sender,envelope_recipient\n' >"$W/$v/config/__default__"
	printf 'configPath = %s/%s/config\ndatabase = %s/%s/db\nuser = nobody\n' "$W" $v "$W" $v >"$W/$v/g.conf"
	eval "printf '%s\n' \"\${CONF_$v:-}\"" >>"$W/$v/g.conf"
	mkdir -p "$W/$v/sconfig"
	printf 'CHECKERS = spf\n' >"$W/$v/sconfig/__default__"
	printf 'configPath = %s/%s/sconfig\ndatabase = %s/%s/sdb\nuser = nobody\nspfReceiver = mx.bench.test\n' "$W" $v "$W" $v >"$W/$v/s.conf"
	chmod -R a+rwX "$W/$v"
done
awk 'BEGIN { split("pass fail softfail neutral", d, " ");
    for (i = 0; i < 100; i++)
	printf "request=smtpd_access_policy\nprotocol_state=RCPT\nclient_address=203.0.113.5\nhelo_name=mx.example\nsender=u%d@%s.example\nrecipient=r@dest.test\ninstance=i%d\n\n", i, d[i % 4 + 1], i }' >"$W/in"
bin() { [ $1 = A ] && echo $A || echo $B; }
for r in $(seq 1 "${ROUNDS:-7}"); do
	for v in A B; do
		d=$(bin $v)
		asnobody $d/tests/bench_policy -c "${CLIENT_NAME:-unknown}" -n 300 -r 1 -o $((80000000 + r * 1000)) spawn $d/bin/greyspf -c $W/$v/g.conf |
		    field first_answer_p50_ms >>"$W/$v.first"
		asnobody $d/tests/bench_policy -c "${CLIENT_NAME:-unknown}" -n 100 -r 100 -o $((1000000 + r * 100000)) spawn $d/bin/greyspf -c $W/$v/g.conf |
		    tee -a "$W/$v.r100raw" | field req_per_s >>"$W/$v.r100"
		/usr/bin/time -f '%U %S' -o "$W/t" sh -c 'for j in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		    setpriv --reuid=65534 --regid=65534 --clear-groups "$1" -c "$2" <"$3" || exit 1; done' \
		    x $d/bin/greyspf $W/$v/s.conf "$W/in" >"$W/out" 2>/dev/null
		[ "$(grep -c '^action=' "$W/out")" -eq 2000 ] || echo "$v: replies missing" >&2
		awk '{ printf "%.1f\n", ($1 + $2) * 1e6 / 2000 }' "$W/t" >>"$W/$v.spf"
	done
done
for v in A B; do
	echo "$v: first answer p50 ms $(median <"$W/$v.first") (runs: $(tr '\n' ' ' <"$W/$v.first"))"
	echo "$v: req/s at 100 a connection $(median <"$W/$v.r100") (runs: $(tr '\n' ' ' <"$W/$v.r100"))"
	echo "$v: SPF CPU us/request $(median <"$W/$v.spf") (runs: $(tr '\n' ' ' <"$W/$v.spf"))"
done
