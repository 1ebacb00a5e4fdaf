# The two commands of the README. Each one installs what is missing, configures,
# builds and runs: `make demo` (the main job on a built-in sound) and `make test`.
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: setup configure build demo test bench clean

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

bench: build
	@$(BUILD)/bench/cochlea_bench --benchmark_min_time=0.2

clean:
	rm -rf $(BUILD)
