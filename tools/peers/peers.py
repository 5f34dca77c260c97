"""Runs issue 6's benchmark (B1-B4) for micrograd, PyTorch eager, JAX jit and numpy, alternately.

    python peers.py --ours .build/release/micrograd-bench [--rounds 5] [--workloads B1,B2,B3,B4]
    python peers.py --worker jax-jit B3          (one system, one workload, JSON lines; used by the driver)

Every (system, workload) runs in a process of its own, so its peak resident memory is its own. Each round
runs every workload on every system, ours and theirs interleaved (the order flips every round), so drift of
the machine hits all of them. Prints each measurement as a JSON line, then the medians and the ratios
(their median / ours, per round; median and min-max over rounds), and writes the same table as markdown to
.build/bench/peers.md and the JSON lines to .build/bench/peers.jsonl.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))

THEIRS = {
    "B1": ["torch-eager", "jax-jit", "numpy"],
    "B2": ["torch-eager", "jax-jit"],
    "B3": ["torch-eager", "jax-jit"],
    "B4": ["jax-jit"],
}
OURS = {"B1": ["compiled", "eager"], "B2": ["compiled", "eager"], "B3": ["compiled", "eager"], "B4": ["compiled"]}

# (label, workload, our system, their system, target ratio or None)
RATIOS = [
    ("B1 step, compiled vs JAX jit", "B1-moons-step", "micrograd-compiled", "jax-jit", 4.0),
    ("B1 step, eager vs PyTorch eager", "B1-moons-step", "micrograd-eager", "torch-eager", 5.0),
    ("B1 step, compiled vs PyTorch eager", "B1-moons-step", "micrograd-compiled", "torch-eager", None),
    ("B1 step, eager vs numpy by hand", "B1-moons-step", "micrograd-eager", "numpy", None),
    ("B1 100 steps, compiled vs JAX jit", "B1-moons-100-steps", "micrograd-compiled", "jax-jit", None),
    ("B1 100 steps, eager vs PyTorch eager", "B1-moons-100-steps", "micrograd-eager", "torch-eager", None),
    ("B2 step, compiled vs JAX jit", "B2-mlp-step", "micrograd-compiled", "jax-jit", 1.0),
    ("B2 step, compiled vs PyTorch eager", "B2-mlp-step", "micrograd-compiled", "torch-eager", None),
    ("B2 step, eager vs PyTorch eager", "B2-mlp-step", "micrograd-eager", "torch-eager", None),
    ("B3 fwd 2^20, compiled vs JAX jit", "B3-fwd-2^20", "micrograd-compiled", "jax-jit", None),
    ("B3 fwd+bwd 2^20, compiled vs JAX jit", "B3-fwdbwd-2^20", "micrograd-compiled", "jax-jit", None),
    ("B3 fwd 2^24, compiled vs JAX jit", "B3-fwd-2^24", "micrograd-compiled", "jax-jit", 2.0),
    ("B3 fwd+bwd 2^24, compiled vs JAX jit", "B3-fwdbwd-2^24", "micrograd-compiled", "jax-jit", 1.5),
    ("B3 fwd 2^24, eager vs PyTorch eager", "B3-fwd-2^24", "micrograd-eager", "torch-eager", None),
    ("B3 fwd+bwd 2^24, eager vs PyTorch eager", "B3-fwdbwd-2^24", "micrograd-eager", "torch-eager", None),
    ("B4 chain of 1,000, compile vs JAX jit", "B4-chain-1000", "micrograd-compiled", "jax-jit", 50.0),
    ("B4 MLP 50x64 fwd+bwd, compile vs JAX jit", "B4-mlp-50x64", "micrograd-compiled", "jax-jit", 50.0),
]


def worker(system, workload, runs, powers):
    sys.path.insert(0, HERE)
    import workloads
    for row in workloads.run(system, workload, runs, powers):
        print(json.dumps(row), flush=True)


def collect(command, env):
    started = time.time()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(f"# failed ({done.returncode}): {' '.join(command)}\n{done.stderr[-2000:]}\n")
        return []
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    sys.stderr.write(f"#   {' '.join(command[-4:])}: {len(rows)} rows in {time.time() - started:.1f} s\n")
    return rows


def median(values):
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def machine():
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as info:
            model = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{model}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker", nargs=2, metavar=("SYSTEM", "WORKLOAD"))
    parser.add_argument("--ours", default=".build/release/micrograd-bench")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workloads", default="B1,B2,B3,B4")
    parser.add_argument("--runs", type=int, default=0, help="runs per measurement (0: each workload's default)")
    parser.add_argument("--sizes", default="20,24", help="B3 sizes as powers of two")
    parser.add_argument("--out", default=".build/bench")
    args = parser.parse_args()
    powers = [int(p) for p in args.sizes.split(",")]
    if args.worker:
        worker(args.worker[0], args.worker[1], args.runs, powers)
        return

    env = dict(os.environ)
    dropped = [name for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if env.pop(name, None) is not None]
    print(f"# OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset for every system (were set: {', '.join(dropped) or 'none'})")
    print(f"# machine: {machine()}; date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    import importlib.metadata as meta
    print("# peers: " + ", ".join(f"{name} {meta.version(name)}" for name in ("torch", "jax", "jaxlib", "numpy")))
    chosen = [w.strip().upper() for w in args.workloads.split(",")]
    rows = []
    for round_index in range(args.rounds):
        sys.stderr.write(f"# round {round_index + 1} of {args.rounds}\n")
        for workload in chosen:
            commands = []
            for system in OURS[workload]:
                command = [args.ours, "--workload", workload, "--system", system, "--json", "--size", args.sizes]
                if args.runs:
                    command += ["--runs", str(args.runs)]
                commands.append(command)
            for system in THEIRS[workload]:
                commands.append([sys.executable, os.path.abspath(__file__), "--runs", str(args.runs),
                                 "--sizes", args.sizes, "--worker", system, workload])
            if round_index % 2 == 1:
                commands.reverse()
            for command in commands:
                for row in collect(command, env):
                    row["round"] = round_index
                    print(json.dumps(row), flush=True)
                    rows.append(row)

    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "peers.jsonl"), "w") as out:
        out.writelines(json.dumps(row) + "\n" for row in rows)
    text = report(rows, args)
    print(text)
    with open(os.path.join(args.out, "peers.md"), "w") as out:
        out.write(text)


def report(rows, args):
    by_key = {}
    for row in rows:
        by_key.setdefault((row["workload"], row["system"]), []).append(row)
    lines = [f"Machine: {machine()}. Date: {time.strftime('%Y-%m-%d', time.gmtime())}. "
             f"{args.rounds} rounds, systems interleaved; OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset for all.", "",
             "| workload | system | median | min | max | notes |", "|---|---|---:|---:|---:|---|"]
    for (workload, system), group in sorted(by_key.items()):
        medians = [row["median_us"] for row in group]
        notes = []
        for key in ("gflops", "bandwidth_fraction", "peak_rss_mb"):
            if key in group[0]:
                notes.append(f"{key.replace('_', ' ')} {median([row[key] for row in group])}")
        lines.append(f"| {workload} | {system} | {format_us(median(medians))} | "
                     f"{format_us(min(row['min_us'] for row in group))} | "
                     f"{format_us(max(row['max_us'] for row in group))} | {', '.join(notes)} |")
    lines += ["", "| ratio (their time / ours) | median | min-max over rounds | target |", "|---|---:|---:|---|"]
    for label, workload, ours, theirs, target in RATIOS:
        ours_by_round = {row["round"]: row["median_us"] for row in by_key.get((workload, ours), [])}
        ratios = [row["median_us"] / ours_by_round[row["round"]] for row in by_key.get((workload, theirs), [])
                  if row["round"] in ours_by_round]
        if not ratios:
            continue
        verdict = "" if target is None else (f">= {target:g}x: " + ("met" if median(ratios) >= target else "MISSED"))
        lines.append(f"| {label} | {median(ratios):.2f}x | {min(ratios):.2f}-{max(ratios):.2f}x | {verdict} |")
    scale = by_key.get(("B4-scale-100k", "micrograd-compiled"))
    if scale:
        seconds = median([row["median_us"] for row in scale]) / 1e6
        verdict = "met" if seconds < 1 else "MISSED"
        lines.append(f"| B4 100k-node chain, compile time | {seconds:.2f} s | | < 1 s: {verdict} |")
    return "\n".join(lines) + "\n"


def format_us(us):
    return f"{us / 1e3:.2f} ms" if us >= 1000 else f"{us:.1f} µs"


if __name__ == "__main__":
    main()
