# e2elib.sh - what the end-to-end tests share; source it after
# tests/tools/lib.sh.
#
#	e2e_namespaces ARG...	run this script again in namespaces of
#				its own (mount, network, PID), once
#	e2e_faketime_lib	set FAKETIME_LIB, or fail the test
#	e2e_greyspf_user DIR	a "greyspf" user in bound copies of
#				/etc/passwd and /etc/group (in the test's
#				mount namespace) when the machine has none
#	e2e_greyspf_wrapper DIR	DIR/sbin/greyspf: the build's greyspf
#				under libfaketime reading DIR/clock, its
#				sanitizer reports in DIR/asan
#	e2e_greyspf_pids	the greyspf processes, the wrapper or the
#				program it runs (the PID namespace holds
#				only the test's)
#	e2e_no_greyspf		true when there is none

e2e_namespaces() {
	[ "${GREYSPF_IN_NS:-}" = 1 ] && return 0
	export GREYSPF_IN_NS=1
	rmdir "$T"
	exec unshare -m -n -p -f --mount-proc sh "$0" "$@"
}

e2e_faketime_lib() {
	FAKETIME_LIB=
	for f in /usr/lib/*/faketime/libfaketime.so.1; do
		[ -f "$f" ] && FAKETIME_LIB=$f
	done
	if [ -z "$FAKETIME_LIB" ]; then
		_notok "libfaketime.so.1 is missing (run make deps)"
		exit 1
	fi
}

e2e_greyspf_user() {
	getent passwd greyspf >/dev/null && return 0
	uid=64000
	while getent passwd $uid >/dev/null || getent group $uid >/dev/null
	do
		uid=$((uid + 1))
	done
	cp /etc/passwd "$1/passwd"
	cp /etc/group "$1/group"
	echo "greyspf:x:$uid:$uid:greyspf:/nonexistent:/usr/sbin/nologin" \
	    >>"$1/passwd"
	echo "greyspf:x:$uid:" >>"$1/group"
	chmod 644 "$1/passwd" "$1/group"
	mount --bind "$1/passwd" /etc/passwd
	mount --bind "$1/group" /etc/group
}

e2e_greyspf_wrapper() {
	mkdir -p "$1/sbin" "$1/asan"
	chmod 1777 "$1/asan"
	cp "$BIN/greyspf" "$1/sbin/greyspf.real"
	cat >"$1/sbin/greyspf" <<WRAPPER
#!/bin/sh
# greyspf under the test's clock: libfaketime reads $1/clock at every
# call. ASan and UBSan write to $1/asan, never to the policy socket.
LD_PRELOAD=$FAKETIME_LIB
FAKETIME_TIMESTAMP_FILE=$1/clock
FAKETIME_NO_CACHE=1
FAKETIME_DONT_FAKE_MONOTONIC=1
TZ=UTC
ASAN_OPTIONS=verify_asan_link_order=0:log_path=$1/asan/asan
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$1/asan/ubsan
export LD_PRELOAD FAKETIME_TIMESTAMP_FILE FAKETIME_NO_CACHE TZ
export FAKETIME_DONT_FAKE_MONOTONIC ASAN_OPTIONS UBSAN_OPTIONS
exec $1/sbin/greyspf.real "\$@"
WRAPPER
	chmod 755 "$1/sbin/greyspf" "$1/sbin/greyspf.real"
}

e2e_greyspf_pids() {
	ps -eo pid=,comm= |
	    awk '$2 == "greyspf.real" || $2 == "greyspf" { print $1 }'
}

e2e_no_greyspf() { [ -z "$(e2e_greyspf_pids)" ]; }
