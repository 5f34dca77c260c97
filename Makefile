# Two commands for a fresh machine (Debian, Swift 6.3, root):
#   make demo   installs what is missing, then trains the moons sample
#   make test   installs what is missing, then runs the whole test suite (CI runs this)
SHELL := /bin/bash
APT_PACKAGES := libopenblas-dev libgraphviz-dev pkg-config

.PHONY: setup demo lint test bench bench-ours fixtures docs clean

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
# with warnings as errors; the archive lands in .build/plugins/Swift-DocC/outputs/Micrograd.doccarchive.
docs:
	swift package generate-documentation --target Micrograd --warnings-as-errors

clean:
	rm -rf .build

# libFuzzer targets (Fuzz/, a package of its own; see Fuzz/README.md). `make fuzz` runs one target for
# FUZZ_TIME seconds (default 600) on a copy of its committed corpus; FUZZ_TARGET is ir, npy or safetensors.
# `make fuzz-smoke` runs every target once over its committed corpus.
FUZZ_TIME ?= 600
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
	for target in ir npy safetensors; do \
	  SWIFT_BACKTRACE=enable=no $(FUZZ_BIN)/micrograd-fuzz-$$target -runs=0 Fuzz/corpus/$$target || exit 1; \
	done
