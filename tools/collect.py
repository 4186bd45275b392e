#!/usr/bin/env python3
"""Collects Ferry's test results into one verdict.

Usage: tools/collect.py [--unit LOG] [--system LOG] [--tap LOG]... [--qemu-status N]

The unit log must contain the runner's line "unit: N passed, M failed".
The system log is the console of a `tools/qemu.sh test` boot: the TAP
lines of every program under tests/ and init's own "ok - <name> exit" /
"ok - <name> no leak" lines, each program opened by init's "# run: <name>".
Besides the "ok"/"not ok" lines, these count as failures:
  - "KERNEL PANIC" anywhere in the log;
  - no "# system: done" line (the kernel crashed or the run timed out);
  - a program whose numbered TAP lines do not match its "1..N" plan, or
    that printed numbered lines but no plan (it stopped part way);
  - QEMU's status (from tools/qemu.sh) other than 0.
A program may also print "# console-once: TEXT": the kernel must then have
printed exactly one console line "[ferry] pid N (PROG): TEXT" while the
program ran (the unsupported-syscall report); that check counts as a test.
"# console-once-from: PROG TEXT" is the same for a line naming another
program (a child it spawned), and each "*" in TEXT matches any run of
characters (the out-of-memory report's page counts).
"# console-never: TEXT" is the opposite: no such line may appear while
the program runs (a call that must no longer be reported unsupported).
A program may print "# boot-unique: KEY VALUE" (entropy such as AT_RANDOM):
across the system logs given (separate boots), each KEY's values must all
differ; that check counts as one test per KEY seen in two logs or more.
Prints each failure, then the final line exactly "N passed, M failed";
exits 1 if anything failed.
"""

import argparse
import re
import sys

UNIT_RE = re.compile(r"^unit: (\d+) passed, (\d+) failed\s*$")
TAP_RE = re.compile(r"^(not )?ok\b(?: (\d+))?")
PLAN_RE = re.compile(r"^1\.\.(\d+)\s*$")
RUN_RE = re.compile(r"^# run: (\S+)")
INIT_EXIT_RE = re.compile(r"^(?:not )?ok - (\S+) exit\b")
ONCE_RE = re.compile(r"^# console-once: (.*\S)")
ONCE_FROM_RE = re.compile(r"^# console-once-from: (\S+) (.*\S)")
NEVER_RE = re.compile(r"^# console-never: (.*\S)")
UNIQUE_RE = re.compile(r"^# boot-unique: (\S+) (\S+)")
KERNEL_LINE_RE = re.compile(r"^\[ferry\] pid \d+ \(([^)]*)\): (.*\S)")


class Tally:
    def __init__(self):
        self.passed = 0
        self.failures = []

    def ok(self):
        self.passed += 1

    def fail(self, why):
        self.failures.append(why)


def read_lines(path):
    with open(path, "rb") as f:
        text = f.read().decode("utf-8", errors="replace")
    return [line.rstrip("\r\n").replace("\r", "") for line in text.split("\n")]


def collect_unit(path, tally):
    try:
        lines = read_lines(path)
    except OSError as e:
        tally.fail(f"unit: cannot read {path}: {e.strerror}")
        return
    for line in reversed(lines):
        m = UNIT_RE.match(line)
        if m:
            tally.passed += int(m.group(1))
            for _ in range(int(m.group(2))):
                tally.fail("unit: a failed unit test (see the unit log above)")
            return
    tally.fail(f"unit: no 'unit: N passed, M failed' line in {path}")


class Program:
    """The TAP lines of one test program, between init's markers."""

    def __init__(self, name):
        self.name = name
        self.plan = None
        self.numbered = 0
        self.once = []    # texts the kernel must print exactly once
        self.once_from = []  # (program, compiled pattern), the same
        self.never = []   # texts the kernel must not print
        self.kernel = []  # (program, text) of the kernel's "[ferry]" lines

    def check_console(self, tally):
        base = self.name.rsplit("/", 1)[-1]

        def expect(prog, text, n, want, words):
            if n == want:
                tally.ok()
            else:
                tally.fail(f"{self.name}: console line '({prog}): {text}' "
                           f"printed {n} times, want {words}")

        for text in self.once:
            expect(base, text, self.kernel.count((base, text)), 1, "once")
        for prog, text, pat in self.once_from:
            n = sum(1 for p, t in self.kernel
                    if p == prog and pat.fullmatch(t))
            expect(prog, text, n, 1, "once")
        for text in self.never:
            expect(base, text, self.kernel.count((base, text)), 0, "never")

    def check(self, tally):
        self.check_console(tally)
        if self.plan is not None and self.plan != self.numbered:
            tally.fail(f"{self.name}: plan 1..{self.plan} but "
                       f"{self.numbered} results")
        elif self.plan is None and self.numbered:
            tally.fail(f"{self.name}: {self.numbered} results and no plan "
                       "(stopped part way?)")


