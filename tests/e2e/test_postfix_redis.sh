#!/bin/sh
# requires: root
# test_postfix_redis.sh - two MX hosts, one greylist: two Postfix
# instances (Debian's postfix, each its own configuration, queue and
# port) spawn greyspf for their check_policy_service, both configured
# with one Redis (a redis-server the test starts on a unix socket). A
# client greylisted by the first is accepted by the second after
# GREYLISTTIME; one entry in Redis; no database of its own on either.
#
# As test_postfix.sh: namespaces of the test's own (mount, network, PID:
# every process ends with the test), the shipped snippets with only
# their paths changed, greyspf under libfaketime reading the time from a
# file, a "greyspf" user added to bound copies of /etc/passwd and
# /etc/group when the machine has none. Only the greylist checker runs
# (no DNS needed).
. "$(dirname "$0")/../tools/lib.sh"
need unshare ip mount getent id postfix postconf swaks redis-server redis-cli
. "$(dirname "$0")/e2elib.sh"
e2e_faketime_lib
e2e_namespaces "$@"

E=$T
mkdir -p "$E/out" "$E/sbin" "$E/asan" "$E/config"
chmod 1777 "$E/asan"
chmod 755 "$E"
ip link set lo up
e2e_greyspf_user "$E"
MAILUID=$(id -u nobody)
MAILGID=$(id -g nobody)

# --- Redis, the shared store ---------------------------------------------
redis-server --port 0 --unixsocket "$E/r.sock" --unixsocketperm 777 \
    --save '' --appendonly no --dir "$E" --logfile "$E/redis.log" &
t_ok "redis-server answers" wait_for 10 sh -c "redis-cli -s $E/r.sock ping >/dev/null 2>&1"

# --- greyspf: behind the test clock, one configuration for both hosts ----
# clock SECONDS: greyspf's time, SECONDS after the start. Redis expires
# entries by the real clock: the test's time starts at the real one.
NOW=$(date +%s)
clock() { date -u -d "@$((NOW + $1))" '+%Y-%m-%d %H:%M:%S' >"$E/clock"; }
clock 0
chmod 644 "$E/clock"
e2e_greyspf_wrapper "$E"
printf 'CHECKERS = greylist\nGREYLISTTIME = 300\n' \
    >"$E/config/__default__"
# Redis timeouts of 5 s: the sample's 100 ms, which a round trip on a
# loaded machine under ASan may exceed, is not what this tests.
sed -e "s|^database = .*|database = redis+unix:$E/r.sock|" \
    -e "s|^configPath = .*|configPath = file://$E/config|" \
    -e "s|^storeFallback = .*|storeFallback = defer|" \
    -e "s|^storeFallbackDatabase = .*|storeFallbackDatabase = $E/fallback|" \
    -e "s|^databaseConnectTimeout = .*|databaseConnectTimeout = 5000|" \
    -e "s|^databaseCommandTimeout = .*|databaseCommandTimeout = 5000|" \
    conf/greyspf.conf >"$E/greyspf.conf"
chmod -R a+rX "$E/config" "$E/greyspf.conf"
t_ok "greyspf-configtest: Redis answers, the configuration is sound" \
    "$BIN/greyspf-configtest" -q -c "$E/greyspf.conf"

# --- two Postfix instances, the shipped snippets ---------------------------
for mx in 1 2; do
	D=$E/mx$mx
	mkdir -p "$D/postfix" "$D/queue" "$D/data" "$D/mail"
	chown postfix "$D/data"
	chown nobody "$D/mail"
	sed -e "s|@E@|$D|g" -e "s|@MAILUID@|$MAILUID|" \
	    -e "s|@MAILGID@|$MAILGID|" -e "s|^myhostname = .*|myhostname = mx$mx.e2e.test|" \
	    tests/e2e/main.cf.in >"$D/postfix/main.cf"
	cat conf/postfix-main.cf >>"$D/postfix/main.cf"
	sed "s|:2525 |:252$mx |" tests/e2e/master.cf.in >"$D/postfix/master.cf"
	sed -e "s|/usr/local/sbin/greyspf|$E/sbin/greyspf|" \
	    -e "s|/etc/greyspf/greyspf.conf|$E/greyspf.conf|" \
	    conf/postfix-master.cf >>"$D/postfix/master.cf"
	if ! postfix -c "$D/postfix" start >"$E/out/start$mx" 2>&1; then
		_notok "postfix mx$mx starts"
		_show "$E/out/start$mx" "$D/maillog"
		exit 1
	fi
	_ok "postfix mx$mx starts"
	wait_for 10 swaks --server 127.0.0.1 --port 252$mx --quit-after CONNECT \
	    >/dev/null 2>&1
done

# send NAME MX CLIENT FROM TO: one message to mxMX; the RCPT reply in
# $E/out/NAME.rcpt
send() {
	swaks --server 127.0.0.1 --port 252$2 --xclient-addr "$3" \
	    --xclient-name client.e2e.test --helo client.e2e.test \
	    --from "$4" --to "$5" --header "Subject: e2e $1" \
	    >"$E/out/$1.log" 2>&1
	awk '/^ *-> RCPT TO/ { getline; sub(/^<[-*~]+ +/, ""); print; exit }' \
	    "$E/out/$1.log" >"$E/out/$1.rcpt"
}
reply() {
	if grep -Eq -- "$3" "$E/out/$1.rcpt"; then _ok "$2"
	else _notok "$2 (no /$3/)"; _show "$E/out/$1.log"; fi
}
GREY='^450 4\.[0-9.]+ .*greylisted'

send first 1 192.0.2.10 alice@sender.e2e.test u1@rcpt.e2e.test
reply first "mx1: a new client is greylisted" "$GREY"
clock 120
send early 2 192.0.2.10 alice@sender.e2e.test u1@rcpt.e2e.test
reply early "mx2, before GREYLISTTIME: greylisted too (the entry is shared)" "$GREY"
clock 400
send retry 2 192.0.2.10 alice@sender.e2e.test u1@rcpt.e2e.test
reply retry "mx2, after GREYLISTTIME: the retry is accepted" '^250 '
send again 1 192.0.2.10 alice@sender.e2e.test u1@rcpt.e2e.test
reply again "mx1 afterwards: accepted (passed on mx2)" '^250 '
t_ok "the message reached mx2's mailbox" wait_for 60 sh -c \
    "grep -rqs 'Subject: e2e retry' $E/mx2/mail"
"$BIN/greyspf-dump" -c "$E/greyspf.conf" >"$E/dump" 2>&1
t_eq "one greylist entry in Redis" "$(grep -c '^triplet ' "$E/dump")" 1
t_ok "no local database made on either host" test ! -e "$E/fallback"

for mx in 1 2; do
	postfix -c "$E/mx$mx/postfix" stop >/dev/null 2>&1
	t_nogrep "mx$mx: no policy protocol failure" \
	    '451 4\.3\.5|problem talking to server|policy service .*(error|malformed)' \
	    "$E/mx$mx/maillog"
done
# Spawned greyspf processes write their counts when their session ends
# (on Redis no greylist write carries them): after Postfix stops.
t_ok "every greyspf exits when Postfix stops" wait_for 30 e2e_no_greyspf
"$BIN/greyspf-dump" -c "$E/greyspf.conf" >"$E/dump" 2>&1
t_grep "both hosts' counters in Redis" \
    '^counters total .*requests=[1-9]' "$E/dump"
t_eq "ASan/UBSan reports from greyspf under Postfix" "$(ls "$E/asan")" ""
