#!/bin/sh
# deps.sh - install the Debian packages greyspf's build and tests need.
# "make deps" and .ci/run call it; it is safe to run again.
set -eu
# "deps.sh bench" adds what make bench compares against.
PKGS="build-essential liblmdb-dev lmdb-utils libinih-dev libcmocka-dev
    libsystemd-dev
    faketime python3 util-linux tar findutils bc libspf2-dev libyaml-dev
    iproute2 postfix nsd swaks libio-socket-inet6-perl procps groff-base
    libpcre2-dev postgrey libhiredis-dev redis-server redis-sentinel
    redis-tools strace systemd"
# systemd: systemd-socket-activate, test_daemon_activation's systemd
# (socket activation).
# strace: test_daemon_spfqueue widens a race window with its fault
# injection (a delayed system call).
# postgrey: its /etc/postgrey/whitelist_clients is test data (Debian's
# list of big senders); the guard below keeps its service from starting.
# make deb and make test-deb: debian/control's Build-Depends, the tools
# that build and check the package, and what its scripts call.
PKGS="$PKGS debhelper dpkg-dev lintian adduser init-system-helpers
    systemd libhiredis-dev libpcre2-dev libsystemd-dev"
[ "${1:-}" = bench ] && PKGS="$PKGS postfix-policyd-spf-python \
    python3-dnspython time sqlgrey postgresql libdbd-pg-perl"
missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' \
	    || missing="$missing $p"
done
if [ -n "$missing" ]; then
	export DEBIAN_FRONTEND=noninteractive
	# Postfix and NSD are for the end-to-end test, which runs its own
	# instances: the packages must not configure or start the machine's.
	echo "postfix postfix/main_mailer_type select No configuration" |
	    debconf-set-selections
	policy=
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		policy=/usr/sbin/policy-rc.d
		printf '#!/bin/sh\nexit 101\n' >"$policy"
		chmod 755 "$policy"
		trap 'rm -f "$policy"' EXIT
	fi
	apt-get update -q
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing
fi
