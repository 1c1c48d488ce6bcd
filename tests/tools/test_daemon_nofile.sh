#!/bin/sh
# test_daemon_nofile.sh - a daemon started with a soft descriptor limit
# of 1024 (as from a shell) raises it towards maxConnections within the
# hard limit, so that its loop processes can take their connections;
# a hard limit below that is respected.
. "$(dirname "$0")/lib.sh"
need pgrep

W=$T/w
mkdir -p "$W/config"
chmod 1777 "$W" "$T"
printf 'CHECKERS = greylist\n' >"$W/config/__default__"
chmod -R a+rX "$W/config"
printf 'configPath = %s\ndatabase = %s\nuser = nobody\nmaxConnections = 3000\nspfWorkers = 2\ndaemonProcesses = 1\n' \
    "$W/config" "$W/db" >"$W/g.conf"
# run HARD - the daemon under soft 1024 and the given hard limit; prints
# its loop process's soft limit
run() {
	rm -f "$W/log"
	(ulimit -S -n 1024 && ulimit -H -n "$1" &&
	    exec "$BIN/greyspf" -L -c "$W/g.conf" -l "unix:$W/s.sock") \
	    2>"$W/log" &
	pid=$!
	wait_for 10 grep -q 'started .* loop processes' "$W/log"
	wait_for 10 pgrep -P $pid >/dev/null
	awk '/Max open files/ { print $4 }' "/proc/$(pgrep -P $pid | head -1)/limits"
	kill $pid
	wait $pid
}
t_eq "hard 8192: the soft limit raised to maxConnections + 68" \
    "$(run 8192)" 3068
t_eq "hard 2000: raised to the hard limit, no further" "$(run 2000)" 2000
t_nogrep "no warning but the connection cap's" 'setrlimit' "$W/log"
