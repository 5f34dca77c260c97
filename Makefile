# Two commands for a fresh machine (Debian, Swift 6.3, root):
#   make demo   installs what is missing, then trains the moons sample
#   make test   installs what is missing, then runs the whole test suite (CI runs this)
SHELL := /bin/bash
APT_PACKAGES := libopenblas-dev libgraphviz-dev pkg-config

.PHONY: setup demo test bench fixtures clean

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

test: setup
	swift build --build-tests
	swift test

bench: setup
	swift run -c release micrograd-bench

fixtures:
	tools/make-fixtures.sh

clean:
	rm -rf .build
