# The two commands of the README. Each one installs what is missing, configures,
# builds and runs: `make demo` (the main job on a built-in sound) and `make test` (the test
# suite, then `make sanitize`).
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

# The hardening stage (docs/reliability.md): torch-free builds with clang —
#   build-asan  ASan + UBSan: the unit tests, the statenet command they run, and the libFuzzer
#               harnesses (each fuzzes FUZZ_SECONDS from its seeds);
#   build-tsan  TSan: the streaming pipeline's tests (threads, queues, sinks, servers).
# The real audio-server tests (PulseAudio capture, the JACK loop) measure timing and run in the
# plain build only.
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
FUZZ_SECONDS ?= 60
SANITIZER_FLAGS = -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTATENET_WITH_TORCH=OFF -DSTATENET_WITH_CUDA=OFF \
                  -DSTATENET_BUILD_BENCH=OFF
ASAN_ENV = ASAN_OPTIONS=fast_unwind_on_malloc=0:detect_stack_use_after_return=1 \
           LSAN_OPTIONS=suppressions=$(CURDIR)/tests/sanitizers/lsan.supp:print_suppressions=0 \
           UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
TSAN_ENV = TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:suppressions=$(CURDIR)/tests/sanitizers/tsan.supp
TSAN_TESTS = StreamPipeline|StreamCli|PulseTrain|ZmqPublisher|OscSender|SignalCli
AUDIO_SERVER_TESTS = realCapture|ClosedLoop

.PHONY: setup configure build demo test sanitize asan tsan bench clean

setup:
	@bash scripts/setup.sh

configure: setup
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

demo: build
	@$(BUILD)/statenet demo -o out/demo
	@$(BUILD)/statenet stream --input demo --seconds 6 --latency-json out/demo/stream_latency.json

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	@$(MAKE) --no-print-directory sanitize

sanitize: asan tsan

asan: setup
	@CC=clang CXX=clang++ cmake -S . -B $(ASAN_BUILD) $(SANITIZER_FLAGS) -DSTATENET_SANITIZE=address,undefined \
	  -DSTATENET_FUZZ=ON -DSTATENET_FUZZ_SECONDS=$(FUZZ_SECONDS) >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	@cd $(ASAN_BUILD) && $(ASAN_ENV) ctest --output-on-failure -j $(JOBS) -E "$(AUDIO_SERVER_TESTS)"

tsan: setup
	@CC=clang CXX=clang++ cmake -S . -B $(TSAN_BUILD) $(SANITIZER_FLAGS) -DSTATENET_SANITIZE=thread >/dev/null
	@cmake --build $(TSAN_BUILD) -j $(JOBS) --target statenet statenet_tests
	@cd $(TSAN_BUILD) && $(TSAN_ENV) ctest --output-on-failure -j $(JOBS) -R "$(TSAN_TESTS)" -E "$(AUDIO_SERVER_TESTS)"

bench: build
	@$(BUILD)/bench/cochlea_bench --benchmark_min_time=0.2

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD)
