#!/bin/sh
# run.sh - run every test of "make test" and print "N passed, M failed".
#
# BUILD names the build directory (make test uses the sanitizer build,
# build/san). TESTS=check (make check) leaves out the scripts that say
# "# requires: root" (namespaces, mounts, another user): what remains
# runs as any user. Each test's name is printed as it starts, so that a
# long one does not look like a hang. Unit tests are cmocka programs, run with TAP output; the
# tool tests are shell scripts printing TAP through tests/tools/lib.sh.
# Each "ok"/"not ok" line counts once; a program that crashes or exits
# non-zero without a "not ok" line counts as one failure.
set -u
BUILD=${BUILD:-build/san}
BIN=$BUILD/bin
export BUILD BIN
# The tests' own faketime first (tests/bin/faketime: why, there).
PATH=$(cd "$(dirname "$0")/bin" && pwd):$PATH
export PATH
# faketime preloads itself; ASan wants to be first, and is told not to
# mind. Leak checking stays on.
export ASAN_OPTIONS=${ASAN_OPTIONS:-verify_asan_link_order=0:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
pass=0
fail=0
log=$(mktemp)

run_one() {
	name=$1
	shift
	echo "# $name ..."
	t0=$(date +%s)
	"$@" >"$log" 2>&1
	rc=$?
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $name exited with status $rc"
	fi
	# A test may report figures of its own (the SPF suites do).
	sed -n 's/^# report: /  /p' "$log"
	if [ "$f" -ne 0 ]; then
		echo "--- $name"
		grep -v '^ok ' "$log" | head -60
	fi
	echo "$name: $p passed, $f failed ($(($(date +%s) - t0)) s)"
	pass=$((pass + p))
	fail=$((fail + f))
}

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	run_one "$(basename "$t")" env CMOCKA_MESSAGE_OUTPUT=TAP "$t"
done
for t in tests/tools/test_*.sh tests/e2e/test_*.sh; do
	if [ "${TESTS:-}" = check ] && grep -q '^# requires: root' "$t"; then
		echo "# $(basename "$t"): needs root, left to make test"
		continue
	fi
	run_one "$(basename "$t")" sh "$t"
done
rm -f "$log"
# What faketime wrappers killed by the tests left: none of a live one.
for f in /dev/shm/sem.faketime_sem_*; do
	[ -e "$f" ] || continue
	p=${f##*_}
	kill -0 "$p" 2>/dev/null || rm -f "$f" "/dev/shm/faketime_shm_$p"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
