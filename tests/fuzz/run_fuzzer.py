#!/usr/bin/env python3
"""Fuzzes one libFuzzer harness for a while, then sorts what it found by whose code failed.

    run_fuzzer.py HARNESS SECONDS ARTIFACT_DIR CORPUS_DIR [SEED_DIR ...]

libFuzzer runs in fork mode and keeps going after a crash, a timeout or an out-of-memory, so
that one failure inside a system library (libhdf5 and libmatio fail on some corrupt files)
does not hide the rest. Each input it saved is then run again alone and its stack read: the
innermost frame in a library or in this repository's sources decides (the sanitizer, libFuzzer
and the C/C++ runtimes never do).
  - in a system library (/lib, /usr/lib): a third-party finding, listed, not a failure;
  - in our code: a finding, listed with its summary, and the exit status is 1.
Exit 0 when no input failed in our code. docs/reliability.md explains the findings so far.
"""
import glob
import os
import re
import subprocess
import sys

LIMITS = ["-rss_limit_mb=2048", "-malloc_limit_mb=1024"]
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Runtime libraries a frame may sit in without deciding anything (a memset under malloc, a throw).
RUNTIME_LIBS = re.compile(r"lib(c|m|gcc_s|stdc\+\+|pthread|dl)\.so|ld-linux|libclang_rt")
FRAME = re.compile(r"\s+#\d+ 0x[0-9a-f]+ (?P<where>.*)$")


def frame_owner(line):
    """'third-party' (library), 'ours' (file:line), or None for a frame that decides nothing.

    Only a frame with a source location inside this repository is ours; frames in the fuzzer
    binary without one are the sanitizer runtime, libFuzzer or an interceptor (malloc, free)."""
    m = FRAME.match(line)
    if not m:
        return None
    lib = re.search(r"\((/(?:usr/)?lib[^()]*?)\+0x[0-9a-f]+\)", m.group("where"))  # (/lib/…/libstdc++.so.6+0x9d918)
    if lib:
        name = os.path.basename(lib.group(1))
        return None if RUNTIME_LIBS.search(name) else ("third-party", name)
    src = re.search(r" (/\S+?):\d+(?::\d+)?$", m.group("where"))
    if src and src.group(1).startswith(REPO + "/"):
        return "ours", m.group("where")
    return None


def whose(harness, artifact):
    """('ours' | 'third-party' | 'gone', library or location, summary line) of one saved input.

    The innermost deciding frame of the first stack that has one wins: the crash stack, else
    (an out-of-memory caught by the RSS watcher has no allocation stack) the heap profile's.
    An input whose stacks name neither is counted as ours, with its report, to be looked at."""
    # A crash or out-of-memory is replayed with a generous timeout: on a loaded machine,
    # symbolising its stack can outlast a tight one, and the alarm's report (no stack) would
    # replace it; one without a deciding frame is tried once more before it counts.
    # A saved timeout is replayed once with the fuzzing timeout: its report is the alarm's stack.
    is_timeout = "-timeout-" in os.path.basename(artifact)
    for attempt in range(1 if is_timeout else 2):
        out = subprocess.run([harness, "-timeout=10" if is_timeout else "-timeout=30", *LIMITS, artifact],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace").stdout
        summary = next((l for l in out.splitlines() if l.startswith("SUMMARY:")), "")
        if not summary:
            summary = next((l.strip() for l in out.splitlines() if "ERROR:" in l), "(no longer fails)")
        if "no longer fails" in summary:
            return "gone", "", summary
        for line in out.splitlines():
            owner = frame_owner(line)
            if owner:
                return owner[0], owner[1], summary
        # UBSan prints no stack unless asked; its summary names the source line.
        where = re.search(r" (/\S+?):\d+(?::\d+)?", summary)
        if where and where.group(1).startswith(REPO + "/"):
            return "ours", where.group(0).strip(), summary
    return "ours", "no frame in this repository or a library:\n" + out[-3000:], summary


def main():
    harness, seconds, artifacts, corpus, *seeds = sys.argv[1:]
    os.makedirs(artifacts, exist_ok=True)
    os.makedirs(corpus, exist_ok=True)
    name = os.path.basename(harness)
    prefix = os.path.join(artifacts, name + "-")
    before = set(glob.glob(prefix + "*"))
    cmd = [harness, "-fork=1", "-ignore_crashes=1", "-ignore_ooms=1", "-ignore_timeouts=1", "-timeout=10",
           f"-max_total_time={seconds}", "-print_final_stats=1", f"-artifact_prefix={prefix}", *LIMITS, corpus,
           *[s for s in seeds if os.path.isdir(s) and os.listdir(s)]]
    run = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
    stats = [l for l in run.stdout.splitlines() if re.match(r"#\d+: cov: ", l) or "stat::" in l]
    print(f"{name}: {stats[-1] if stats else run.stdout[-2000:]}")
    # slow-unit-* inputs only took longer than -report_slow_units (10 s): listed, not findings.
    new = sorted(set(glob.glob(prefix + "*")) - before)
    for slow in [a for a in new if "-slow-unit-" in a]:
        print(f"  slow (over 10 s, under the timeout): {slow}")
    found = [a for a in new if "-slow-unit-" not in a]
    ours = 0
    for artifact in found:
        kind, where, summary = whose(harness, artifact)
        if kind == "gone":
            print(f"  (flaky, no longer fails) {artifact}")
            continue
        ours += kind == "ours"
        print(f"  {'FINDING in our code' if kind == 'ours' else 'third-party (' + where + ')'}: {artifact}\n    {summary}"
              + (f"\n    at {where}" if kind == "ours" and where else ""))
    if run.returncode not in (0, 1) and not found:
        print(f"{name}: libFuzzer exited with {run.returncode}")
        return 1
    print(f"{name}: {len(found)} failing input(s), {ours} in our code")
    return 1 if ours else 0


if __name__ == "__main__":
    sys.exit(main())
