#!/usr/bin/python3
"""Counts what a `meson test` run really did, subtest by subtest, and fails on
anything that hides a failure:

  .ci/count-tests.py BUILD_DIR ALLOWED_SKIPS

Reads the tests meson knows (`meson introspect --tests`) and the log of the run
(BUILD_DIR/meson-logs/testlog.json, which holds each test's stdout). A TAP
test counts each `ok` / `not ok` line (`# SKIP` as skipped, `# TODO` as
failed: an incomplete test is not a pass); a test of another protocol counts
as one. A TAP test whose plan and results disagree, or that meson did not
call OK while none of its subtests failed (a crash after the last subtest,
a timeout, a bad exit status), adds one failure; so does every test program
meson knows that did not run. Skips, of a subtest or of a whole program (exit
77), fail the run unless ALLOWED_SKIPS names them.

Prints the count as `tests: N passed, M failed, K skipped` on the last line;
exits 1 when something failed, was skipped without leave, or did not run."""
import json
import re
import subprocess
import sys

TAP_RESULT = re.compile(r"^(not ok|ok)(?=\s|$)\s*(\d+)?\s*-?\s*([^#]*?)\s*(?:#\s*(.*))?$")
TAP_PLAN = re.compile(r"^1\.\.(\d+)")


def short_name(name):
    """'dimvida-studio:gui / gui-app' -> 'gui-app'."""
    return name.rsplit(" / ", 1)[-1]


def read_allowed(path):
    allowed = {}
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 1)
            if len(parts) < 2:
                sys.exit(f"{path}:{number}: say why “{parts[0]}” may skip")
            allowed[parts[0]] = parts[1]
    return allowed


def count_tap(stdout):
    """(passed, failed, skipped, skipped names, failed names, plan problem or None)"""
    passed = failed = skipped = 0
    skipped_names, failed_names = [], []
    plan = None
    results = 0
    bailed = False
    for line in stdout.splitlines():
        if line.startswith("Bail out!"):
            bailed = True
            continue
        m = TAP_PLAN.match(line)
        if m:
            plan = int(m.group(1))
            continue
        m = TAP_RESULT.match(line)
        if not m:
            continue
        results += 1
        status, _, name, directive = m.groups()
        directive = (directive or "").strip()
        name = name.strip() or f"#{results}"
        if directive.upper().startswith("SKIP"):
            skipped += 1
            skipped_names.append(name)
        elif directive.upper().startswith("TODO"):
            failed += 1
            failed_names.append(f"{name} (TODO: incomplete)")
        elif status == "ok":
            passed += 1
        else:
            failed += 1
            failed_names.append(name)
    problem = None
    if bailed:
        problem = "bailed out"
    elif plan is None:
        problem = "no TAP plan"
    elif plan != results:
        problem = f"planned {plan} subtests, reported {results}"
    return passed, failed, skipped, skipped_names, failed_names, problem


def main():
    build_dir, allowed_path = sys.argv[1], sys.argv[2]
    allowed = read_allowed(allowed_path)
    known = json.loads(subprocess.run(["meson", "introspect", build_dir, "--tests"], check=True,
                                      capture_output=True, text=True).stdout)
    protocols = {t["name"]: t["protocol"] for t in known}
    runs = {}
    with open(f"{build_dir}/meson-logs/testlog.json", encoding="utf-8") as f:
        for line in f:
            entry = json.loads(line)
            runs.setdefault(short_name(entry["name"]), []).append(entry)

    passed = failed = skipped = 0
    problems = []
    for name in sorted(protocols):
        if name not in runs:
            failed += 1
            problems.append(f"{name}: did not run")
            continue
        for entry in runs[name]:
            result = entry["result"]
            if result == "SKIP":
                skipped += 1
                if name not in allowed:
                    problems.append(f"{name}: skipped as a whole, and not on {allowed_path}")
                continue
            if protocols[name] != "tap":
                if result in ("OK", "EXPECTEDFAIL"):
                    passed += 1
                else:
                    failed += 1
                    problems.append(f"{name}: {result}")
                continue
            p, fl, s, skipped_names, failed_names, problem = count_tap(entry.get("stdout") or "")
            passed += p
            failed += fl
            skipped += s
            for sub in skipped_names:
                if f"{name}:{sub}" not in allowed:
                    problems.append(f"{name}: {sub} skipped, and not on {allowed_path}")
            problems.extend(f"{name}: {sub} failed" for sub in failed_names)
            if problem is not None or (result != "OK" and fl == 0):
                failed += 1
                problems.append(f"{name}: {problem or result} (meson: {result})")
    extra = sorted(set(runs) - set(protocols))
    problems.extend(f"{name}: ran but meson does not know it (stale log?)" for name in extra)
    programs = sum(1 for name in protocols if name in runs)
    print(f"ci: {programs} of {len(protocols)} test programs ran")
    for problem in problems:
        print(f"ci: FAIL: {problem}")
    print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if problems or failed else 0


if __name__ == "__main__":
    sys.exit(main())
