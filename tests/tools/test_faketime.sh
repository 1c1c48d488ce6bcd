#!/bin/sh
# requires: root
# test_faketime.sh - the tests' faketime (tests/bin/faketime) runs its
# command although a faketime killed earlier left its semaphore and
# shared memory under the process id it gets: the real wrapper refuses
# then ("sem_open: File exists") and runs nothing, which cost a CI run
# one process's 1,000 answers. Root: the files are left by root's tests.
. "$(dirname "$0")/lib.sh"
need faketime

t_eq "PATH finds the tests' faketime" "$(command -v faketime)" \
    "$(cd "$(dirname "$0")/../bin" && pwd)/faketime"
# stale PIDFILE CMD... - CMD run with leftovers under its process id
# made first (sh execs it: the id stays), the id in PIDFILE
stale() {
	sh -c 'echo $$ >"$1"; shift
	    touch "/dev/shm/sem.faketime_sem_$$" "/dev/shm/faketime_shm_$$"
	    exec "$@"' sh "$@"
}
clean() {	# clean PIDFILE - no leftovers under that id?
	! ls "/dev/shm/sem.faketime_sem_$(cat "$1")" \
	    "/dev/shm/faketime_shm_$(cat "$1")" >/dev/null 2>&1
}
stale "$T/p1" /usr/bin/faketime -f "2001-09-09 01:46:40" \
    sh -c 'date -u +%s >"$1"' sh "$T/t1" 2>"$T/e1"
t_grep "the real faketime, leftovers under its id: refuses (the bug)" \
    'sem_open: File exists' "$T/e1"
t_eq "... and runs nothing" "$(cat "$T/t1" 2>/dev/null)" ""
rm -f "/dev/shm/sem.faketime_sem_$(cat "$T/p1")" \
    "/dev/shm/faketime_shm_$(cat "$T/p1")"
t_ok "the tests' faketime, leftovers under its id: runs its command" \
    stale "$T/p2" faketime -f "2001-09-09 01:46:40" \
    sh -c 'date -u +%s >"$1"' sh "$T/t2"
t_eq "... under the faked clock" "$(cat "$T/t2" 2>/dev/null)" 1000000000
t_ok "... and leaves nothing under its id" clean "$T/p2"
rm -f "/dev/shm/sem.faketime_sem_$(cat "$T/p2")" \
    "/dev/shm/faketime_shm_$(cat "$T/p2")"
