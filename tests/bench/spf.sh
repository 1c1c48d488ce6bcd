#!/bin/sh
# spf.sh - CPU time per SPF-checked request in spawn mode, 100 requests
# a process, greyspf beside Debian's postfix-policyd-spf-python, same
# workload, same DNS server (spfsuite -s, in a network namespace of its
# own: tests/spf/run.sh).                            [greyspf <= 100 us]
# CPU is user+system of the process and its children (greyspf's SPF
# worker included), from GNU time; the median of RUNS processes.
# Then greyspf's daemon on the same 100 requests, sent on 20 connections
# one after the other (tests/tools/polclient.c -f): the CPU of all its
# processes (supervisor, loop processes, SPF workers), from
# /proc/PID/schedstat, over the 2,000 requests; the median of RUNS.
set -eu
. "$(dirname "$0")/lib.sh"
if [ "${GREYSPF_IN_NS:-}" != 1 ]; then
	exec sh tests/spf/run.sh sh "$0" "$@"
fi
BUILD=${BUILD:-build/bench}
RUNS=${RUNS:-7}
W=$(mktemp -d /tmp/greyspf-spfbench.XXXXXX)
"$BUILD/tests/spfsuite" -s tests/spf/service-zone.yml 2>/dev/null &
DNS=$!
D=
trap 'kill $DNS $D 2>/dev/null || :; rm -rf "$W"' EXIT
until getent hosts none.example >/dev/null 2>&1; do :; done
chmod 1777 "$W"
mkdir -p "$W/config"
printf 'CHECKERS = spf\n' >"$W/config/__default__"
chmod -R a+rX "$W/config"
printf 'configPath = %s/config\ndatabase = %s/db\nuser = nobody\nspfReceiver = mx.bench.test\n' \
    "$W" "$W" >"$W/g.conf"
# 100 requests: pass, fail, softfail, neutral in turn, each its own message.
awk 'BEGIN { split("pass fail softfail neutral", d, " ");
    for (i = 0; i < 100; i++)
	printf "request=smtpd_access_policy\nprotocol_state=RCPT\nclient_address=203.0.113.5\nhelo_name=mx.example\nsender=u%d@%s.example\nrecipient=r@dest.test\ninstance=i%d\n\n", i, d[i % 4 + 1], i }' >"$W/in"
# cpu_us command...: median over RUNS of the CPU per request of 20
# processes of 100 requests each (GNU time counts in 10 ms steps).
cpu_us() {
	i=0
	while [ $i -lt "$RUNS" ]; do
		/usr/bin/time -f '%U %S' -o "$W/t" sh -c '
		    for j in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
			"$@" <"$0/in" || exit 1
		    done' "$W" "$@" >"$W/out" 2>/dev/null
		n=$(grep -c '^action=' "$W/out")
		[ "$n" -eq 2000 ] || echo "$1: $n replies, not 2000" >&2
		awk '{ printf "%.1f\n", ($1 + $2) * 1e6 / 2000 }' "$W/t"
		i=$((i + 1))
	done | median
}
g=$(cpu_us setpriv --reuid=65534 --regid=65534 --clear-groups "$BUILD/bin/greyspf" -c "$W/g.conf")
cp "$W/out" "$W/out.greyspf"
p=$(cpu_us setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/policyd-spf)
cp "$W/out" "$W/out.policyd"

"$BUILD/bin/greyspf" -L -c "$W/g.conf" -l "unix:$W/d.sock" 2>/dev/null &
D=$!
i=0
until "$BUILD/tests/polclient" -a "unix:$W/d.sock" -c 1 -r 1 >/dev/null 2>&1; do
	i=$((i + 1)); [ $i -lt 500 ] || { echo "greyspf -l did not start"; exit 1; }
	sleep 0.01
done
i=0
while [ $i -lt "$RUNS" ]; do
	c0=$(cpu_ns $D)
	for j in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		"$BUILD/tests/polclient" -a "unix:$W/d.sock" -f "$W/in" || exit 1
	done >"$W/out"
	c1=$(cpu_ns $D)
	n=$(grep -c '^action=' "$W/out")
	[ "$n" -eq 2000 ] || echo "daemon: $n replies, not 2000" >&2
	echo "$c0 $c1" | awk '{ printf "%.1f\n", ($2 - $1) / 1000 / 2000 }'
	i=$((i + 1))
done | median >"$W/d"
d=$(cat "$W/d")
kill $D
wait $D 2>/dev/null || :
D=

echo "SPF, CPU per request (median of $RUNS x 2000):"
echo "  greyspf, spawn mode (100 requests a process): $g us   [target <= 100 us]"
echo "  greyspf, daemon (100 requests a connection):  $d us"
echo "  postfix-policyd-spf-python (100 a process):   $p us"
echo "  ratio policyd-spf / greyspf spawn:  $(echo "scale=1; $p / $g" | bc)"
echo "  ratio policyd-spf / greyspf daemon: $(echo "scale=1; $p / $d" | bc)"
echo "  ratio spawn / daemon:               $(echo "scale=1; $g / $d" | bc)"
replies() { sed -n 's/^action=\([a-z0-9]*\).*/\1/p' "$1" | sort | uniq -c | tr -s ' \n' ' '; }
echo "  replies of the last run: greyspf spawn$(replies "$W/out.greyspf"); daemon$(replies "$W/out"); policyd-spf$(replies "$W/out.policyd")"
