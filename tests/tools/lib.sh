# lib.sh - TAP helpers for the tool tests; source it.
#
#	t_ok NAME CMD...		CMD must exit 0
#	t_rc NAME RC CMD...		CMD must exit with RC
#	t_grep NAME PATTERN FILE	FILE must contain PATTERN (grep -E)
#	t_nogrep NAME PATTERN FILE	FILE must not contain PATTERN
#	t_eq NAME GOT WANT		two strings must be equal
#	t_same NAME FILE1 FILE2		two files must be identical
#	wait_for SECONDS CMD...		poll CMD until it succeeds
#
# Each prints one "ok N - NAME" or "not ok N - NAME" line, with the
# evidence as "# " lines after a failure. $T is a scratch directory,
# removed at exit (kept, and named on stderr, with KEEP_T=1). $BIN holds
# the programs under test.
set -u
# The tests' own faketime first (tests/bin/faketime: why, there).
_lib_bin=$(cd "$(dirname "$0")/../bin" 2>/dev/null && pwd) &&
    PATH=$_lib_bin:$PATH
BIN=${BIN:-bin}
BUILD=${BUILD:-build}
FIXTURES=${FIXTURES:-$(cd "$(dirname "$0")/../data/fixtures" && pwd)}
T=$(mktemp -d /tmp/greyspf-t.XXXXXX)
if [ "${KEEP_T:-}" = 1 ]; then
	trap 'echo "kept $T" >&2' EXIT
else
	trap 'rm -rf "$T"' EXIT
fi
chmod 755 "$T"
_n=0

_ok() { _n=$((_n + 1)); echo "ok $_n - $1"; }
_notok() { _n=$((_n + 1)); echo "not ok $_n - $1"; }
_show() { for f in "$@"; do [ -f "$f" ] && sed 's/^/# /' "$f" | head -30; done; }

t_ok() {
	name=$1; shift
	if "$@" >"$T/.out" 2>"$T/.err"; then _ok "$name"
	else _notok "$name (exit $?)"; _show "$T/.out" "$T/.err"; fi
}

t_rc() {
	name=$1; want=$2; shift 2
	"$@" >"$T/.out" 2>"$T/.err"
	got=$?
	if [ "$got" -eq "$want" ]; then _ok "$name"
	else _notok "$name (exit $got, want $want)"; _show "$T/.out" "$T/.err"; fi
}

t_grep() {
	if grep -Eq -- "$2" "$3"; then _ok "$1"
	else _notok "$1 (no /$2/ in $3)"; _show "$3"; fi
}

# t_line NAME TEXT FILE: FILE has a line that is exactly TEXT
t_line() {
	if grep -Fxq -- "$2" "$3"; then _ok "$1"
	else _notok "$1 (no line \"$2\" in $3)"; _show "$3"; fi
}

t_nogrep() {
	if grep -Eq -- "$2" "$3"; then _notok "$1 (/$2/ in $3)"; grep -E -- "$2" "$3" | sed 's/^/# /' | head
	else _ok "$1"; fi
}

t_eq() {
	if [ "$2" = "$3" ]; then _ok "$1"
	else _notok "$1"; echo "# got:  $2"; echo "# want: $3"; fi
}

t_same() {
	if cmp -s "$2" "$3"; then _ok "$1"
	else _notok "$1"; diff "$2" "$3" | head -20 | sed 's/^/# /'; fi
}

# need CMD... - a test that cannot run fails loudly, never skips.
need() {
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 && continue
		_notok "required command $c is missing (run make deps)"
		exit 1
	done
}

# wait_for SECONDS CMD... - run CMD every 0.1 s until it succeeds, for
# at most SECONDS; CMD's last status. For an event (a server answering,
# a message delivered), never to let time pass: time is injected.
wait_for() {
	_tries=$(($1 * 10))
	shift
	until "$@"; do
		_tries=$((_tries - 1))
		[ "$_tries" -gt 0 ] || return 1
		sleep 0.1
	done
}

# dns_sink - in the test's own network namespace, a DNS server on
# 127.0.0.1:53 that reads every query and never answers (an SPF check
# then waits out its deadline); DNS is its pid, and it is bound when
# dns_sink returns, so that no query is refused at once. It adds a line
# to $T/dns-queries for each query it read (dns_queries counts them):
# a test waits for a check's query rather than sleeping.
dns_sink() {
	: >"$T/dns-queries"
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 53))
open(sys.argv[1], "w").close()
log = open(sys.argv[2], "a")
while True:
    s.recv(4096)
    log.write("query\n")
    log.flush()
' "$T/dns-up" "$T/dns-queries" &
	DNS=$!
	wait_for 5 test -e "$T/dns-up"
}
dns_queries() { wc -l <"$T/dns-queries"; }

# fixture NAME DEST - unpack a fixture tree with exact times.
fixture() {
	if [ ! -f "$FIXTURES/$1/data.tar.gz" ]; then
		_notok "fixture $1 missing under $FIXTURES (set FIXTURES)"
		exit 1
	fi
	sh "$(dirname "$0")/../tools/fixture-tree.sh" "$FIXTURES/$1" "$2"
}

# listing DIR - every file with mtime and atime, sorted.
listing() {
	(cd "$1" && find . -type f -printf '%P %T@ %A@\n' | LC_ALL=C sort)
}
