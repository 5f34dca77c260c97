#!/usr/bin/env bash
# Release-build measurements: fast-math speed and accuracy, parallel kernels,
# and the interpreter's heap allocations per run (counted by preloading
# allocation-counter.c). Usage: tools/runtime-bench/run.sh [fastmath|parallel|allocations|accuracy|gemms|fusedloop]...
# (`gemms` builds and runs b2-gemm-sequence.c: B2's products alone through OpenBLAS, with OPENBLAS_CORETYPE
# and OPENBLAS_L2_SIZE unset as the benchmark unsets them.)
# (`fusedloop` builds and runs fused-loop-bound.c: B3's forward pass in the fused evaluator's structure against
# one register-resident loop, both in C with the same kernels, one and two threads.)
# (`accuracy` takes about 10 minutes: all 2^32 inputs, both paths; vector-math-exhaustive.c checks the C
# kernels alone, every level.)
# For `allocations`, set OPENBLAS_NUM_THREADS=1 to leave out OpenBLAS's own
# allocations in threaded sgemm.
set -euo pipefail
cd "$(dirname "$0")"
if [ "${1:-}" = gemms ]; then
  mkdir -p .build
  cc -O2 -Wall b2-gemm-sequence.c $(pkg-config --cflags --libs openblas) -o .build/b2-gemm-sequence
  exec env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .build/b2-gemm-sequence
fi
if [ "${1:-}" = fusedloop ]; then
  mkdir -p .build
  clang -O2 -Wall -pthread -I../../Sources/CKernels/include fused-loop-bound.c ../../Sources/CKernels/StreamCopy.c \
    -lm -o .build/fused-loop-bound
  shift
  exec .build/fused-loop-bound "$@"
fi
# -enable-testing lets the bench reach internal kernels through @testable import.
swift build -c release -Xswiftc -enable-testing --product micrograd-runtime-bench >/dev/null
counter=.build/release/libmicrograd-allocation-counter.so
cc -O2 -shared -fPIC -o "$counter" allocation-counter.c
LD_PRELOAD="$PWD/$counter" .build/release/micrograd-runtime-bench "$@"
