#!/usr/bin/env bash
# Release-build compile-cost measurements (issue 6, B4). Usage:
#   tools/compile-bench/run.sh [b4|sweep|stages|b4-stages] [--repeats N] [--nodes N]
# b4: (a) a 1,000-op elementwise chain on a 1024-vector, (b) a 50-layer,
# 64-wide MLP forward + backward; sweep: value-and-grad programs of 1k to
# 100k nodes, with time per node; stages: the sweep's largest cases split
# into trace, lowering, each pass and interpreter setup; b4-stages: B4's
# own 100k forward chain only.
set -euo pipefail
cd "$(dirname "$0")"
# -enable-testing lets the bench reach the compiler's stages through @testable import.
swift build -c release -Xswiftc -enable-testing --product micrograd-compile-bench >/dev/null
.build/release/micrograd-compile-bench "$@"
