#!/usr/bin/env python3
"""How run_fuzzer.py decides whose code a saved input failed in.

Reports in testdata/ are real libFuzzer + ASan reports of fuzz_asari_import (the repository's
path replaced by @REPO@): an out-of-memory at the single-allocation limit inside libmatio, and
one caught by the RSS watcher after the large blocks were freed (its heap profile names only
libFuzzer). A stand-in harness (a script printing one of them according to its flags) checks
the order of replays without running a fuzzer. Given the fuzz_wehr_import harness as its
argument, it also replays a real input that once failed CI: libmatio asks for 24 GB, and
ASan's shadow for it reached the RSS limit before libFuzzer's allocation check reported."""
import os
import stat
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run_fuzzer  # noqa: E402


def report(name):
    with open(os.path.join(HERE, "testdata", name)) as f:
        return f.read().replace("@REPO@", run_fuzzer.REPO)


class Decide(unittest.TestCase):
    def test_an_allocation_inside_libmatio_is_third_party_even_when_called_from_our_code(self):
        self.assertEqual(run_fuzzer.decide(report("malloc-limit-in-libmatio.txt")), ("third-party", "libmatio.so.11"))

    def test_a_heap_profile_of_only_libfuzzer_decides_nothing(self):
        self.assertIsNone(run_fuzzer.decide(report("rss-limit-heap-freed.txt")))

    def test_a_frame_at_a_source_line_of_this_repository_is_ours(self):
        line = f"    #3 0x55 in statenet::MatFile::variable() {run_fuzzer.REPO}/src/data/mat_file.cpp:51:17"
        self.assertEqual(run_fuzzer.decide(line)[0], "ours")

    def test_runtime_libraries_and_sources_outside_the_repository_decide_nothing(self):
        lines = ["    #0 0x7f in memset (/lib/x86_64-linux-gnu/libc.so.6+0x1)",
                 "    #1 0x7f in __cxa_throw (/lib/x86_64-linux-gnu/libstdc++.so.6+0x9d918)",
                 "    #2 0x55 in std::function<>::operator() /usr/include/c++/12/bits/std_function.h:591:9"]
        self.assertIsNone(run_fuzzer.decide("\n".join(lines)))

    def test_a_ubsan_summary_naming_our_source_is_ours(self):
        summary = f"SUMMARY: UndefinedBehaviorSanitizer: undefined-behavior {run_fuzzer.REPO}/src/data/dataset.cpp:88:12 in"
        self.assertEqual(run_fuzzer.decide(summary)[0], "ours")


class Whose(unittest.TestCase):
    """whose() against a stand-in harness that logs its flags and prints a canned report."""

    def harness(self, first, second, saved_as="oom"):
        d = tempfile.mkdtemp()
        self.calls = os.path.join(d, "calls")
        reports = [os.path.join(HERE, "testdata", n) if n else "" for n in (first, second)]
        path = os.path.join(d, "harness")
        with open(path, "w") as f:
            f.write(f"""#!{sys.executable}
import sys
import os
open({self.calls!r}, "a").write(" ".join(sys.argv[1:-1]) + " ASAN_OPTIONS=" + os.environ.get("ASAN_OPTIONS", "") + "\\n")
name = {reports[0]!r} if "-malloc_limit_mb=1024" in sys.argv else {reports[1]!r}
if name:
    print(open(name).read().replace("@REPO@", {run_fuzzer.REPO!r}))
    sys.exit(1)
print("Executed in 1 ms")
""")
        os.chmod(path, os.stat(path).st_mode | stat.S_IEXEC)
        return path, os.path.join(d, f"fuzz_x-{saved_as}-123")

    def flags(self):
        with open(self.calls) as f:
            return f.read().splitlines()

    def test_an_rss_out_of_memory_is_replayed_at_a_lower_allocation_limit_that_names_the_library(self):
        harness, artifact = self.harness("rss-limit-heap-freed.txt", "malloc-limit-in-libmatio.txt")
        kind, where, summary = run_fuzzer.whose(harness, artifact)
        self.assertEqual((kind, where), ("third-party", "libmatio.so.11"))
        self.assertEqual(summary, "SUMMARY: libFuzzer: out-of-memory")
        self.assertEqual(len(self.flags()), 2)
        self.assertIn("-malloc_limit_mb=128", self.flags()[1])
        self.assertIn("soft_rss_limit_mb=1024", self.flags()[1])
        self.assertNotIn("soft_rss_limit_mb", self.flags()[0])

    def test_an_out_of_memory_no_replay_decides_counts_as_ours_with_its_report(self):
        harness, artifact = self.harness("rss-limit-heap-freed.txt", "rss-limit-heap-freed.txt")
        kind, where, _ = run_fuzzer.whose(harness, artifact)
        self.assertEqual(kind, "ours")
        self.assertIn("no frame in this repository or a library", where)
        self.assertIn("Live Heap Allocations", where)

    def test_an_input_that_no_longer_fails_is_gone(self):
        harness, artifact = self.harness(None, None)
        self.assertEqual(run_fuzzer.whose(harness, artifact)[0], "gone")

    def test_a_saved_timeout_is_replayed_first_at_the_fuzzing_timeout(self):
        self.assertEqual(run_fuzzer.replays("/f/fuzz_x-timeout-1")[0], (["-timeout=10", *run_fuzzer.LIMITS], ""))

    def test_a_timeout_that_replays_as_an_anonymous_out_of_memory_gets_the_out_of_memory_replays(self):
        # Seen in CI: a saved timeout replayed as an RSS out-of-memory naming nobody.
        harness, artifact = self.harness("rss-limit-heap-freed.txt", "malloc-limit-in-libmatio.txt", saved_as="timeout")
        kind, where, _ = run_fuzzer.whose(harness, artifact)
        self.assertEqual((kind, where), ("third-party", "libmatio.so.11"))
        self.assertEqual(len(self.flags()), 3)
        self.assertTrue(all("-timeout=10" in f for f in self.flags()), self.flags())
        self.assertIn("-malloc_limit_mb=128", self.flags()[2])

    def test_a_timeout_whose_alarm_stack_names_our_code_is_ours_at_once(self):
        harness, artifact = self.harness("timeout-in-our-code.txt", None, saved_as="timeout")
        kind, _, _ = run_fuzzer.whose(harness, artifact)
        self.assertEqual(kind, "ours")
        self.assertEqual(len(self.flags()), 1)


WEHR_HARNESS = os.environ.get("FUZZ_WEHR_IMPORT")


@unittest.skipUnless(WEHR_HARNESS, "set FUZZ_WEHR_IMPORT to the fuzz_wehr_import harness (ctest does)")
class RealHarness(unittest.TestCase):
    def test_a_huge_request_inside_libmatio_is_third_party_not_an_anonymous_out_of_memory(self):
        kind, where, summary = run_fuzzer.whose(WEHR_HARNESS, os.path.join(HERE, "testdata", "fuzz_wehr_import-oom-libmatio-24GB"))
        self.assertEqual((kind, where), ("third-party", "libmatio.so.11"), summary)


if __name__ == "__main__":
    unittest.main()
