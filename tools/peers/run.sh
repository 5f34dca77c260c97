#!/usr/bin/env bash
# Issue 6's benchmark beside PyTorch and JAX: builds micrograd-bench (release), makes its own venv with
# torch, jax and numpy from PyPI (once, under .build/peers-venv), then runs tools/peers/peers.py, which runs
# ours and theirs alternately and prints the ratios. Arguments go to peers.py (--rounds, --workloads, --runs).
#
# OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are unset here for every system alike: set by these machines, they
# halve OpenBLAS's speed on this AVX-512 CPU. (Only the benchmark does this; tests and CI keep them.)
set -euo pipefail
cd "$(dirname "$0")/../.."
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
echo "# tools/peers/run.sh: OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset for every system"

venv=${PEERS_VENV:-.build/peers-venv}
if ! "$venv/bin/python" -c "import torch, jax, numpy" 2>/dev/null; then
  echo "# making $venv (torch, jax, numpy from PyPI)"
  python3 -m venv "$venv"
  # A CPU-only torch wheel offered through pip's configured find-links is smaller than PyPI's default
  # (which pulls CUDA libraries); use it when there is one.
  torch_spec=torch
  for dir in $("$venv/bin/pip" config get global.find-links 2>/dev/null || true); do
    for wheel in "$dir"/torch-*+cpu-*.whl; do
      if [ -e "$wheel" ]; then torch_spec="torch==$(basename "$wheel" | cut -d- -f2)"; fi
    done
  done
  grep -v '^torch$' tools/peers/requirements.txt | grep -v '^#' > "$venv/requirements.txt"
  "$venv/bin/pip" install -q "$torch_spec" -r "$venv/requirements.txt"
fi

# micrograd is built for this machine's CPU (AVX-512 here), in a build folder of its own, as PyTorch and JAX
# pick their AVX-512 kernels at run time, with 512-bit vectors preferred (LLVM's default for these CPUs is
# 256-bit; the fused elementwise kernels run about 1.5x faster in 512-bit). Results are the same bit for bit
# as the baseline x86-64 build: Swift never contracts a*b+c into a fused multiply-add, so only the vector
# width changes (the result hashes in the output show it).
# MICROGRAD_BENCH_BUILD=baseline benchmarks the ordinary release build (.build/release) instead.
if [ "${MICROGRAD_BENCH_BUILD:-native}" = baseline ]; then
  flags=()
  ours=.build/release/micrograd-bench
else
  flags=(--scratch-path .build/native -Xswiftc -target-cpu -Xswiftc native -Xcc -march=native
    -Xcc -mprefer-vector-width=512)
  ours=.build/native/release/micrograd-bench
fi
echo "# micrograd build: ${MICROGRAD_BENCH_BUILD:-native} (swift build -c release ${flags[*]})"
swift build -c release --product micrograd-bench "${flags[@]}" 2>&1 | grep -E "error|Build complete" || true
exec "$venv/bin/python" tools/peers/peers.py --ours "$ours" "$@"
