#!/usr/bin/env python3
"""Usage: tools/console-check.py QEMU-COMMAND...

The interactive console, scripted: boots Ferry in run mode with the
serial port on a pipe, types at the shell as a user would and prints TAP.
tools/qemu.sh console runs it with QEMU's command line.
Checks: echo and backspace, Ctrl-C ending a spinning foreground program
(echoserver, and helpers/spin_max at its highest priority), the shell
answering afterwards, Ctrl-D ending the shell and init powering off.
All of it is served by user/servers/console.
"""
import re
import subprocess
import sys
import threading
import time

out = bytearray()
lock = threading.Lock()
failed = 0
n = 0


def reader(stream):
    while True:
        b = stream.read1(4096) if hasattr(stream, "read1") else stream.read(1)
        if not b:
            return
        with lock:
            out.extend(b)


def tap(ok, what):
    global failed, n
    n += 1
    print(("ok" if ok else "not ok") + f" - console: {what}", flush=True)
    if not ok:
        failed += 1


def expect(pattern, start, timeout):
    """Waits until pattern appears in the output after offset start."""
    end = time.time() + timeout
    rx = re.compile(pattern.encode())
    while time.time() < end:
        with lock:
            m = rx.search(out, start)
        if m:
            return m.end()
        time.sleep(0.1)
    return None


def mark():
    with lock:
        return len(out)


def main():
    qemu = subprocess.Popen(sys.argv[1:], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    threading.Thread(target=reader, args=(qemu.stdout,), daemon=True).start()

    def send(b, pause=0.05):
        # One byte at a time, as typed: the UART's FIFO is 16 bytes.
        for c in b:
            qemu.stdin.write(bytes([c]))
            qemu.stdin.flush()
            time.sleep(pause)

    try:
        pos = expect(r"ferry\$ ", 0, 120)
        tap(pos is not None, "the shell prompts")
        if pos is None:
            return
        m = mark()
        send(b"ecx\x7fho hi\r")
        tap(expect(r"ecx\x08 \x08ho hi\r\nhi\r\nferry\$ ", m, 30) is not None,
            "typed keys echo, backspace erases, the line runs")
        for prog in ("echoserver", "helpers/spin_max 29"):
            name = prog.split()[0]
            m = mark()
            send(prog.encode() + b"\r")
            time.sleep(3)
            send(b"\x03")
            tap(expect(re.escape(f"sh: {name}: killed by signal 9"), m, 30)
                is not None, f"Ctrl-C ends {prog}")
        m = mark()
        send(b"echo still here\r")
        tap(expect(r"\r\nstill here\r\nferry\$ ", m, 30) is not None,
            "the shell answers afterwards")
        send(b"\x04")
        try:
            status = qemu.wait(timeout=60)
        except subprocess.TimeoutExpired:
            status = None
        tap(status == 1, f"Ctrl-D ends the shell and init powers off "
            f"(QEMU status {status})")
    finally:
        if qemu.poll() is None:
            qemu.kill()
            qemu.wait()
        print(f"1..{n}")
        if failed:
            with lock:
                sys.stderr.write(out.decode(errors="replace")[-3000:])
    sys.exit(1 if failed else 0)


main()
