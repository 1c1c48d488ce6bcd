#!/bin/sh
# spf.sh - CPU time per SPF-checked request in spawn mode, 100 requests
# a process, greyspf beside Debian's postfix-policyd-spf-python, same
# workload, same DNS server (spfsuite -s, in a network namespace of its
# own: tests/spf/run.sh).                            [greyspf <= 100 us]
# CPU is user+system of the process and its children (greyspf's SPF
# worker included), from GNU time; the median of RUNS processes.
set -eu
if [ "${GREYSPF_IN_NS:-}" != 1 ]; then
	exec sh tests/spf/run.sh sh "$0" "$@"
fi
BUILD=${BUILD:-build/bench}
RUNS=${RUNS:-7}
W=$(mktemp -d /tmp/greyspf-spfbench.XXXXXX)
"$BUILD/tests/spfsuite" -s tests/spf/service-zone.yml 2>/dev/null &
DNS=$!
trap 'kill $DNS 2>/dev/null || :; rm -rf "$W"' EXIT
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
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
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
echo "SPF, spawn mode, 100 requests a process, CPU per request (median of $RUNS x 2000):"
echo "  greyspf:                      $g us   [target <= 100 us]"
echo "  postfix-policyd-spf-python:   $p us"
echo "  ratio policyd-spf / greyspf:  $(echo "scale=1; $p / $g" | bc)"
replies() { sed -n 's/^action=\([a-z0-9]*\).*/\1/p' "$1" | sort | uniq -c | tr -s ' \n' ' '; }
echo "  replies of the last run: greyspf$(replies "$W/out.greyspf"); policyd-spf$(replies "$W/out")"
