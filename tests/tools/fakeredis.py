#!/usr/bin/env python3
"""fakeredis.py - a hostile Redis on a unix socket, for the tests.

usage: fakeredis.py SOCKET MODE

Accepts connections on SOCKET (a path, or tcp:PORT on 127.0.0.1) and
answers every command it reads according to MODE: "garbage" (bytes out
of protocol), "silent" (reads, never answers), "drip" (a valid answer,
one byte every 50 ms, never ending), "hugearray" (an array of 2^31-1
elements announced), "hugebulk" (a bulk string of 1 GB announced, then
bytes until the client leaves), "wrongtype" (every answer an error),
"nested" (an array of 100,000 arrays of 100,000 integers, until the
client leaves: small arrays, no end), "nestedbulk" (an array of
100,000 bulk strings of 1 MB, until the client leaves), "evil" (every
answer an error reply with a newline, a forged log line and a terminal
escape in it), "evilget" (a Redis that greyspf connects to, with its
marker, whose every other GET is answered with evil's error, and INFO
with escapes in its fields), "evilsentinel" (a sentinel naming a
master at a host with a newline and an escape in its name).
Runs until killed.
"""
import os
import socket
import sys
import threading
import time

EVIL = b"ERR evil\ngreyspf[1]: Allowed greylisting: FORGED \x1b[31mred"
MARKER = b"\x00greyspf"


def commands(c):
    """Each command the client sends, as a list of byte strings."""
    buf = b""
    while True:
        while True:
            cmd, rest = parse(buf)
            if cmd is None:
                break
            buf = rest
            yield cmd
        data = c.recv(65536)
        if not data:
            return
        buf += data


def parse(buf):
    """One RESP array of bulk strings from buf: (command, rest) or
    (None, buf) when it is not all there."""
    if not buf.startswith(b"*"):
        return None, buf
    end = buf.find(b"\r\n")
    if end < 0:
        return None, buf
    n, pos, cmd = int(buf[1:end]), end + 2, []
    for _ in range(n):
        end = buf.find(b"\r\n", pos)
        if end < 0:
            return None, buf
        size = int(buf[pos + 1:end])
        if len(buf) < end + 2 + size + 2:
            return None, buf
        cmd.append(buf[end + 2:end + 2 + size])
        pos = end + 2 + size + 2
    return cmd, buf[pos:]


def bulk(s):
    return b"$%d\r\n%s\r\n" % (len(s), s)


def evilget(cmd):
    """The answer of a Redis holding a greyspf marker, evil elsewhere."""
    name = cmd[0].upper()
    if name == b"SCRIPT":
        return bulk(b"0" * 40)
    if name == b"GET" and cmd[1].endswith(MARKER):
        return bulk(b"greyspf-greylist 1")
    if name == b"INFO":
        return bulk(b"# Server\r\nredis_version:7.0\x1b[31m\n"
                    b"FORGED\r\nrole:master\r\n")
    if name == b"DBSIZE":
        return b":1\r\n"
    if name == b"SCAN":
        return b"*2\r\n" + bulk(b"0") + b"*0\r\n"
    return b"-" + EVIL + b"\r\n"


def serve_commands(c, mode):
    """The modes that answer each command."""
    for cmd in commands(c):
        if mode == "evil":
            c.sendall(b"-" + EVIL + b"\r\n")
        elif mode == "evilget":
            c.sendall(evilget(cmd))
        elif mode == "evilsentinel":
            c.sendall(b"*2\r\n" + bulk(b"10.0.0.1\x1b[31m\nFORGED")
                      + bulk(b"6379"))


def serve(c, mode):
    try:
        if mode in ("evil", "evilget", "evilsentinel"):
            serve_commands(c, mode)
            return
        while True:
            data = c.recv(65536)
            if not data:
                return
            if mode == "garbage":
                c.sendall(b"\x00\xffnot redis at all\r\n?%\r\n")
            elif mode == "silent":
                continue
            elif mode == "drip":
                while True:
                    c.sendall(b"+")
                    time.sleep(0.05)
            elif mode == "hugearray":
                c.sendall(b"*2147483647\r\n")
            elif mode == "hugebulk":
                c.sendall(b"$1000000000\r\n")
                while True:
                    c.sendall(b"x" * 65536)
            elif mode == "nested":
                inner = b"*100000\r\n" + b":1\r\n" * 100000
                c.sendall(b"*100000\r\n")
                while True:
                    c.sendall(inner)
            elif mode == "nestedbulk":
                one = bulk(b"x" * 1048576)
                c.sendall(b"*100000\r\n")
                while True:
                    c.sendall(one)
            elif mode == "wrongtype":
                c.sendall(b"-ERR what\r\n")
    except OSError:
        return
    finally:
        c.close()


def main():
    path, mode = sys.argv[1], sys.argv[2]
    if path.startswith("tcp:"):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", int(path[4:])))
    else:
        if os.path.exists(path):
            os.unlink(path)
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(path)
        os.chmod(path, 0o777)
    s.listen(64)
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve, args=(c, mode), daemon=True).start()


main()
