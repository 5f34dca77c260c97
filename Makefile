# Two commands for a fresh machine (Debian, Swift 6.3, root):
#   make demo   installs what is missing, then trains the moons sample
#   make test   installs what is missing, then runs the whole test suite
# CI (.ci/run) runs `make ci`: lint, the suite, the suite under AddressSanitizer, every fuzz target,
# the soak runs and the concurrency tests under ThreadSanitizer.
SHELL := /bin/bash
APT_PACKAGES := libopenblas-dev libgraphviz-dev pkg-config

.PHONY: setup demo lint test bench bench-ours fixtures docs clean ci asan tsan soak soak-compiled

setup:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

demo: setup
	swift run -c release moons

# Style gate: swift-format with the committed .swift-format, warnings are errors.
LINT_PATHS := Package.swift Sources Tests tools samples Fuzz/Package.swift Fuzz/Sources
lint:
	swift format lint --strict --recursive $(LINT_PATHS)

test: setup lint
	swift build --build-tests
	swift test

# Issue 6's benchmark: micrograd (release) beside PyTorch eager and JAX jit, alternately, with ratios
# (makes its own venv under .build/peers-venv; unsets OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE for every system).
# `make bench-ours` runs micrograd-bench alone. BENCH_ARGS go to tools/peers/peers.py (e.g. --rounds 5).
bench: setup
	tools/peers/run.sh $(BENCH_ARGS)

bench-ours: setup
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE swift run -c release micrograd-bench

fixtures:
	tools/make-fixtures.sh

# The DocC documentation of the Micrograd module (Sources/Micrograd/Micrograd.docc and the symbols' comments),
# with warnings as errors (CI runs it); the archive lands in .build/plugins/Swift-DocC/outputs/Micrograd.doccarchive.
docs: setup
	swift package generate-documentation --target Micrograd --warnings-as-errors

clean:
	rm -rf .build .build-asan .build-tsan

# Everything CI checks, in order; each step stops the run on failure.
ci: test docs asan fuzz-smoke soak tsan

# The whole suite under AddressSanitizer, built apart in .build-asan. Leak detection is off (the Swift
# runtime, XCTest, fontconfig, pango and Graphviz keep caches for the process's life); any single allocation
# over 1 GiB is a report (no reader may allocate what a small file's header claims).
ASAN_OPTIONS_CI := detect_leaks=0:max_allocation_size_mb=1024:allocator_may_return_null=0
asan: setup
	swift build --build-tests --sanitize=address --scratch-path .build-asan
	MICROGRAD_SANITIZER=address ASAN_OPTIONS=$(ASAN_OPTIONS_CI) \
	  swift test --skip-build --sanitize=address --scratch-path .build-asan

# The concurrency tests under ThreadSanitizer (built apart in .build-tsan); any report fails.
tsan: setup
	swift build --build-tests --sanitize=thread --scratch-path .build-tsan
	MICROGRAD_SANITIZER=thread TSAN_OPTIONS=halt_on_error=1 \
	  swift test --skip-build --sanitize=thread --scratch-path .build-tsan --filter Concurrency

# Long runs (tools/soak): 10,000 compiled moons steps with flat resident memory, a 1,000,000-node eager
# graph, a 100,000-instruction program (made directly, printed, parsed, run) and a 100,000-instruction
# compiled value-and-grad program (traced, compiled, run, backpropagated, freed; ~13 s in debug).
# Debug build, shared with `make test`.
soak: setup
	swift build --product micrograd-soak
	.build/debug/micrograd-soak moons eager program compiled

# The compiled part alone, in a release build.
soak-compiled: setup
	swift build -c release --product micrograd-soak
	.build/release/micrograd-soak compiled

# libFuzzer targets (Fuzz/, a package of its own; see Fuzz/README.md). `make fuzz` runs one target for
# FUZZ_TIME seconds (default 600) on a copy of its committed corpus; FUZZ_TARGET is ir, npy or safetensors.
# `make fuzz-smoke` runs every target once over its committed corpus, then fuzzes it for FUZZ_SMOKE_TIME
# seconds (default 30) from that corpus, printing libFuzzer's statistics (executions, coverage).
FUZZ_TIME ?= 600
FUZZ_SMOKE_TIME ?= 30
FUZZ_TARGET ?= ir
FUZZ_BIN = Fuzz/.build/release
.PHONY: fuzz fuzz-smoke fuzz-build

fuzz-build: setup
	cd Fuzz && swift build -c release --sanitize=fuzzer

fuzz: fuzz-build
	mkdir -p Fuzz/.build/corpus/$(FUZZ_TARGET) Fuzz/.build/crashes
	SWIFT_BACKTRACE=enable=no $(FUZZ_BIN)/micrograd-fuzz-$(FUZZ_TARGET) -max_total_time=$(FUZZ_TIME) \
	  -artifact_prefix=Fuzz/.build/crashes/ -print_final_stats=1 \
	  Fuzz/.build/corpus/$(FUZZ_TARGET) Fuzz/corpus/$(FUZZ_TARGET)

fuzz-smoke: fuzz-build
	mkdir -p Fuzz/.build/crashes
	for target in ir npy safetensors; do \
	  SWIFT_BACKTRACE=enable=no $(FUZZ_BIN)/micrograd-fuzz-$$target -runs=0 Fuzz/corpus/$$target || exit 1; \
	  rm -rf Fuzz/.build/smoke/$$target && mkdir -p Fuzz/.build/smoke/$$target; \
	  SWIFT_BACKTRACE=enable=no $(FUZZ_BIN)/micrograd-fuzz-$$target -max_total_time=$(FUZZ_SMOKE_TIME) \
	    -print_final_stats=1 -artifact_prefix=Fuzz/.build/crashes/ \
	    Fuzz/.build/smoke/$$target Fuzz/corpus/$$target 2>&1 | grep -E "^stat::|ERROR|==[0-9]+==|Fatal|INFO: Seed" ; \
	  [ "$${PIPESTATUS[0]}" = 0 ] || exit 1; \
	done
