"""Issue 6's workloads B1-B4 in PyTorch eager, JAX jit and (B1) numpy by hand.

Each function times one workload on one system in this process and returns
measurements as dicts shaped like micrograd-bench's JSON lines (times in
microseconds). The definitions follow tools/bench/*.swift exactly: same
sizes, same expression, same loss and update, same op chain.
"""

import resource
import time

import numpy as np


def summary(workload, system, seconds, **extra):
    ordered = sorted(seconds)
    row = {
        "workload": workload,
        "system": system,
        "median_us": round(ordered[len(ordered) // 2] * 1e6, 2),
        "min_us": round(ordered[0] * 1e6, 2),
        "max_us": round(ordered[-1] * 1e6, 2),
        "runs": len(seconds),
    }
    row.update(extra)
    return row


def timed(runs, warmup, body):
    for _ in range(warmup):
        body()
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        body()
        seconds.append(time.perf_counter() - start)
    return seconds


def peak_rss_mb():
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def moons(count=100, noise=0.1, seed=1):
    """scikit-learn's make_moons geometry (labels -1, +1), as samples/SampleData/Moons.swift."""
    rng = np.random.default_rng(seed)
    outer, inner = count // 2, count - count // 2
    t_out = np.linspace(0, np.pi, outer)
    t_in = np.linspace(0, np.pi, inner)
    points = np.concatenate(
        [np.stack([np.cos(t_out), np.sin(t_out)], 1), np.stack([1 - np.cos(t_in), 0.5 - np.sin(t_in)], 1)])
    labels = np.concatenate([-np.ones(outer), np.ones(inner)])
    order = rng.permutation(count)
    points = points[order] + rng.normal(0, noise, (count, 2))
    return points.astype(np.float32), labels[order].astype(np.float32)


def linear_init(rng, sizes):
    """PyTorch's default nn.Linear initialisation: uniform in ±1/sqrt(in), weight [out, in]."""
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1 / np.sqrt(fan_in)
        params.append((rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32),
                       rng.uniform(-bound, bound, (fan_out,)).astype(np.float32)))
    return params


def lr_at(k):
    return 1.0 - 0.9 * k / 100


# B1 ------------------------------------------------------------------------------------------

def b1_torch(runs):
    import torch
    x_np, y_np = moons()
    x, y = torch.from_numpy(x_np), torch.from_numpy(y_np)
    model = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.ReLU(), torch.nn.Linear(16, 16), torch.nn.ReLU(),
                                torch.nn.Linear(16, 1))
    params = list(model.parameters())
    optimizer = torch.optim.SGD(params, lr=1.0)
    counter = [0]

    def step(k):
        optimizer.param_groups[0]["lr"] = lr_at(k)
        optimizer.zero_grad()
        score = model(x).reshape(-1)
        loss = torch.relu(1 - y * score).mean() + 1e-4 * sum((p * p).sum() for p in params)
        loss.backward()
        optimizer.step()

    def one():
        step(counter[0] % 100)
        counter[0] += 1

    steps = timed(runs, 20, one)
    totals = timed(max(5, runs // 50), 1, lambda: [step(k) for k in range(100)])
    return [summary("B1-moons-step", "torch-eager", steps),
            summary("B1-moons-100-steps", "torch-eager", totals, peak_rss_mb=peak_rss_mb())]


def b1_jax(runs):
    import jax
    import jax.numpy as jnp
    x_np, y_np = moons()
    x, y = jnp.asarray(x_np), jnp.asarray(y_np)
    params = [(jnp.asarray(w), jnp.asarray(b)) for w, b in linear_init(np.random.default_rng(1), [2, 16, 16, 1])]

    def loss_fn(params, x, y):
        h = x
        for i, (w, b) in enumerate(params):
            h = h @ w.T + b
            if i < len(params) - 1:
                h = jax.nn.relu(h)
        score = h.reshape(-1)
        penalty = sum(jnp.sum(w * w) + jnp.sum(b * b) for w, b in params)
        return jnp.mean(jax.nn.relu(1 - y * score)) + 1e-4 * penalty

    @jax.jit
    def step(params, x, y, lr):
        loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
        return jax.tree_util.tree_map(lambda p, g: p - lr * g, params, grads), loss

    state = {"params": params, "k": 0}

    def run(k):
        state["params"], loss = step(state["params"], x, y, jnp.float32(lr_at(k)))
        loss.block_until_ready()

    def one():
        run(state["k"] % 100)
        state["k"] += 1

    steps = timed(runs, 20, one)
    totals = timed(max(5, runs // 50), 1, lambda: [run(k) for k in range(100)])
    return [summary("B1-moons-step", "jax-jit", steps),
            summary("B1-moons-100-steps", "jax-jit", totals, peak_rss_mb=peak_rss_mb())]


def b1_numpy(runs):
    """micrograd's step with forward and backward written out by hand in numpy."""
    x, y = moons()
    params = [[w, b] for w, b in linear_init(np.random.default_rng(1), [2, 16, 16, 1])]

    def step(k):
        lr = np.float32(lr_at(k))
        (w1, b1), (w2, b2), (w3, b3) = params
        z1 = x @ w1.T + b1
        h1 = np.maximum(z1, 0)
        z2 = h1 @ w2.T + b2
        h2 = np.maximum(z2, 0)
        score = (h2 @ w3.T + b3).reshape(-1)
        margins = 1 - y * score
        n = np.float32(len(y))
        # loss = mean(relu(margins)) + 1e-4 * sum p^2 (computed, as the others do)
        _ = np.maximum(margins, 0).sum() / n + np.float32(1e-4) * sum((p * p).sum() for pair in params for p in pair)
        d_score = (-(margins > 0).astype(np.float32) * y / n).reshape(-1, 1)
        grads = []
        d_w3, d_b3 = d_score.T @ h2, d_score.sum(0)
        d_z2 = (d_score @ w3) * (z2 > 0)
        d_w2, d_b2 = d_z2.T @ h1, d_z2.sum(0)
        d_z1 = (d_z2 @ w2) * (z1 > 0)
        d_w1, d_b1 = d_z1.T @ x, d_z1.sum(0)
        grads = [(d_w1, d_b1), (d_w2, d_b2), (d_w3, d_b3)]
        for pair, (d_w, d_b) in zip(params, grads):
            pair[0] -= lr * (d_w + np.float32(2e-4) * pair[0])
            pair[1] -= lr * (d_b + np.float32(2e-4) * pair[1])

    counter = [0]

    def one():
        step(counter[0] % 100)
        counter[0] += 1

    steps = timed(runs, 20, one)
    totals = timed(max(5, runs // 50), 1, lambda: [step(k) for k in range(100)])
    return [summary("B1-moons-step", "numpy", steps),
            summary("B1-moons-100-steps", "numpy", totals, peak_rss_mb=peak_rss_mb())]


# B2 ------------------------------------------------------------------------------------------

B2_FLOPS = 2.0 * 256 * (784 * 512 + 512 * 512 + 512 * 10) * 3 - 2.0 * 256 * 784 * 512


def b2_data():
    rng = np.random.default_rng(2)
    return (rng.standard_normal((256, 784)).astype(np.float32), rng.integers(0, 10, 256),
            linear_init(rng, [784, 512, 512, 10]))


def b2_extra(seconds):
    median = sorted(seconds)[len(seconds) // 2]
    return {"gflops": round(B2_FLOPS / median / 1e9, 1), "peak_rss_mb": peak_rss_mb()}


def b2_torch(runs):
    import torch
    images, classes, _ = b2_data()
    x, y = torch.from_numpy(images), torch.from_numpy(classes)
    model = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 512),
                                torch.nn.ReLU(), torch.nn.Linear(512, 10))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)

    def step():
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()

    seconds = timed(runs, 5, step)
    return [summary("B2-mlp-step", "torch-eager", seconds, **b2_extra(seconds))]


def b2_jax(runs):
    import jax
    import jax.numpy as jnp
    from functools import partial
    images, classes, params = b2_data()
    x, y = jnp.asarray(images), jnp.asarray(classes)
    params = [(jnp.asarray(w), jnp.asarray(b)) for w, b in params]

    def loss_fn(params, x, y):
        h = x
        for i, (w, b) in enumerate(params):
            h = h @ w.T + b
            if i < len(params) - 1:
                h = jax.nn.relu(h)
        logp = jax.nn.log_softmax(h, axis=-1)
        return -jnp.mean(jnp.take_along_axis(logp, y[:, None], axis=1))

    @partial(jax.jit, donate_argnums=0)
    def step(params, x, y):
        loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
        return jax.tree_util.tree_map(lambda p, g: p - 0.01 * g, params, grads), loss

    state = {"params": params}

    def one():
        state["params"], loss = step(state["params"], x, y)
        loss.block_until_ready()

    seconds = timed(runs, 5, one)
    return [summary("B2-mlp-step", "jax-jit", seconds, **b2_extra(seconds))]


# B3 ------------------------------------------------------------------------------------------

BANDWIDTH = 40e9


def b3_extra(seconds, count):
    median = sorted(seconds)[len(seconds) // 2]
    return {"bandwidth_fraction": round(2 * count * 4 / BANDWIDTH / median, 3), "elements": count}


def b3_input(power):
    return np.random.default_rng(3).uniform(-3, 3, 1 << power).astype(np.float32)


def b3_torch(runs, powers):
    import torch
    results = []
    for power in powers:
        count = 1 << power
        x = torch.from_numpy(b3_input(power))
        n = runs or (30 if power >= 24 else 200)
        warmup = 3 if power >= 24 else 10

        def forward():
            with torch.no_grad():
                return torch.tanh(1.5 * x + 0.5) * torch.sigmoid(x) + x * x

        seconds = timed(n, warmup, forward)
        results.append(summary(f"B3-fwd-2^{power}", "torch-eager", seconds, **b3_extra(seconds, count)))
        xg = x.clone().requires_grad_(True)

        def both():
            xg.grad = None
            y = torch.tanh(1.5 * xg + 0.5) * torch.sigmoid(xg) + xg * xg
            y.sum().backward()

        seconds = timed(n, warmup, both)
        results.append(summary(f"B3-fwdbwd-2^{power}", "torch-eager", seconds, **b3_extra(seconds, count)))
    return results


def b3_jax(runs, powers):
    import jax
    import jax.numpy as jnp
    results = []

    def expression(x):
        return jnp.tanh(1.5 * x + 0.5) * jax.nn.sigmoid(x) + x * x

    forward = jax.jit(expression)
    both = jax.jit(jax.value_and_grad(lambda x: jnp.sum(expression(x))))
    for power in powers:
        count = 1 << power
        x = jnp.asarray(b3_input(power))
        n = runs or (30 if power >= 24 else 200)
        warmup = 3 if power >= 24 else 10
        seconds = timed(n, warmup, lambda: forward(x).block_until_ready())
        results.append(summary(f"B3-fwd-2^{power}", "jax-jit", seconds, **b3_extra(seconds, count)))
        seconds = timed(n, warmup, lambda: jax.block_until_ready(both(x)))
        results.append(summary(f"B3-fwdbwd-2^{power}", "jax-jit", seconds, **b3_extra(seconds, count)))
    return results


# B4 ------------------------------------------------------------------------------------------

def b4_jax(runs):
    import jax
    import jax.numpy as jnp

    def make_chain(length):
        def chain(x):
            for k in range(length):
                op = k % 4
                x = x * 1.001 if op == 0 else x + 0.001 if op == 1 else jnp.tanh(x) if op == 2 else jax.nn.sigmoid(x)
            return x
        return chain

    def make_mlp():
        def loss(params, x):
            h = x
            for i, (w, b) in enumerate(params):
                h = h @ w.T + b
                if i < len(params) - 1:
                    h = jax.nn.relu(h)
            return jnp.sum(h)
        return jax.value_and_grad(loss)

    x = jnp.ones(1024, jnp.float32)
    params = [(jnp.asarray(w), jnp.asarray(b)) for w, b in linear_init(np.random.default_rng(4), [64] * 51)]
    batch = jnp.ones((64, 64), jnp.float32)
    # A fresh function object each time: jax caches traces and executables per function.
    runs = min(runs or 3, 3)  # a 1,000-op chain takes JAX many seconds to compile
    chain = timed(runs, 1, lambda: jax.jit(make_chain(1000)).lower(x).compile())
    mlp = timed(runs, 1, lambda: jax.jit(make_mlp()).lower(params, batch).compile())
    return [summary("B4-chain-1000", "jax-jit", chain, nodes=1000),
            summary("B4-mlp-50x64", "jax-jit", mlp, nodes=200)]


def run(system, workload, runs, powers):
    """The measurements of one workload on one system."""
    table = {
        ("torch-eager", "B1"): lambda: b1_torch(runs or 500),
        ("jax-jit", "B1"): lambda: b1_jax(runs or 500),
        ("numpy", "B1"): lambda: b1_numpy(runs or 500),
        ("torch-eager", "B2"): lambda: b2_torch(runs or 50),
        ("jax-jit", "B2"): lambda: b2_jax(runs or 50),
        ("torch-eager", "B3"): lambda: b3_torch(runs, powers),
        ("jax-jit", "B3"): lambda: b3_jax(runs, powers),
        ("jax-jit", "B4"): lambda: b4_jax(runs),
    }
    return table[(system, workload)]() if (system, workload) in table else []
