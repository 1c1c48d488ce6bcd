#!/bin/sh
# test_cli.sh - what every tool does alike: -h and --help, -V and
# --version, usage errors (2), run-time failures (1), write errors on
# stdout (1).
. "$(dirname "$0")/lib.sh"

# Every program, the service included: help on stdout, exit 0.
for p in greyspf greyspf-import greyspf-dump greyspf-load greyspf-stat \
    greyspf-clean greyspf-configtest greyspf-addip greyspf-delete; do
	for h in -h --help; do
		t_ok "$p $h" "$BIN/$p" $h
		t_grep "$p $h prints usage" "^usage: $p " "$T/.out"
		t_eq "$p $h: nothing on stderr" "$(cat "$T/.err")" ""
	done
	for v in -V --version; do
		t_ok "$p $v" "$BIN/$p" $v
		t_grep "$p $v prints version" "^$p [0-9]+\.[0-9]+" "$T/.out"
	done
	for bad in -Z --no-such-option; do
		t_rc "$p $bad" 2 "$BIN/$p" $bad
		t_grep "$p $bad: usage on stderr" "^usage: $p " "$T/.err"
	done
done

"$BIN/greyspf-load" -d "$T/db" "$(dirname "$0")/../data/dump-v1.in" >/dev/null
for tool in import dump load stat clean configtest addip delete; do
	p=$BIN/greyspf-$tool
	case $tool in import|load) arg=x ;; delete) arg="--client 0.0.0.0/0" ;;
	*) arg= ;; esac
	# addip writes no database: it takes no -d.
	case $tool in addip) db= ;; *) db="-d $T/db" ;; esac
	t_rc "$tool missing config file" 1 "$p" -c "$T/nonexistent.conf" $db $arg
	t_grep "$tool missing config file named" 'nonexistent.conf' "$T/.err"
done
t_rc "import without a tree" 2 "$BIN/greyspf-import" -d "$T/db"
t_rc "dump with an argument" 2 "$BIN/greyspf-dump" -d "$T/db" extra
t_rc "load with two files" 2 "$BIN/greyspf-load" -d "$T/db" a b
t_rc "clean bad batch" 2 "$BIN/greyspf-clean" -b 0 -d "$T/db"
t_rc "dump of a missing database" 1 "$BIN/greyspf-dump" -d "$T/missing"
t_rc "stat of a missing database" 1 "$BIN/greyspf-stat" -d "$T/missing"
t_rc "dump to a full device" 1 sh -c "'$BIN/greyspf-dump' -d '$T/db' >/dev/full"
t_grep "full device reported" 'error writing standard output' "$T/.err"
t_rc "stat to a full device" 1 sh -c "'$BIN/greyspf-stat' -d '$T/db' >/dev/full"
# Closed standard descriptors (issue 11 F4): /dev/null keeps their
# numbers, so the database opened later never takes one; output fails
# and says so, rather than landing in the database's files (over 4 KiB
# of it, so that stdio writes while the database is open).
{ printf 'VERSION=1\nformat=greyspf-greylist\nHEADER=END\n'
  awk 'BEGIN { for (i = 0; i < 3000; i++) printf "triplet 10.%d.%d.0/24 s%d@example.com r@example.org 1795235339.000000 1795235939.000000 1795235940.000000 1 -\n", int(i / 256), i % 256, i }'
  echo DATA=END; } >"$T/big.in"
"$BIN/greyspf-load" -d "$T/big" "$T/big.in" >/dev/null
for tool in dump stat; do
	t_rc "$tool with stdin and stdout closed: exit 1" 1 \
	    sh -c "'$BIN/greyspf-$tool' -d '$T/big' <&- >&-"
	t_grep "$tool with stdout closed: reported" \
	    'error writing standard output' "$T/.err"
