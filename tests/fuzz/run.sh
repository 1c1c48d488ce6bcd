#!/bin/sh
# run.sh - "make fuzz": each libFuzzer target for FUZZ_SECONDS (60).
set -eu
BUILD=${BUILD:-build/fuzz}
S=${FUZZ_SECONDS:-60}
for t in legacy_path dump_line record config proto spf entity \
    whitelist_clients whitelist_recipients redis_spec listen template; do
	mkdir -p "$BUILD/corpus/$t"
	cp tests/fuzz/corpus/$t/* "$BUILD/corpus/$t/"
	echo "== fuzz_$t ($S s)"
	"$BUILD/tests/fuzz_$t" -max_total_time="$S" -max_len=4096 \
	    "$BUILD/corpus/$t"
done
