# lib.sh - shell helpers for the benchmarks (sourced)

# median - the median of the numbers on standard input, one a line
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# tree PID... - the processes and all their descendants
tree() {
	for p in "$@"; do
		echo "$p"
		tree $(pgrep -P "$p")
	done
}
# cpu_ns PID... - CPU time on record of these process trees, ns
# (/proc/PID/schedstat: user and system, nanoseconds)
cpu_ns() {
	for p in $(tree "$@"); do cat "/proc/$p/schedstat"; done 2>/dev/null |
	    awk '{ s += $1 } END { printf "%.0f\n", s }'
}
