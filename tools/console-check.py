#!/usr/bin/env python3
"""Usage: tools/console-check.py QEMU-COMMAND...

The interactive console, scripted: boots Ferry in run mode with the
serial port on a pipe, types at the shell as a user would and prints TAP.
tools/qemu.sh console runs it with QEMU's command line.
Checks: echo and backspace, Ctrl-C ending a spinning foreground program
(echoserver, and helpers/spin_max at its highest priority), the exit
status shown when it is not 0, background jobs (`&`, `ps`, `kill`,
`wait`, Ctrl-C sparing them, their end reported before the next
prompt), the shell answering afterwards, Ctrl-D ending the shell and
init powering off. All of it is served by user/servers/console.
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
            tap(expect(re.escape("[killed by signal 9]") + r"\r\nferry\$ ",
                       m, 30) is not None, f"Ctrl-C ends {prog}")

        def line(cmd, pattern, what, timeout=30):
            """Types cmd; checks that pattern follows its echo."""
            m = mark()
            send(cmd.encode() + b"\r")
            tap(expect(re.escape(cmd) + r"\r\n" + pattern, m, timeout)
                is not None, what)

        prompt = r"ferry\$ "
        line("helpers/exit_with 3", r"\[exit 3\]\r\n" + prompt,
             "a non-zero exit status is shown")
        line("helpers/exit_with 0", prompt, "an exit status 0 is not shown")
        line("services", r"ferry\.procmgr\r\nferry\.fs\r\n" + prompt,
             "services lists the system's names init registered")
        line("helpers/crash segv", r"[\s\S]*?\[killed by signal 11\]\r\n" + prompt,
             "a fault is shown as its signal")
        line("rot13 Hello", r"Uryyb\r\n" + prompt,
             "rot13 Hello prints Uryyb (rot13d, a shared buffer, "
             "notifications both ways)")
        # Quiet long jobs: their output cannot interleave with the shell's.
        long = "helpers/sleep_exit 100000000 0"
        pids = {}

        def job_start(cmd, n, what):
            """Starts a background job; remembers the pid it printed."""
            m = mark()
            send(cmd.encode() + b"\r")
            rx = re.compile((r"\[%d\] (\d+) helpers/" % n).encode())
            end = time.time() + 30
            got = None
            while time.time() < end and not got:
                with lock:
                    got = rx.search(out, m)
                time.sleep(0.1)
            tap(got is not None, what)
            pids[n] = got.group(1).decode() if got else "0"

        job_start(long + " &", 1,
                  "`&` starts a background job and prints its number and pid")
        job_start(long + "&", 2, "`&` glued to the last word works too")
        line("echo front", r"front\r\n" + prompt,
             "the shell answers with jobs behind it")
        send(b"\x03")
        time.sleep(1)
        job = re.escape(long)
        line("jobs", r"JOB +PID +STATE +COMMAND\r\n1 +" + pids[1] +
             r" +running +" + job + r"\r\n"
             r"2 +" + pids[2] + r" +running +" + job + r"\r\n" + prompt,
             "jobs lists both jobs running with their pids (Ctrl-C at the "
             "prompt spares them)")
        line("ps", r"  PID STATE       PAGES   BUDGET NAME\r\n"
             r"(?:.*\r\n)*? *" + pids[1] + r" running +\d+ +\d+ sleep_exit\r\n"
             r"(?:.*\r\n)*?" + prompt,
             "ps lists procmgr's processes, the jobs among them")
        line("kill " + pids[1], r"\[1\] killed by signal 9  " + job +
             r"\r\n" + prompt, "kill PID ends that job and reports it")
        line("kill 1", r"sh: kill: 1: not one of this shell's jobs",
             "kill of a pid the shell did not start (init's) is refused")
        line("kill %7", r"sh: kill: %7: not one of this shell's jobs",
             "kill of an unknown job number is a clear error")
        line("jobs", r"JOB +PID +STATE +COMMAND\r\n2 +" + pids[2] +
             r" +running +" + job + r"\r\n" + prompt,
             "jobs lists only job 2 after the kill")
        job_start("helpers/exit_with 5 &", 3, "a short background job starts")
        time.sleep(3)
        line("echo next", r"next\r\n\[3\] exit 5  helpers/exit_with 5\r\n"
             + prompt, "a finished job is reported before the next prompt")
        job_start("helpers/sleep_exit 2000 4 &", 4,
                  "a job ending with 4 later starts")
        job_start("helpers/sleep_exit 6000 0 &", 5,
                  "a job ending with 0 later starts")
        line("wait " + pids[4], r"\[4\] exit 4  helpers/sleep_exit 2000 4\r\n"
             + prompt, "wait PID waits for that job and reports its status")
        line("wait %9", r"sh: wait: %9: not one of this shell's jobs",
             "wait for an unknown job is a clear error")
        m = mark()
        send(b"wait\r")
        time.sleep(2)
        send(b"\x03")
        tap(expect(r"wait\r\n[\s\S]*?\[2\] killed by signal 9  " + job +
                   r"\r\n\[5\] done  helpers/sleep_exit 6000 0\r\n"
                   + prompt, m, 30) is not None,
            "wait waits for every job in order; Ctrl-C ends the one it "
            "waits for")
        line("wait", r"sh: wait: no background jobs\r\n" + prompt,
             "wait with no jobs says so")
        line("echo x &", r"sh: echo: a builtin cannot run in the background",
             "a builtin is refused in the background")
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
