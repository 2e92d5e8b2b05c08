#!/usr/bin/env python3
"""Writes a ResNet-18 (He et al. 2016; ImageNet layout, 3x224x224, 1000 classes, 11.7 million
parameters, seeded random weights, eval mode, batch normalization merged into the convolutions as
a default export does) as ONNX, with one input and PyTorch's logits for it, for the translation-time
benchmark. Needs Debian's python3-torch and python3-onnx; the file is about 45 MB, so it is
generated, not kept:

    /usr/bin/python3 scripts/make-resnet18-onnx.py /tmp/resnet18
"""
import os
import sys

import onnx
import onnx.numpy_helper
import torch
import torch.nn as nn
import torch.nn.functional as F

out = sys.argv[1] if len(sys.argv) > 1 else "."
os.makedirs(out, exist_ok=True)
torch.manual_seed(18)


class Basic(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.b1 = nn.BatchNorm2d(cout)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.b2 = nn.BatchNorm2d(cout)
        self.down = None
        if stride != 1 or cin != cout:
            self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.b2(self.c2(F.relu(self.b1(self.c1(x)))))
        return F.relu(y + (x if self.down is None else self.down(x)))


class ResNet18(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
                                  nn.MaxPool2d(3, 2, 1))
        blocks = []
        cin = 64
        for cout, stride in [(64, 1), (128, 2), (256, 2), (512, 2)]:
            blocks += [Basic(cin, cout, stride), Basic(cout, cout, 1)]
            cin = cout
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(512, 1000)

    def forward(self, x):
        x = self.blocks(self.stem(x))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


model = ResNet18()
for m in model.modules():
    if isinstance(m, nn.BatchNorm2d):  # non-trivial running statistics, as a trained model has
        m.running_mean.uniform_(-0.1, 0.1)
        m.running_var.uniform_(0.5, 1.5)
model.eval()
x = torch.rand(2, 3, 224, 224)
torch.onnx.export(model, x[:1], os.path.join(out, "resnet18.onnx"), opset_version=13, input_names=["input"],
                  output_names=["output"], dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
with torch.no_grad():
    y = model(x)
onnx.save_tensor(onnx.numpy_helper.from_array(x.numpy(), "input"), os.path.join(out, "resnet18-input.pb"))
onnx.save_tensor(onnx.numpy_helper.from_array(y.numpy(), "output"), os.path.join(out, "resnet18-output.pb"))
print(sum(p.numel() for p in model.parameters()), "parameters")
