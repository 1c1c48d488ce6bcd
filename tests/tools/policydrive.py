#!/usr/bin/env python3
"""policydrive.py - one long-lived policy service, driven by a script.

usage: policydrive.py SCRIPT COMMAND [ARG...]

Starts COMMAND (greyspf in spawn mode) with pipes for its standard input
and output, as one SMTP session would, and runs SCRIPT's lines in order:

  req IP SENDER RECIPIENT   send one request, print "IP SENDER: reply"
  sh COMMAND                run a shell command (exit status ignored)
  until SECONDS COMMAND     run COMMAND every 0.1 s until it succeeds
  retry N IP S R COMMAND    send the request, then run COMMAND; again,
                            0.2 s apart, up to N times, until it succeeds;
                            prints "retry: ok after K" or "retry: failed"

Each reply line is printed with how long it took ("in MS ms"), so a test
can bound it. Standard error is the service's.
"""
import subprocess
import sys
import time


def request(p, ip, sender, rcpt):
    t0 = time.monotonic()
    p.stdin.write(("client_address=%s\nsender=%s\nrecipient=%s\n"
                   "request=smtpd_access_policy\nprotocol_state=RCPT\n\n")
                  % (ip, sender, rcpt))
    p.stdin.flush()
    line = p.stdout.readline()
    blank = p.stdout.readline()
    ms = int((time.monotonic() - t0) * 1000)
    if not line or blank != "\n":
        print("%s %s: NO REPLY" % (ip, sender), flush=True)
        sys.exit(1)
    print("%s %s: %s in %d ms" % (ip, sender, line.strip(), ms), flush=True)


def main():
    script = open(sys.argv[1]).read().splitlines()
    p = subprocess.Popen(sys.argv[2:], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True)
    for ln in script:
        w = ln.split(None, 1)
        if not w:
            continue
        if w[0] == "req":
            request(p, *w[1].split())
        elif w[0] == "sh":
            subprocess.call(w[1], shell=True)
        elif w[0] == "until":
            secs, cmd = w[1].split(None, 1)
            end = time.monotonic() + float(secs)
            while subprocess.call(cmd, shell=True) != 0:
                if time.monotonic() > end:
                    print("until: timed out: %s" % cmd, flush=True)
                    break
                time.sleep(0.1)
        elif w[0] == "retry":
            n, ip, s, r, cmd = w[1].split(None, 4)
            for k in range(int(n)):
                request(p, ip, s, r)
                if subprocess.call(cmd, shell=True) == 0:
                    print("retry: ok after %d" % (k + 1), flush=True)
                    break
                time.sleep(0.2)
            else:
                print("retry: failed", flush=True)
    p.stdin.close()
    sys.exit(p.wait())


main()