def collect_boot_unique(paths, tally):
    values = {}
    for path in paths:
        try:
            lines = read_lines(path)
        except OSError:
            continue  # collect_system reports it
        for line in lines:
            m = UNIQUE_RE.match(line)
            if m:
                values.setdefault(m.group(1), []).append(m.group(2))
    for key, vals in sorted(values.items()):
        if len(vals) < 2:
            continue
        if len(set(vals)) == len(vals):
            tally.ok()
        else:
            tally.fail(f"system: '{key}' repeats across boots: {vals}")


def collect_system(path, tally):
    try:
        lines = read_lines(path)
    except OSError as e:
        tally.fail(f"system: cannot read {path}: {e.strerror}")
        return
    prog = None
    last_run = None
    done = False
    for i, line in enumerate(lines):
        if "KERNEL PANIC" in line:
            context = " | ".join(l for l in lines[i:i + 4] if l)
            tally.fail(f"system: kernel panic: {context}")
        m = RUN_RE.match(line)
        if m:
            prog = Program(m.group(1))
            last_run = prog.name
            continue
        if line.startswith("# system: done"):
            done = True
            continue
        m = ONCE_RE.match(line)
        if m and prog:
            prog.once.append(m.group(1))
            continue
        m = NEVER_RE.match(line)
        if m and prog:
            prog.never.append(m.group(1))
            continue
        m = ONCE_FROM_RE.match(line)
        if m and prog:
            text = m.group(2)
            pat = re.compile(".*".join(re.escape(p) for p in text.split("*")))
            prog.once_from.append((m.group(1), text, pat))
            continue
        m = KERNEL_LINE_RE.match(line)
        if m and prog:
            prog.kernel.append((m.group(1), m.group(2)))
            continue
        m = PLAN_RE.match(line)
        if m and prog:
            prog.plan = int(m.group(1))
            continue
        m = TAP_RE.match(line)
        if not m:
            continue
        if m.group(1):
            where = f"[{prog.name}] " if prog else ""
            tally.fail(f"{where}{line}")
        else:
            tally.ok()
        if m.group(2) and prog:
            prog.numbered += 1
        m = INIT_EXIT_RE.match(line)
        if m and prog and m.group(1) == prog.name:
            prog.check(tally)
            prog = None
    if not done:
        where = f" while running {last_run}" if last_run else ""
        tally.fail(f"system: no '# system: done' line: the run crashed or "
                   f"timed out{where}")


def collect_tap(path, tally):
    try:
        lines = read_lines(path)
    except OSError as e:
        tally.fail(f"tap: cannot read {path}: {e.strerror}")
        return
    seen = 0
    for line in lines:
        m = TAP_RE.match(line)
        if not m:
            continue
        seen += 1
        if m.group(1):
            tally.fail(line)
        else:
            tally.ok()
    if not seen:
        tally.fail(f"tap: no results in {path}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--unit", help="log of the unit-test runner")
    ap.add_argument("--system", action="append", default=[],
                    help="console log of a system-test boot (repeatable)")
    ap.add_argument("--tap", action="append", default=[],
                    help="a log of plain TAP lines (ok / not ok)")
    ap.add_argument("--qemu-status", type=int, action="append", default=[],
                    help="exit status of a tools/qemu.sh test (repeatable)")
    args = ap.parse_args()

    tally = Tally()
    if args.unit:
        collect_unit(args.unit, tally)
    for path in args.system:
        collect_system(path, tally)
    collect_boot_unique(args.system, tally)
    for path in args.tap:
        collect_tap(path, tally)
    for status in args.qemu_status:
        if status != 0:
            tally.fail(f"system: tools/qemu.sh test exited {status}")

    for why in tally.failures:
        print(f"FAILED: {why}")
    print(f"{tally.passed} passed, {len(tally.failures)} failed")
    return 1 if tally.failures else 0


if __name__ == "__main__":
    sys.exit(main())
