#!/usr/bin/env python3
"""The peer of Rampart's activation pass: PyTorch's forward pass of the reference CNN to its last
hidden layer (128 units) over Fashion-MNIST's 60,000 training images, in batches, without
gradients. A measuring stick for `ActivationPass` (benchmarks module) only; nothing in Rampart
runs it. Random weights: the time does not depend on them.

    apt-get install -y python3-torch libopenblas0-pthread dataset-fashion-mnist
    /usr/bin/python3 scripts/activation-pass-peer.py --batch 512 --threads 1,2 --repeats 5

Prints, per thread count, the median over repeats of images per second, then the best.
"""
import argparse, gzip, os, statistics, time

import numpy as np
import torch
from torch import nn

p = argparse.ArgumentParser()
p.add_argument("--batch", type=int, default=512)
p.add_argument("--images", type=int, default=60000)
p.add_argument("--threads", default="1,2")
p.add_argument("--repeats", type=int, default=5)
p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
a = p.parse_args()
torch.manual_seed(7)

raw = np.frombuffer(gzip.open(os.path.join(a.data, "train-images-idx3-ubyte.gz")).read(), np.uint8, offset=16)
x = torch.tensor(raw.reshape(-1, 1, 28, 28)[: a.images].astype(np.float32) / 255)

hidden = nn.Sequential(nn.Conv2d(1, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 32, 5), nn.ReLU(),
                       nn.MaxPool2d(2), nn.Flatten(), nn.Linear(512, 128), nn.ReLU()).eval()


def one_pass():
    out = torch.empty(x.shape[0], 128)
    with torch.no_grad():
        for s in range(0, x.shape[0], a.batch):
            out[s:s + a.batch] = hidden(x[s:s + a.batch])
    return out


best = None
for threads in [int(t) for t in a.threads.split(",")]:
    torch.set_num_threads(threads)
    one_pass()  # warm-up
    rates = []
    for _ in range(a.repeats):
        t0 = time.perf_counter()
        one_pass()
        rates.append(x.shape[0] / (time.perf_counter() - t0))
    med = statistics.median(rates)
    print(f"threads {threads}: median {med:,.0f} images/s over {a.repeats} passes of {x.shape[0]} "
          f"(batch {a.batch}; min {min(rates):,.0f}, max {max(rates):,.0f})")
    best = med if best is None else max(best, med)
print(f"best: {best:,.0f} images/s")
