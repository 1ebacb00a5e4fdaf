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


def decide(report):
    """('ours' | 'third-party', library or location) from one replay's report, or None.

    The innermost deciding frame of the first stack that has one wins: the crash stack, else
    (an out-of-memory caught by the RSS watcher has no allocation stack) the heap profile's;
    UBSan prints no stack unless asked, and its summary line names the source line."""
    for line in report.splitlines():
        owner = frame_owner(line)
        if owner:
            return owner
    summary = next((l for l in report.splitlines() if l.startswith("SUMMARY:")), "")
    where = re.search(r" (/\S+?):\d+(?::\d+)?", summary)
    if where and where.group(1).startswith(REPO + "/"):
        return "ours", where.group(0).strip()
    return None


def replays(artifact):
    """The libFuzzer flags of each replay of one saved input, tried in order until one decides.

    A crash or out-of-memory is replayed with a generous timeout: on a loaded machine,
    symbolising its stack can outlast a tight one, and the alarm's report (no stack) would
    replace it. An out-of-memory is replayed with ASan refusing, before it allocates, any block
    over the single-allocation limit: libFuzzer's own check runs after ASan has written the
    block's shadow (an eighth of its size), and for a 24 GB request that 3 GB of shadow reaches
    the RSS limit first, whose report names nobody. The RSS watcher also measures peak memory
    once a second, so by its report the large blocks may be freed and the heap profile names
    nobody: the second try lowers the limits (a block over 128 MB, or the first allocation past
    1 GB of RSS, ASan's soft limit, reports its own stack).
    A saved timeout is replayed first with the fuzzing timeout: its report is the alarm's stack.
    Replayed alone, a timeout can turn into an out-of-memory (a slow run of huge allocations
    that reaches the RSS limit before the alarm, whose report names nobody): then it gets the
    out-of-memory replays too, still at the fuzzing timeout (so that a timeout stays one).
    Each replay is (libFuzzer flags, ASAN_OPTIONS to add)."""
    def out_of_memory(timeout):
        return [([timeout, *LIMITS], "max_allocation_size_mb=1024:allocator_may_return_null=0"),
                ([timeout, "-rss_limit_mb=2048", "-malloc_limit_mb=128"],
                 "max_allocation_size_mb=128:allocator_may_return_null=0:soft_rss_limit_mb=1024")]
    if "-timeout-" in os.path.basename(artifact):
        return [(["-timeout=10", *LIMITS], ""), *out_of_memory("-timeout=10")]
    if "-oom-" in os.path.basename(artifact):
        return out_of_memory("-timeout=30")
    return [(["-timeout=30", *LIMITS], "")] * 2


def whose(harness, artifact):
    """('ours' | 'third-party' | 'gone', library or location, summary line) of one saved input.

    An input whose replays name neither this repository nor a library is counted as ours,
    with its report, to be looked at."""
    for flags, asan_options in replays(artifact):
        env = dict(os.environ)
        if asan_options:
            env["ASAN_OPTIONS"] = ":".join(o for o in (env.get("ASAN_OPTIONS"), asan_options) if o)
        out = subprocess.run([harness, *flags, artifact], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace").stdout
        summary = next((l for l in out.splitlines() if l.startswith("SUMMARY:")), "")
        if not summary:
            summary = next((l.strip() for l in out.splitlines() if "ERROR:" in l), "(no longer fails)")
        if "no longer fails" in summary:
            return "gone", "", summary
        owner = decide(out)
        if owner:
            return owner[0], owner[1], summary
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
