#!/bin/sh
# requires: root
# test_deb.sh - the Debian package, built and installed (make test-deb;
# .ci/run runs it after make test).
#
# Builds the package (make deb) and, from a copy of the tree, the same
# package as version 0.0.9 whose __default__ differs; lintian on the
# package (an error or a warning fails). Then, in an overlay over this
# machine's root (its upper layer on a tmpfs, in a mount and network
# namespace of the test's own, chrooted into: nothing reaches the
# machine), twice:
#   - a fresh install: the user, the database directory, configtest on
#     the installed configuration, a request through /usr/sbin/greyspf
#     as the greyspf user (the greylist answer, the database written),
#     the timer and the cron file (and what their commands do), the
#     daemon's unit when conf/ has one (installed, not enabled);
#     dpkg -r keeps /etc/greyspf, the database and the user; dpkg -P
#     leaves nothing: the overlay's upper layer holds nothing new but
#     dpkg's records and logs and shadow's backup copies;
#   - an upgrade from 0.0.9 with both conffiles changed by the site:
#     both changes kept, the new __default__ beside it as .dpkg-dist,
#     the old version's database entry kept; then purge as above;
# and a purge while a process of the greyspf user runs (a spawned
# greyspf outlives the package): it completes and says the user is left.
# Prints TAP, "# report:" lines (lintian's tags, the package's size and
# contents, the time taken) and "N passed, M failed"; exits non-zero on
# any failure.
set -u
if [ "${GREYSPF_DEB_NS:-}" != 1 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "not ok 1 - test_deb.sh needs root (namespaces, chroot)"
		echo "0 passed, 1 failed"
		exit 1
	fi
	export GREYSPF_DEB_NS=1
	exec unshare -m -n --propagation private sh "$0" "$@"
fi
. "$(dirname "$0")/../tools/lib.sh"
START=$(date +%s)
fails=0
R=$T/root
O=$T/ovl
U=$O/upper

# _notok - lib.sh's, counting failures for the summary line.
_notok() { _n=$((_n + 1)); fails=$((fails + 1)); echo "not ok $_n - $1"; }

# finish - the time taken, the summary; exit 1 on any failure.
finish() {
	echo "# report: test_deb.sh took $(($(date +%s) - START)) s"
	echo "$((_n - fails)) passed, $fails failed"
	[ "$fails" -eq 0 ] && exit 0
	exit 1
}

# bail NAME [FILE] - a failure the rest cannot run without.
bail() {
	_notok "$1"
	[ -n "${2:-}" ] && tail -40 "$2" | sed 's/^/# /'
	finish
}

# cleanup - unmount the overlay before removing $T, and never remove
# across a mount (the overlay shows the machine's root).
cleanup() {
	# A process of the test's left in the overlay keeps it mounted.
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$R" ] &&
		    kill "${p#/proc/}" 2>/dev/null
	done
	umount -R "$R" 2>/dev/null
	umount "$O" 2>/dev/null
	if mountpoint -q "$R" || mountpoint -q "$O"; then
		echo "test_deb.sh: $T still mounted, left" >&2
	elif [ "${KEEP_T:-}" = 1 ]; then
		echo "kept $T" >&2
	else
		rm -rf --one-file-system "$T"
	fi
}
trap cleanup EXIT

need make dpkg-buildpackage dpkg-deb lintian unshare chroot setpriv \
    mount umount mountpoint readelf ip systemd-analyze
ip link set lo up
V=$(sed -n 's/^VERSION[ \t]*=[ \t]*//p' Makefile)
OLDV=0.0.9
ARCH=$(dpkg --print-architecture)
echo "# version $V, previous $OLDV, $ARCH"

# --- The packages --------------------------------------------------
make deb >"$T/build.log" 2>&1 || bail "make deb" "$T/build.log"
_ok "make deb builds greyspf $V"
DEB=build/deb/greyspf_${V}_$ARCH.deb
[ -f "$DEB" ] || bail "make deb leaves $DEB" "$T/build.log"
mkdir -p "$T/old" "$T/pkg"
tar -cf - --exclude=./build --exclude=./bin --exclude=./var \
    --exclude=./.git . | tar -xf - -C "$T/old"
sed -i "s/^VERSION\([ \t]*\)=.*/VERSION\1= $OLDV/" "$T/old/Makefile"
sed -i "1s/^greyspf ([^)]*)/greyspf ($OLDV)/" "$T/old/debian/changelog"
sed -i "0,/^[0-9]/s/^[0-9][^ ]*/$OLDV/" "$T/old/CHANGES"
echo "# as in greyspf $OLDV" >>"$T/old/conf/config/__default__"
make -C "$T/old" deb >"$T/build-old.log" 2>&1 ||
    bail "make deb of the tree as $OLDV" "$T/build-old.log"
_ok "make deb builds greyspf $OLDV from a copy of the tree"
cp "$DEB" "$T/pkg/new.deb"
cp "$T/old/build/deb/greyspf_${OLDV}_$ARCH.deb" "$T/pkg/old.deb"
chmod -R a+rX "$T/pkg"

# --- lintian and the package's contents ----------------------------
# As nobody: lintian warns against root.
setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$T" \
    lintian --pedantic -I --show-overrides --fail-on error,warning \
    "$T/pkg/new.deb" >"$T/lintian" 2>&1
t_eq "lintian runs and fails on nothing (--fail-on error,warning)" \
    "$?" 0
t_nogrep "lintian: no error" '^E: ' "$T/lintian"
t_nogrep "lintian: no warning" '^W: ' "$T/lintian"
t_nogrep "lintian: no hardening tag" 'hardening' "$T/lintian"
if [ -s "$T/lintian" ]; then
	sed 's/^/# report: lintian: /' "$T/lintian"
else
	echo "# report: lintian: no tag at all (pedantic, info)"
fi
echo "# report: package $(basename "$DEB"): $(stat -c %s "$DEB") bytes," \
    "Installed-Size $(dpkg-deb -f "$DEB" Installed-Size) KiB"
dpkg-deb -c "$DEB" | sed 's/^/# contents: /'
dpkg-deb -x "$DEB" "$T/x"
readelf -d "$T/x/usr/sbin/greyspf" >"$T/dyn"
t_grep "greyspf links liblmdb dynamically" 'NEEDED.*liblmdb\.so' "$T/dyn"
t_grep "greyspf links libinih dynamically" 'NEEDED.*libinih\.so' "$T/dyn"
t_grep "greyspf is linked with -z now" 'FLAGS.*BIND_NOW' "$T/dyn"
readelf -lW "$T/x/usr/sbin/greyspf" >"$T/seg"
t_grep "greyspf is linked with -z relro" 'GNU_RELRO' "$T/seg"
t_same "the master.cf snippet names /usr/sbin" \
    "$T/x/usr/share/doc/greyspf/postfix-master.cf" /dev/stdin <<EOF
$(sed 's|/usr/local/sbin/|/usr/sbin/|' conf/postfix-master.cf)
EOF
t_same "the daemon's main.cf snippet is in the documentation" \
    "$T/x/usr/share/doc/greyspf/postfix-main-daemon.cf" \
    conf/postfix-main-daemon.cf
# dh_compress gzips a README.Debian over 4 KiB.
zcat -f "$T/x/usr/share/doc/greyspf/README.Debian"* >"$T/readme" 2>&1
t_grep "README.Debian: the daemon's listen key" '^ *listen = ' "$T/readme"
# The whole document, once: a broken edit once left only its daemon
# section, repeated 3,270 times (94,916 lines).
t_eq "README.Debian: the package's source, installed as it is" \
    "$(cksum <"$T/readme")" "$(cksum <debian/README.Debian)"
t_grep "README.Debian: the spawn mode's master.cf line" \
    '^  greyspf   unix  -       n       n       -       -       spawn$' \
    "$T/readme"
t_eq "README.Debian: each section once" \
    "$(grep -c -e '^Spawn mode' -e '^Daemon mode' -e '^Removing the package' "$T/readme")" 3
t_grep "greyspf.service names /usr/sbin" '^ExecStart=/usr/sbin/greyspf ' \
    "$T/x/lib/systemd/system/greyspf.service"

# --- The throwaway system ------------------------------------------
# The machine's baseline must not have greyspf, or removal proves
# nothing.
getent passwd greyspf >/dev/null && bail "this machine has a greyspf user"
getent group greyspf >/dev/null && bail "this machine has a greyspf group"
mkdir -p "$R" "$O"
mount -t tmpfs -o mode=755 greyspf-deb "$O" || bail "tmpfs for the overlay"
mkdir "$U" "$O/work"
mount -t overlay greyspf-deb -o "lowerdir=/,upperdir=$U,workdir=$O/work" \
    "$R" || bail "overlay over / (lowerdir=/)"
mount -t proc proc "$R/proc" || bail "proc in the overlay"
mount -t tmpfs -o mode=755 greyspf-dev "$R/dev" || bail "dev in the overlay"
for n in null zero full random urandom; do
	: >"$R/dev/$n"
	mount --bind "/dev/$n" "$R/dev/$n" || bail "/dev/$n in the overlay"
done
mount -t tmpfs -o mode=1777 greyspf-tmp "$R/tmp" || bail "tmp in the overlay"
mount -t tmpfs -o mode=755 greyspf-run "$R/run" || bail "run in the overlay"
mkdir -p "$R/run/lock" "$R/tmp/pkg"
cp "$T/pkg/new.deb" "$T/pkg/old.deb" "$R/tmp/pkg/"
# man-db's trigger would rebuild its index at each step: seconds, and
# files that are not the package's.
rm -f "$R/var/lib/man-db/auto-update"

# in_root CMD... - CMD in the overlay, as root, with a clean environment.
in_root() {
	chroot "$R" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C \
	    DEBIAN_FRONTEND=noninteractive "$@"
}

# as_greyspf CMD... - CMD in the overlay as the greyspf user.
as_greyspf() {
	in_root setpriv --reuid=greyspf --regid=greyspf --init-groups "$@"
}

# snap FILE - the paths in the overlay's upper layer.
snap() { (cd "$U" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort) >"$1"; }

# leftovers - what the upper layer holds now that it did not before the
# first install, leaving out dpkg's records and logs, shadow's backup
# copies, the machine's directories and the machine's files unchanged.
leftovers() {
	snap "$T/after"
	LC_ALL=C comm -13 "$T/before" "$T/after" | while read -r p; do
		case $p in
		var/lib/dpkg/* | var/log/*) continue ;;
		etc/passwd- | etc/group- | etc/shadow- | etc/gshadow-)
			continue ;;
		esac
		f=$U/$p
		if [ -d "$f" ] && [ ! -L "$f" ] && [ -d "/$p" ]; then
			continue
		fi
		if [ -f "$f" ] && [ ! -L "$f" ] && [ -f "/$p" ] &&
		    cmp -s "$f" "/$p"; then
			continue
		fi
		echo "$p"
	done
}

# request NAME SENDER - a policy request from a loopback client (the
# SPF checker skips it; the network is the test's own, empty) through
# the installed greyspf, spawned as Postfix's master.cf would.
request() {
	printf '%s\n' request=smtpd_access_policy protocol_state=RCPT \
	    client_address=127.0.0.1 client_name=localhost \
	    helo_name=localhost "sender=$2" recipient=bob@example.net \
	    "instance=$1" "" >"$R/tmp/req"
	as_greyspf /usr/sbin/greyspf /etc/greyspf/greyspf.conf \
	    <"$R/tmp/req" >"$T/reply" 2>"$T/reply.err"
}

# cron_cmd - /etc/cron.d/greyspf's command; cron_user - its user.
cron_cmd() {
	awk '!/^#/ && NF { for (i = 1; i <= 6; i++) $i = ""
	    sub(/^ +/, ""); print }' "$R/etc/cron.d/greyspf"
}
cron_user() { awk '!/^#/ && NF { print $6 }' "$R/etc/cron.d/greyspf"; }

# unit_key UNIT KEY - a key's value in an installed unit.
unit_key() { sed -n "s/^$2=//p" "$R/lib/systemd/system/$1"; }

# others_x MODE - an octal mode with the others' x bit set
others_x() {
	case $1 in
	'' | *[!0-7]*) return 1 ;;
	esac
	[ $((0$1 & 1)) -eq 1 ]
}

# removed_checks - after dpkg -r: the programs and units gone; the
# configuration, the database, the user and the cron file kept, and the
# cron command doing nothing.
removed_checks() {
	t_ok "removed: /usr/sbin/greyspf gone" test ! -e "$R/usr/sbin/greyspf"
	t_ok "removed: the timer's unit gone" \
	    test ! -e "$R/lib/systemd/system/greyspf-clean.timer"
	t_ok "removed: /etc/greyspf/greyspf.conf kept" \
	    test -f "$R/etc/greyspf/greyspf.conf"
	t_ok "removed: /etc/greyspf/config/__default__ kept" \
	    test -f "$R/etc/greyspf/config/__default__"
	t_ok "removed: the database kept" \
	    test -s "$R/var/lib/greyspf/db/data.mdb"
	t_ok "removed: the greyspf user kept" in_root getent passwd greyspf
	t_ok "removed: /etc/cron.d/greyspf kept (a conffile)" \
	    test -f "$R/etc/cron.d/greyspf"
	as_greyspf sh -c "$(cron_cmd)" >"$T/cron.out" 2>&1
	t_eq "removed: the cron command stops at test -x (status 1)" "$?" 1
	t_eq "removed: ... and prints nothing" "$(cat "$T/cron.out")" ""
}

# purged_checks - after dpkg -P: nothing of greyspf left.
purged_checks() {
	t_rc "purged: no greyspf user" 2 in_root getent passwd greyspf
	t_rc "purged: no greyspf group" 2 in_root getent group greyspf
	for d in /etc/greyspf /var/lib/greyspf /etc/cron.d/greyspf \
	    /usr/share/doc/greyspf; do
		t_ok "purged: no $d" test ! -e "$R$d" -a ! -L "$R$d"
	done
	in_root dpkg-query -W -f='${Status}' greyspf >"$T/status" 2>&1
	t_grep "purged: dpkg knows no greyspf" 'no packages found' \
	    "$T/status"
	t_eq "purged: no /var/lib/dpkg/info/greyspf.*" \
	    "$(ls "$R/var/lib/dpkg/info" | grep '^greyspf[.:]')" ""
	for f in passwd group shadow gshadow; do
		t_same "purged: /etc/$f as before" "/etc/$f" "$R/etc/$f"
	done
	leftovers >"$T/left"
	t_eq "purged: nothing new in the overlay but dpkg's records" \
	    "$(cat "$T/left")" ""
}

snap "$T/before"

# --- A fresh install -----------------------------------------------
t_ok "fresh: dpkg -i greyspf $V" in_root dpkg -i /tmp/pkg/new.deb
in_root getent passwd greyspf >"$T/pw"
# A system uid (100-999), its own group, no login.
pw_re='^greyspf:x:[1-9][0-9]{0,2}:[0-9]+:[^:]*:/var/lib/greyspf:'
t_grep "fresh: a greyspf system user, home /var/lib/greyspf, no shell" \
    "$pw_re/usr/sbin/nologin\$" "$T/pw"
t_ok "fresh: a greyspf group" in_root getent group greyspf
t_eq "fresh: /var/lib/greyspf/db is greyspf's, mode 750" \
    "$(in_root stat -c '%U:%G %a' /var/lib/greyspf/db)" "greyspf:greyspf 750"
t_same "fresh: /etc/greyspf/greyspf.conf is conf/'s" conf/greyspf.conf \
    "$R/etc/greyspf/greyspf.conf"
t_ok "fresh: greyspf-configtest passes on the installed configuration" \
    in_root greyspf-configtest
request fresh1 alice@example.org
t_grep "fresh: a request as greyspf gets the greylist answer" \
    '^action=defer_if_permit .*greylisted' "$T/reply"
t_eq "fresh: the database is written, by greyspf" \
    "$(in_root stat -c %U /var/lib/greyspf/db/data.mdb)" greyspf
as_greyspf greyspf-dump >"$T/dump" 2>&1
t_grep "fresh: greyspf-dump shows the triplet" 'alice@example\.org' "$T/dump"
t_ok "fresh: greyspf-clean.timer installed" \
    test -f "$R/lib/systemd/system/greyspf-clean.timer"
t_ok "fresh: greyspf-clean.timer enabled" test -L \
    "$R/etc/systemd/system/timers.target.wants/greyspf-clean.timer"
t_eq "fresh: greyspf-clean.service runs as greyspf" \
    "$(unit_key greyspf-clean.service User)" greyspf
# shellcheck disable=SC2046
t_ok "fresh: greyspf-clean.service's ExecStart runs, as its User" \
    as_greyspf $(unit_key greyspf-clean.service ExecStart)
units="greyspf-clean.service greyspf-clean.timer"
[ -f conf/greyspf.service ] && units="$units greyspf.service"
[ -f conf/greyspf.socket ] && units="$units greyspf.socket"
# --man=no: man would leave a formatted page in /var/cache/man; the
# pages are checked here instead.
# shellcheck disable=SC2086
t_ok "fresh: systemd-analyze verify accepts the units ($units)" \
    in_root systemd-analyze verify --man=no \
    $(printf '/lib/systemd/system/%s ' $units)
for u in greyspf-clean.service greyspf-clean.timer; do
	m=$(unit_key "$u" Documentation | tr ' ' '\n' |
	    sed -n 's/^man:\(.*\)(\([1-8]\))$/\2\/\1/p' | head -1)
	t_ok "fresh: $u's Documentation= page is installed" \
	    test -n "$m" -a \
	    -f "$R/usr/share/man/man${m%%/*}/${m#*/}.${m%%/*}.gz"
done
t_ok "fresh: /etc/cron.d/greyspf installed" test -f "$R/etc/cron.d/greyspf"
t_eq "fresh: the cron job runs as greyspf" "$(cron_user)" greyspf
t_grep "fresh: the cron job is guarded by test -x" \
    'test -x /usr/sbin/greyspf-clean &&' "$R/etc/cron.d/greyspf"
as_greyspf sh -c "$(cron_cmd)" >"$T/cron.out" 2>&1
t_eq "fresh: without systemd the cron command runs greyspf-clean" "$?" 0
t_eq "fresh: ... quietly" "$(cat "$T/cron.out")" ""
mkdir -p "$R/run/systemd/system"
as_greyspf sh -c "$(cron_cmd) || echo skipped" >"$T/cron.out" 2>&1
t_eq "fresh: under systemd the cron command does nothing" \
    "$(cat "$T/cron.out")" skipped
rmdir "$R/run/systemd/system" "$R/run/systemd"
if [ -f conf/greyspf.service ]; then
	t_ok "fresh: the daemon's greyspf.service installed" \
	    test -f "$R/lib/systemd/system/greyspf.service"
	t_eq "fresh: ... not enabled" \
	    "$(find "$R/etc/systemd/system" -lname '*greyspf.service')" ""
	t_grep "fresh: ... its ExecStart is /usr/sbin/greyspf" \
	    '^ExecStart=/usr/sbin/greyspf( |$)' \
	    "$R/lib/systemd/system/greyspf.service"
else
	echo "# no conf/greyspf.service yet: no daemon unit to check"
fi
if [ -f conf/greyspf.socket ]; then
	# On a system where the service has not run yet, systemd makes the
	# socket's directory itself, root's, with this mode: Postfix's smtpd
	# (user postfix) must be able to traverse it to reach the socket.
	# None set: systemd's default, 0755.
	dm=$(unit_key greyspf.socket DirectoryMode)
	t_ok "fresh: greyspf.socket's DirectoryMode ${dm:-0755} lets others in" \
	    others_x "${dm:-0755}"
fi
t_ok "fresh: dpkg -r greyspf" in_root dpkg -r greyspf
removed_checks
t_ok "fresh: dpkg -P greyspf" in_root dpkg -P greyspf
purged_checks

# --- An upgrade from the previous version --------------------------
t_ok "upgrade: dpkg -i greyspf $OLDV" in_root dpkg -i /tmp/pkg/old.deb
request old1 carol@example.org
t_grep "upgrade: $OLDV answers" '^action=defer_if_permit' "$T/reply"
in_root sed -i 's/^debugLevel = 0$/debugLevel = 1/' \
    /etc/greyspf/greyspf.conf
in_root sed -i 's/^GREYLISTTIME = 600$/GREYLISTTIME = 300/' \
    /etc/greyspf/config/__default__
t_grep "upgrade: the site changed greyspf.conf" '^debugLevel = 1$' \
    "$R/etc/greyspf/greyspf.conf"
# As an unattended upgrade does: keep a changed conffile, no question.
t_ok "upgrade: dpkg -i greyspf $V over $OLDV" in_root dpkg \
    --force-confdef --force-confold -i /tmp/pkg/new.deb
t_eq "upgrade: greyspf $V installed" \
    "$(in_root dpkg-query -W -f='${Version}' greyspf)" "$V"
t_eq "upgrade: greyspf -V prints $V" "$(in_root greyspf -V)" "greyspf $V"
t_grep "upgrade: the site's greyspf.conf kept" '^debugLevel = 1$' \
    "$R/etc/greyspf/greyspf.conf"
t_ok "upgrade: greyspf.conf, the same in both versions, asked nothing" \
    test ! -e "$R/etc/greyspf/greyspf.conf.dpkg-dist"
t_grep "upgrade: the site's __default__ kept" '^GREYLISTTIME = 300$' \
    "$R/etc/greyspf/config/__default__"
t_same "upgrade: $V's __default__ beside it as .dpkg-dist" \
    conf/config/__default__ "$R/etc/greyspf/config/__default__.dpkg-dist"
as_greyspf greyspf-dump >"$T/dump" 2>&1
t_grep "upgrade: $OLDV's database entry kept" 'carol@example\.org' \
    "$T/dump"
t_ok "upgrade: greyspf-configtest passes" in_root greyspf-configtest
request new1 dave@example.org
t_grep "upgrade: $V answers" '^action=defer_if_permit .*greylisted' \
    "$T/reply"
t_ok "upgrade: greyspf-clean.timer still enabled" test -L \
    "$R/etc/systemd/system/timers.target.wants/greyspf-clean.timer"
t_ok "upgrade: dpkg -r greyspf" in_root dpkg -r greyspf
removed_checks
t_ok "upgrade: dpkg -P greyspf" in_root dpkg -P greyspf
purged_checks

# --- Purge while a greyspf process runs ----------------------------
# Postfix's spawned greyspf may outlive the package by up to
# greyspf_time_limit; userdel refuses a user with processes.
t_ok "busy: dpkg -i greyspf $V" in_root dpkg -i /tmp/pkg/new.deb
as_greyspf sh -c 'echo $$ >/tmp/busy.pid; exec sleep 300' &
wait_for 5 test -s "$R/tmp/busy.pid"
busy=$(cat "$R/tmp/busy.pid")
in_root dpkg -P greyspf >"$T/purge.out" 2>&1
t_eq "busy: dpkg -P completes while greyspf runs" "$?" 0
t_grep "busy: ... and says the user is left" \
    'could not remove the user greyspf' "$T/purge.out"
kill "$busy"
wait
t_ok "busy: /etc/greyspf and /var/lib/greyspf gone all the same" \
    test ! -e "$R/etc/greyspf" -a ! -e "$R/var/lib/greyspf"
finish
