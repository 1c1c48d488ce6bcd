#!/bin/sh
# requires: root
# test_postfix.sh - greyspf end to end, as a site runs it: Debian's
# Postfix spawns greyspf for its check_policy_service, Debian's NSD
# answers the SPF queries, swaks (XCLIENT) plays the sending clients.
#
# Everything runs in namespaces of the test's own (unshare: mount,
# network, PID): loopback only, a resolv.conf naming 127.0.0.1 bound over
# /etc/resolv.conf, and a "greyspf" user added to bound copies of
# /etc/passwd and /etc/group when the machine has none. Postfix uses
# conf/postfix-main.cf and conf/postfix-master.cf as shipped, only the
# two paths of the argv= changed; greyspf reads conf/greyspf.conf with
# the test's paths and a few keys added. The clock is injected: greyspf
# runs under libfaketime reading the time from a file the test writes,
# so "after GREYLISTTIME" is a line in a file, not a sleep.
#
# Asserted from SMTP replies, delivered messages and Postfix's log:
# greylisting (450, retry before and after GREYLISTTIME), Received-SPF
# in delivered mail behind greylisting, SPF fail 550, softfail and
# temperror as configured, a record over 512 bytes (TCP), a client
# whitelisted by greyspf-addip, IPv6 clients (over IPv6) grouped by /64,
# a tumgreyspf tree imported with greyspf-import (a passed triplet
# accepted at once, a new one greylisted), greyspf running as the
# unprivileged user, no protocol error in Postfix's log, sanitizers
# silent.
. "$(dirname "$0")/../tools/lib.sh"
need unshare ip mount getent id nsd postfix postconf swaks ps awk
. "$(dirname "$0")/e2elib.sh"
e2e_faketime_lib
e2e_namespaces "$@"

E=$T
PORT=2525
mkdir -p "$E/out" "$E/nsd" "$E/postfix" "$E/sbin" "$E/mail" "$E/asan"
chmod 1777 "$E/asan"

# --- the namespace: loopback, resolver, the greyspf user ---------------
ip link set lo up
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' \
    >"$E/resolv.conf"
chmod 644 "$E/resolv.conf"
mount --bind "$E/resolv.conf" /etc/resolv.conf
e2e_greyspf_user "$E"
GUID=$(id -u greyspf)
MAILUID=$(id -u nobody)
MAILGID=$(id -g nobody)
t_ok "greyspf user is unprivileged" test "$GUID" -ne 0

# --- DNS: NSD with the test zones --------------------------------------
sed "s|@E@|$E|g" tests/e2e/nsd.conf.in >"$E/nsd/nsd.conf"
cp tests/e2e/e2e.test.zone tests/e2e/example.com.zone "$E/nsd/"
t_ok "nsd starts" nsd -c "$E/nsd/nsd.conf"
t_ok "nsd answers" wait_for 10 getent hosts ns.e2e.test

# --- greyspf: binary behind the test clock, config, tree, database -----
clock() { printf '%s\n' "$1" >"$E/clock"; }
clock "2026-11-22 04:39:01"
chmod 644 "$E/clock"
e2e_greyspf_wrapper "$E"

mkdir -p "$E/config"
cp conf/config/__default__ "$E/config/"
sed -i 's/^GREYLISTTIME = .*/GREYLISTTIME = 300/' "$E/config/__default__"
sed -e "s|^database = .*|database = $E/db|" \
    -e "s|^configPath = .*|configPath = file://$E/config|" \
    conf/greyspf.conf >"$E/greyspf.conf"
cat >>"$E/greyspf.conf" <<EOF

# --- the end-to-end test's settings ---
# Networks: IPv4 /24 (as the imported tumgreyspf tree), IPv6 /64.
ignoreLastByte = 1
spfMailFromSoftfail = defer
spfMailFromTemperror = defer
spfReceiver = mx.e2e.test
spfTimeout = 5
EOF
chmod -R a+rX "$E/config" "$E/greyspf.conf"
t_ok "greyspf-addip whitelists 198.51.100.0/24" \
    "$BIN/greyspf-addip" -c "$E/greyspf.conf" 198.51.100.0/24