done
cat "$T"/big/* >"$T/bigfiles"
t_nogrep "stdout closed: nothing written into the database's files" \
    'VERSION=|Entries' "$T/bigfiles"
t_rc "load of a missing file" 1 "$BIN/greyspf-load" -d "$T/db" "$T/missing.in"
mkdir "$T/exists"
t_rc "dump --legacy into an existing directory" 1 "$BIN/greyspf-dump" -d "$T/db" --legacy "$T/exists"
t_grep "existing directory reported" 'already exists' "$T/.err"
t_rc "dump --legacy with entries that have no legacy form" 1 \
    "$BIN/greyspf-dump" -d "$T/db" --legacy "$T/lg"
t_grep "no legacy form named" 'triplet 2001:db8:1:2::/64 <alice@example.com> <bob@example.org>: left out: this network has no tumgreyspf form' "$T/.err"
t_grep "null sender has no legacy form" 'left out: tumgreyspf never stored an empty sender' "$T/.err"
t_grep "the rest written" 'entries written, 2 left out' "$T/.out"
# Greylist data names correspondents: the tree is as private as the
# database.
t_eq "legacy tree: top directory private" "$(stat -c %a "$T/lg")" 700
t_eq "legacy tree: every directory private" \
    "$(find "$T/lg" -type d ! -perm 700 | wc -l)" 0
t_eq "legacy tree: every file private" \
    "$(find "$T/lg" -type f ! -perm 600 | wc -l)" 0
has_files() { [ -n "$(find "$1" -type f)" ]; }
t_ok "legacy tree: files there" has_files "$T/lg"

# A killed dump --legacy leaves NAME.greyspf-tmp.PID: the next run removes
# it when that process is gone, and leaves one whose process still runs.
sh -c 'exit 0' &
dead=$!
wait $dead
mkdir -p "$T/st.greyspf-tmp.$dead/client_address/192/0/2"
: >"$T/st.greyspf-tmp.$dead/client_address/192/0/2/check_file"
mkdir "$T/st.greyspf-tmp.$$"
t_rc "dump --legacy after a killed one" 1 "$BIN/greyspf-dump" -d "$T/db" --legacy "$T/st"
cp "$T/.out" "$T/st.out"
cp "$T/.err" "$T/st.err"
t_grep "stale temporary directory removed, said" "removed $T/st.greyspf-tmp.$dead, left by a greyspf-dump that no longer runs" "$T/st.err"
t_rc "stale temporary directory gone" 1 test -e "$T/st.greyspf-tmp.$dead"
t_grep "running one reported" "$T/st.greyspf-tmp.$$: temporary directory of process $$, which still runs: left as it is" "$T/st.err"
t_ok "running one left" test -d "$T/st.greyspf-tmp.$$"
t_grep "the dump was written" "st: 4 entries written" "$T/st.out"
# Out of descriptors after the temporary directory is made: it goes too.
(ulimit -n 6; ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=0 \
    exec "$BIN/greyspf-dump" -d "$T/db" --legacy "$T/fd6") >/dev/null \
    2>"$T/fd6.err"
t_eq "out of descriptors: the dump fails" "$?" 1
t_grep "out of descriptors: says so" 'Too many open files' "$T/fd6.err"
t_eq "out of descriptors: no temporary directory left" \
    "$(ls -d "$T"/fd6.greyspf-tmp.* 2>/dev/null)" ""

# A directory created while the tree is written is never replaced. The
# dump is held mid-walk by its stderr, a fifo read only after the
# directory is made: 3000 entries with no legacy form say more than a
# pipe holds.
{
	printf 'VERSION=1\nformat=greyspf-greylist\nHEADER=END\n'
	i=1
	while [ $i -le 3000 ]; do
		printf 'triplet 2001:db8:0:%x::/64 a@x b@y 1795235937.000000 1795235939.000000 1795235940.000000 1 -\n' $i
		i=$((i + 1))
	done
	printf 'triplet 192.0.2.0/24 a@x b@y 1795235937.000000 1795235939.000000 1795235940.000000 1 -\n'
	echo DATA=END
} >"$T/many.in"
"$BIN/greyspf-load" -d "$T/many" "$T/many.in" >/dev/null
mkfifo "$T/errfifo"
"$BIN/greyspf-dump" -d "$T/many" --legacy "$T/race" >"$T/race.out" 2>"$T/errfifo" &
dpid=$!
exec 3<"$T/errfifo"
t_ok "race: the dump is building its tree" wait_for 20 test -d "$T/race.greyspf-tmp.$dpid"
mkdir "$T/race"
ino=$(stat -c %i "$T/race")
cat <&3 >"$T/race.err"
exec 3<&-
wait $dpid
t_eq "race: the dump fails" $? 1
t_grep "race: the directory made meanwhile named" "$T/race: already exists" "$T/race.err"
t_eq "race: that directory not replaced" "$(stat -c %i "$T/race")" "$ino"
t_eq "race: that directory left empty" "$(ls -A "$T/race")" ""
t_rc "race: temporary tree removed" 1 test -e "$T/race.greyspf-tmp.$dpid"
# A configuration error names file and line, and stops the tool.
printf 'debugLevel = 1\nnoSuchKey = 2\n' >"$T/bad.conf"
t_rc "config error stops the tool" 1 "$BIN/greyspf-stat" -c "$T/bad.conf" -d "$T/db"
t_grep "config error with file:line" 'bad.conf:2: unknown key "noSuchKey"' "$T/.err"
# The database path comes from the configuration when -d is absent.
printf 'database = %s\n' "$T/db" >"$T/db.conf"
t_ok "database from the configuration" "$BIN/greyspf-stat" -s -c "$T/db.conf"
t_grep "the configured database was read" '^  Entries: 6$' "$T/.out"
