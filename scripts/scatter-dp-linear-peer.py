#!/usr/bin/env python3
"""An independent DP-SGD trainer for a linear model on ScatterNet features (numpy only).

It checks Rampart's ScatterNet + linear figure against a second implementation that follows
Tramer & Boneh's (ICLR 2021) published protocol exactly: fixed-size shuffled batches (the last
partial batch dropped), plain (heavy-ball) momentum as in PyTorch's SGD, per-example clipping of
the weight and bias gradient together, Gaussian noise of sigma * clip on the sum, division by the
batch size. Poisson sampling (Rampart's) is an option. The features come from Rampart:

    java -cp ... dev.rampart.benchmarks.privacy.DpSgdAccuracy --model scatter-linear --groups 27 \
        --export-features /tmp/scat
    python3 scripts/scatter-dp-linear-peer.py --features /tmp/scat --sigma 4.05 --sampling shuffle

For a linear model the per-example gradient is an outer product, so its norm is
|p - y| * sqrt(|x|^2 + 1) and the clipped sum is one matrix product: no autograd is needed.
The noise multiplier is given, not calibrated: use Rampart's accountant (RdpAccountant) for it.
"""
import argparse
import os
import sys
import time

import numpy as np


def load(directory, name):
    """The features and labels NAME.f32 and NAME.labels, or SystemExit naming the file and its problem."""
    for suffix in ("labels", "f32"):
        if not os.path.isfile(f"{directory}/{name}.{suffix}"):
            sys.exit(f"scatter-dp-linear-peer.py: {directory}/{name}.{suffix}: no such file"
                     " (write it with DpSgdAccuracy --export-features)")
    try:
        labels = np.loadtxt(f"{directory}/{name}.labels", dtype=np.int64, ndmin=1)
    except ValueError as e:
        sys.exit(f"scatter-dp-linear-peer.py: {directory}/{name}.labels: not one class a line ({e})")
    x = np.fromfile(f"{directory}/{name}.f32", dtype="<f4")
    if len(labels) == 0 or x.size % len(labels) != 0 or labels.min() < 0:
        sys.exit(f"scatter-dp-linear-peer.py: {directory}/{name}.f32 holds {x.size} values, not rows for the"
                 f" {len(labels)} labels of {name}.labels (or a label is negative)")
    if not np.isfinite(x).all():
        sys.exit(f"scatter-dp-linear-peer.py: {directory}/{name}.f32 holds NaN or infinite values")
    return x.reshape(len(labels), -1), labels


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--features", required=True, help="directory written by DpSgdAccuracy --export-features")
    p.add_argument("--sigma", type=float, required=True, help="noise multiplier")
    p.add_argument("--epochs", type=int, default=40)
    p.add_argument("--batch", type=int, default=8192)
    p.add_argument("--lr", type=float, default=16.0)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--clip", type=float, default=0.1)
    p.add_argument("--sampling", choices=["shuffle", "poisson"], default="shuffle")
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    if a.sigma < 0 or a.clip <= 0 or a.batch < 1 or a.epochs < 1:
        p.error("sigma must be >= 0, clip > 0, batch and epochs >= 1")

    x_train, y_train = load(a.features, "train")
    x_test, y_test = load(a.features, "test")
    if x_train.shape[1] != x_test.shape[1]:
        p.error(f"train.f32 rows hold {x_train.shape[1]} features, test.f32 rows {x_test.shape[1]}")
    n, d = x_train.shape
    k = int(max(y_train.max(), y_test.max())) + 1
    rng = np.random.default_rng(a.seed)
    bound = 1 / np.sqrt(d)  # PyTorch's default initialization of nn.Linear
    w = rng.uniform(-bound, bound, (d, k)).astype(np.float32)
    b = rng.uniform(-bound, bound, k).astype(np.float32)
    vw = np.zeros_like(w)
    vb = np.zeros_like(b)
    squared = (x_train.astype(np.float64) ** 2).sum(1) + 1.0  # |x|^2 + 1 (the bias)
    onehot = np.eye(k, dtype=np.float32)[y_train]
    q = a.batch / n
    t0 = time.time()
    for epoch in range(a.epochs):
        if a.sampling == "poisson":
            batches = [np.nonzero(rng.random(n) < q)[0] for _ in range(int(np.ceil(n / a.batch)))]
        else:
            order = rng.permutation(n)
            batches = [order[i * a.batch:(i + 1) * a.batch] for i in range(n // a.batch)]
        for idx in batches:
            x = x_train[idx]
            z = x @ w + b
            z -= z.max(1, keepdims=True)
            prob = np.exp(z)
            prob /= prob.sum(1, keepdims=True)
            g = prob - onehot[idx]
            norms = np.sqrt((g.astype(np.float64) ** 2).sum(1) * squared[idx])
            g *= np.minimum(1.0, a.clip / np.maximum(norms, 1e-12)).astype(np.float32)[:, None]
            gw = (x.T @ g + rng.normal(0, a.sigma * a.clip, w.shape).astype(np.float32)) / a.batch
            gb = (g.sum(0) + rng.normal(0, a.sigma * a.clip, k).astype(np.float32)) / a.batch
            vw = a.momentum * vw + gw
            vb = a.momentum * vb + gb
            w -= a.lr * vw
            b -= a.lr * vb
        if (epoch + 1) % 10 == 0 or epoch + 1 == a.epochs:
            acc = ((x_test @ w + b).argmax(1) == y_test).mean()
            print(f"epoch {epoch + 1}  test accuracy {100 * acc:.2f}%  {time.time() - t0:.0f} s", flush=True)
    acc = ((x_test @ w + b).argmax(1) == y_test).mean()
    print(f"RESULT sigma {a.sigma} epochs {a.epochs} batch {a.batch} lr {a.lr} momentum {a.momentum} clip {a.clip}"
          f" sampling {a.sampling} seed {a.seed}: test accuracy {100 * acc:.2f}%")


if __name__ == "__main__":
    main()