# Migration, as the README says: import the tumgreyspf tree, give the
# database to the greyspf user.
fixture tumgreyspf-v2-triplet-ignorelastbyte "$E/legacy"
t_ok "greyspf-import reads the tumgreyspf tree" \
    "$BIN/greyspf-import" -q -c "$E/greyspf.conf" "$E/legacy/data"
chown -R greyspf "$E/db"
# With the database in place: configtest checks that the greyspf user
# can write it.
t_ok "greyspf-configtest accepts the configuration" \
    "$BIN/greyspf-configtest" -q -c "$E/greyspf.conf"

# --- Postfix: its own instance, the shipped snippets -------------------
P=$E/postfix
sed -e "s|@E@|$E|g" -e "s|@MAILUID@|$MAILUID|" -e "s|@MAILGID@|$MAILGID|" \
    tests/e2e/main.cf.in >"$P/main.cf"
cat conf/postfix-main.cf >>"$P/main.cf"
cp tests/e2e/master.cf.in "$P/master.cf"
sed -e "s|/usr/local/sbin/greyspf|$E/sbin/greyspf|" \
    -e "s|/etc/greyspf/greyspf.conf|$E/greyspf.conf|" \
    conf/postfix-master.cf >>"$P/master.cf"
chown nobody "$E/mail"
# What Postfix makes of the snippets.
postconf -c "$P" smtpd_recipient_restrictions greyspf_time_limit \
    >"$E/out/postconf" 2>&1
postconf -c "$P" -M greyspf/unix >>"$E/out/postconf" 2>&1
t_grep "main.cf asks greyspf after reject_unauth_destination" \
    'reject_unauth_destination, check_policy_service unix:private/greyspf$' \
    "$E/out/postconf"
t_line "main.cf: greyspf_time_limit" "greyspf_time_limit = 3600" \
    "$E/out/postconf"
t_grep "master.cf: greyspf spawned as user greyspf" \
    "^greyspf +unix .* spawn user=greyspf argv=$E/sbin/greyspf $E/greyspf.conf\$" \
    "$E/out/postconf"
mkdir -p "$E/queue" "$E/data"
chown postfix "$E/data"
if ! postfix -c "$P" start >"$E/out/postfix-start" 2>&1; then
	_notok "postfix starts"
	_show "$E/out/postfix-start" "$E/maillog"
	exit 1
fi
_ok "postfix starts"
wait_for 10 swaks --server 127.0.0.1 --port $PORT --quit-after CONNECT \
    >/dev/null 2>&1

