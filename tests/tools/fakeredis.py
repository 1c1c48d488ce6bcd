#!/usr/bin/env python3
"""fakeredis.py - a hostile Redis on a unix socket, for the tests.

usage: fakeredis.py SOCKET MODE

Accepts connections and answers every command it reads according to
MODE: "garbage" (bytes out of protocol), "silent" (reads, never
answers), "drip" (a valid answer, one byte every 50 ms, never ending),
"hugearray" (an array of 2^31-1 elements announced), "hugebulk" (a bulk
string of 1 GB announced, then bytes until the client leaves),
"wrongtype" (every answer an error), "nested" (an array of 100,000
arrays of 100,000 integers, until the client leaves: small arrays, no
end), "nestedbulk" (an array of 100,000 bulk strings of 1 MB, until the
client leaves). Runs until killed.
"""
import os
import socket
import sys
import threading
import time


def bulk(s):
    return b"$%d\r\n%s\r\n" % (len(s), s)


def serve(c, mode):
    try:
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
