#!/usr/bin/env python3
"""Exports the three PyTorch models Rampart's ONNX translator is tested on, with PyTorch's answers.

Needs Debian's python3-torch and python3-onnx. Run from the repository root:

    /usr/bin/python3 scripts/make-onnx-fixtures.py core/src/test/resources/onnx/fixtures

Each model is trained for four epochs on the bundled Fashion-MNIST sample (seeded), put in eval
mode, and exported at opset 13 with a dynamic batch dimension, without constant folding and in
PRESERVE mode, so that the BatchNormalization nodes stay in the graph. (Merged into the
convolutions, as a default export does, the graph computes a slightly different function from the
PyTorch model: on the ResNet one of 16 reference gradients then differs by 0.14% of the largest value, where one ReLU
input of that image is on the other side of zero.)

- mlp.onnx: Flatten, Linear 784-32, ReLU, Linear 32-10 (logits out; Gemm nodes).
- cnn.onnx: two blocks of Conv 3x3 (pad 1), BatchNorm, ReLU, MaxPool 2; x.view(x.size(0), -1)
  (Shape/Gather/Unsqueeze/Concat/Reshape); Linear 784-10; Softmax (probabilities out).
- resnet.onnx: a stem Conv-BN-ReLU and two residual blocks (the second strided, with a 1x1
  projection shortcut), ReLU6 in the first block (Clip), global average pooling, Linear (logits).

- gelu-mlp.onnx: an MLP with a GELU (exported through Erf, which the translator does not support),
  untrained: the graph a white-box audit must refuse by naming its node.

For every trained model, beside it: <name>-input.pb (16 test images), <name>-labels.pb, <name>-output.pb
(the graph's output), <name>-logits.pb (the class scores before any softmax), <name>-grad.pb (the
gradient of the summed cross-entropy with respect to the input) and <name>-pgd.pb (PGD L-inf,
epsilon 0.1, step 0.01, 20 steps, no random start, inputs clipped to [0, 1]), all as ONNX tensors.
"""
import gzip
import os
import sys

import numpy as np
import onnx
import onnx.numpy_helper
import torch
import torch.nn as nn
import torch.nn.functional as F

out = sys.argv[1] if len(sys.argv) > 1 else "."
os.makedirs(out, exist_ok=True)
torch.manual_seed(20261205)
torch.set_num_threads(2)
SAMPLE = "core/src/main/resources/dev/rampart/core/data/fashion-mnist-sample"


def idx(name):
    with gzip.open(os.path.join(SAMPLE, name), "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


x_train = torch.tensor(idx("train-images-idx3-ubyte.gz"), dtype=torch.float32).unsqueeze(1) / 255
y_train = torch.tensor(idx("train-labels-idx1-ubyte.gz"), dtype=torch.long)
x_test = torch.tensor(idx("t10k-images-idx3-ubyte.gz"), dtype=torch.float32).unsqueeze(1) / 255
y_test = torch.tensor(idx("t10k-labels-idx1-ubyte.gz"), dtype=torch.long)


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 32)
        self.fc2 = nn.Linear(32, 10)

    def logits(self, x):
        return self.fc2(F.relu(self.fc1(torch.flatten(x, 1))))

    def forward(self, x):
        return self.logits(x)


class Cnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 8, 3, padding=1)
        self.b1 = nn.BatchNorm2d(8)
        self.c2 = nn.Conv2d(8, 16, 3, padding=1)
        self.b2 = nn.BatchNorm2d(16)
        self.fc = nn.Linear(16 * 7 * 7, 10)

    def logits(self, x):
        x = F.max_pool2d(F.relu(self.b1(self.c1(x))), 2)
        x = F.max_pool2d(F.relu(self.b2(self.c2(x))), 2)
        return self.fc(x.view(x.size(0), -1))

    def forward(self, x):
        return F.softmax(self.logits(x), dim=1)


class Block(nn.Module):
    def __init__(self, cin, cout, stride, relu6):
        super().__init__()
        self.c1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.b1 = nn.BatchNorm2d(cout)
        self.c2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.b2 = nn.BatchNorm2d(cout)
        self.act = nn.ReLU6() if relu6 else nn.ReLU()
        self.short = None
        if stride != 1 or cin != cout:
            self.short = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.act(self.b1(self.c1(x)))
        y = self.b2(self.c2(y))
        return F.relu(y + (x if self.short is None else self.short(x)))


class ResNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU())
        self.l1 = Block(8, 8, 1, True)
        self.l2 = Block(8, 16, 2, False)
        self.fc = nn.Linear(16, 10)

    def logits(self, x):
        x = self.l2(self.l1(self.stem(x)))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))

    def forward(self, x):
        return self.logits(x)


def train(model):
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    g = torch.Generator().manual_seed(7)
    for _ in range(4):
        model.train()
        perm = torch.randperm(len(x_train), generator=g)
        for i in range(0, len(perm), 64):
            b = perm[i:i + 64]
            opt.zero_grad()
            F.cross_entropy(model.logits(x_train[b]), y_train[b]).backward()
            opt.step()
    model.eval()


def pgd(model, x, y, eps=0.1, step=0.01, steps=20):
    lo = torch.clamp(x - eps, 0, 1)
    hi = torch.clamp(x + eps, 0, 1)
    adv = x.clone()
    for _ in range(steps):
        adv.requires_grad_(True)
        loss = F.cross_entropy(model.logits(adv), y, reduction="sum")
        (g,) = torch.autograd.grad(loss, adv)
        adv = torch.max(torch.min(adv.detach() + step * g.sign(), hi), lo)
    return adv


def save(name, suffix, t):
    arr = t.detach().numpy() if isinstance(t, torch.Tensor) else t
    onnx.save_tensor(onnx.numpy_helper.from_array(arr, name=suffix), os.path.join(out, f"{name}-{suffix}.pb"))


for name, model in [("mlp", Mlp()), ("cnn", Cnn()), ("resnet", ResNet())]:
    train(model)
    with torch.no_grad():
        acc = (model.logits(x_test).argmax(1) == y_test).float().mean().item()
    # BatchNormalization stays a node: merged into the convolutions by the exporter, the graph computes a
    # slightly different function from the PyTorch model the reference gradients come from
    torch.onnx.export(model, x_test[:1], os.path.join(out, f"{name}.onnx"), opset_version=13,
                      input_names=["input"], output_names=["output"], do_constant_folding=False,
                      training=torch.onnx.TrainingMode.PRESERVE,
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    x = x_test[:16].clone()
    y = y_test[:16].clone()
    xg = x.clone().requires_grad_(True)
    loss = F.cross_entropy(model.logits(xg), y, reduction="sum")
    (grad,) = torch.autograd.grad(loss, xg)
    with torch.no_grad():
        save(name, "output", model(x))
        save(name, "logits", model.logits(x))
    save(name, "input", x)
    save(name, "labels", y)
    save(name, "grad", grad)
    save(name, "pgd", pgd(model, x, y))
    print(f"{name}: test accuracy {acc:.3f} on the sample, "
          f"ops {sorted({n.op_type for n in onnx.load(os.path.join(out, name + '.onnx')).graph.node})}")


class GeluMlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 16)
        self.fc2 = nn.Linear(16, 10)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(torch.flatten(x, 1))))


gelu = GeluMlp().eval()
torch.onnx.export(gelu, x_test[:1], os.path.join(out, "gelu-mlp.onnx"), opset_version=13, input_names=["input"],
                  output_names=["output"], dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
with torch.no_grad():
    save("gelu-mlp", "output", gelu(x_test[:16]))