# --- SMTP sessions -----------------------------------------------------
# send NAME CLIENT FROM TO [swaks options]: one message through XCLIENT;
# the reply to RCPT TO goes to $E/out/NAME.rcpt.
send() {
	name=$1 client=$2 from=$3 to=$4
	shift 4
	swaks --server 127.0.0.1 --port $PORT \
	    --xclient-addr "$client" --xclient-name client.e2e.test \
	    --helo client.e2e.test --from "$from" --to "$to" \
	    --header "Subject: e2e $name" "$@" >"$E/out/$name.log" 2>&1
	awk '/^ *-> RCPT TO/ { getline; sub(/^<[-*~]+ +/, ""); print; exit }' \
	    "$E/out/$name.log" >"$E/out/$name.rcpt"
}
# reply NAME DESCRIPTION PATTERN: the RCPT reply matches PATTERN
reply() {
	if grep -Eq -- "$3" "$E/out/$1.rcpt"; then _ok "$2"
	else _notok "$2 (no /$3/)"; _show "$E/out/$1.log"; fi
}
# delivered NAME DESCRIPTION: the message reaches the mailbox; it is
# kept as $E/out/NAME.msg. Delivery is asynchronous: wait up to 20 s.
delivered() {
	: >"$E/out/$1.msg"
	if ! grep -q '^250 ' "$E/out/$1.rcpt"; then
		_notok "$2 (the message was not accepted)"
		return
	fi
	if wait_for 20 mailbox_has "$1"; then
		cp "$mail" "$E/out/$1.msg"
		_ok "$2"
		return
	fi
	_notok "$2 (not delivered in 20 s)"
	_show "$E/out/$1.log"
	tail -20 "$E/maillog" | sed 's/^/# /'
}
# mailbox_has NAME: $mail is the delivered message of session NAME.
mailbox_has() {
	mail=$(grep -l -x "Subject: e2e $1" "$E"/mail/box/new/* 2>/dev/null |
	    head -1)
	[ -n "$mail" ]
}
# greyspf_pids: the greyspf processes, the wrapper script or the program
# it runs (the PID namespace holds only the test's).
greyspf_pids() {
	ps -eo pid=,comm= |
	    awk '$2 == "greyspf.real" || $2 == "greyspf" { print $1 }'
}
no_greyspf() { [ -z "$(greyspf_pids)" ]; }
GREY='^450 4\.7\.1 .*Recipient address rejected: Service unavailable, greylisted'

# At T0 (2026-11-22 04:39:01 UTC, a day after the fixture's run).
send grey 192.0.2.10 alice@pass.e2e.test u1@rcpt.e2e.test
reply grey "first attempt: 450 greylisted" "$GREY"
send big 192.0.2.20 bob@big.e2e.test u2@rcpt.e2e.test
reply big "record over 512 bytes (TCP): greylisted after SPF pass" "$GREY"
send fail 192.0.2.30 carol@fail.e2e.test u3@rcpt.e2e.test
reply fail "SPF fail: 550" \
    "^550 5\.7\.23 .*SPF fail - not authorized: fail\.e2e\.test does not designate 192\.0\.2\.30 "
send soft 192.0.2.31 dave@softfail.e2e.test u3@rcpt.e2e.test
reply soft "SPF softfail: configured defer, 450" \
    "^450 4\.7\.23 .*SPF softfail: softfail\.e2e\.test does not designate 192\.0\.2\.31 "
send temp 192.0.2.32 erin@temperror.e2e.test u3@rcpt.e2e.test
reply temp "SPF temperror (SERVFAIL): configured defer, 451" \
    "^451 4\.4\.3 .*temperror.e2e.test"
send none 192.0.2.33 frank@none.e2e.test u3@rcpt.e2e.test
reply none "SPF none: greylisted, not rejected" "$GREY"
send white 198.51.100.7 gina@fail.e2e.test u4@rcpt.e2e.test
reply white "client whitelisted by greyspf-addip: accepted at once" '^250 '
delivered white "whitelisted client's message delivered"
send mig 203.0.113.5 alice@example.com bob@example.org
reply mig "migrated: tumgreyspf's passed triplet accepted at once" '^250 '
delivered mig "migrated triplet's message delivered"
t_grep "migrated triplet: Received-SPF pass" \
    '^Received-SPF: pass .*client-ip=203\.0\.113\.5; envelope-from="?alice@example\.com' \
    "$E/out/mig.msg"
send mignew 203.0.113.5 newbie@example.com bob@example.org
reply mignew "migrated: a new triplet on the same network greylisted" "$GREY"
send v6 'IPV6:2001:db8:1::10' henry@pass.e2e.test u5@rcpt.e2e.test \
    --server ::1
reply v6 "IPv6 client over IPv6: greylisted" "$GREY"
t_grep "the IPv6 session went over ::1" 'Connected to ::1' "$E/out/v6.log"

# greyspf processes are still there, kept by smtpd for the next session:
# each runs as greyspf, with no way back to root.
greyspf_pids >"$E/out/pids"
t_grep "greyspf runs under Postfix" '[0-9]' "$E/out/pids"
: >"$E/out/uids"
while read -r pid; do
	awk '/^(Uid|Gid):/ { print $1, $2, $3, $4, $5 }' "/proc/$pid/status" \
	    >>"$E/out/uids" 2>/dev/null
done <"$E/out/pids"
GGID=$(id -g greyspf)
awk -v u="$GUID" -v g="$GGID" '
	$1 == "Uid:" && ($2 != u || $3 != u || $4 != u || $5 != u) ||
	$1 == "Gid:" && ($2 != g || $3 != g || $4 != g || $5 != g)' \
    "$E/out/uids" >"$E/out/baduids"
t_grep "uids read from /proc" '^Uid:' "$E/out/uids"
t_eq "every greyspf process (and SPF worker) runs as greyspf: real, effective, saved uid and gid" \
    "$(cat "$E/out/baduids")" ""

# T0 + 100 s: the retry is still too early.
clock "2026-11-22 04:40:41"
send grey-early 192.0.2.10 alice@pass.e2e.test u1@rcpt.e2e.test
reply grey-early "retry before GREYLISTTIME: still 450" "$GREY"

# T0 + 301 s: past GREYLISTTIME (300 s).
clock "2026-11-22 04:44:02"
send grey-retry 192.0.2.10 alice@pass.e2e.test u1@rcpt.e2e.test
reply grey-retry "retry after GREYLISTTIME: accepted" '^250 '
delivered grey-retry "greylisted message delivered after the retry"
t_grep "delivered message: Received-SPF pass behind greylisting" \
    '^Received-SPF: pass \(mx\.e2e\.test: .*\) client-ip=192\.0\.2\.10; envelope-from="?alice@pass\.e2e\.test' \
    "$E/out/grey-retry.msg"
send big-retry 192.0.2.20 bob@big.e2e.test u2@rcpt.e2e.test
reply big-retry "record over 512 bytes: accepted after GREYLISTTIME" '^250 '
delivered big-retry "message under the long record delivered"
t_grep "long record: Received-SPF pass" \
    '^Received-SPF: pass .*client-ip=192\.0\.2\.20' "$E/out/big-retry.msg"
send v6-same 'IPV6:2001:db8:1::20' henry@pass.e2e.test u5@rcpt.e2e.test \
    --server ::1
reply v6-same "IPv6: another address of the same /64 passes" '^250 '
delivered v6-same "IPv6 client's message delivered"
t_grep "IPv6: Received-SPF pass for the client" \
    '^Received-SPF: pass .*client-ip=2001:db8:1::20' "$E/out/v6-same.msg"
send v6-other 'IPV6:2001:db8:1:1::10' henry@pass.e2e.test u5@rcpt.e2e.test \
    --server ::1
reply v6-other "IPv6: the next /64 is a new client, greylisted" "$GREY"
send none-retry 192.0.2.33 frank@none.e2e.test u3@rcpt.e2e.test
reply none-retry "SPF none: accepted after GREYLISTTIME" '^250 '
delivered none-retry "SPF none message delivered"
t_nogrep "SPF none: no Received-SPF added" '^Received-SPF' \
    "$E/out/none-retry.msg"

# --- what Postfix and the sanitizers saw -------------------------------
postfix -c "$P" stop >/dev/null 2>&1
# greyspf reads end of input when smtpd goes, and exits (then the
# sanitizers have said all they will).
wait_for 10 no_greyspf
t_eq "every greyspf exits when Postfix stops" "$(greyspf_pids)" ""
t_grep "Postfix logged greyspf's answers" \
    'reject: RCPT from .*greylisted' "$E/maillog"
t_nogrep "no policy protocol failure in Postfix's log" \
    '451 4\.3\.5|problem talking to server|policy service .*(error|malformed)' \
    "$E/maillog"
t_nogrep "no Postfix warnings or fatal errors" \
    'postfix/[a-z/]+\[[0-9]+\]: (warning|fatal|panic):' "$E/maillog"
t_eq "ASan/UBSan reports from greyspf under Postfix" \
    "$(ls "$E/asan")" ""
