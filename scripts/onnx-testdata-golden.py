#!/usr/bin/python3
"""Writes the reference figures that OnnxReaderConformanceTest compares Rampart's ONNX reader with,
computed by ONNX's own Python reader over Debian's libonnx-testdata (ONNX 1.12's test data).

Usage: /usr/bin/python3 scripts/onnx-testdata-golden.py | gzip -9 > core/src/test/resources/onnx/testdata-golden.tsv.gz
(needs Debian's python3-onnx and libonnx-testdata)

One line per model: M <path> <ir_version> <default opset> <nodes> <initializers> <data inputs> <op types>
One line per tensor file of a model whose inputs and outputs are tensors:
T <path> <element type code> <dims> <count> <sum> <sum of |x|> <first value>
"""
import glob
import math
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper

ROOT = "/usr/share/libonnx-testdata/data"


def fmt(x):
    return repr(float(x)) if math.isfinite(float(x)) else str(float(x))


out = sys.stdout
for model_path in sorted(glob.glob(ROOT + "/*/*/model.onnx")):
    rel = os.path.relpath(model_path, ROOT)
    m = onnx.load(model_path)
    opset = next((o.version for o in m.opset_import if o.domain in ("", "ai.onnx")), 1)
    inits = {t.name for t in m.graph.initializer}
    data_inputs = [i.name for i in m.graph.input if i.name not in inits]
    ops = []
    for n in m.graph.node:
        if n.op_type not in ops:
            ops.append(n.op_type)
    out.write("M\t%s\t%d\t%d\t%d\t%d\t%s\t%s\n" % (rel, m.ir_version, opset, len(m.graph.node), len(inits),
                                                 ",".join(data_inputs) or "-", ",".join(ops) or "-"))
    values = list(m.graph.input) + list(m.graph.output)
    if not all(v.type.HasField("tensor_type") for v in values):
        continue
    for pb in sorted(glob.glob(os.path.dirname(model_path) + "/test_data_set_*/*.pb")):
        t = onnx.TensorProto()
        with open(pb, "rb") as f:
            t.ParseFromString(f.read())
        prel = os.path.relpath(pb, ROOT)
        dims = ",".join(str(d) for d in t.dims) or "-"
        if t.data_type in (onnx.TensorProto.STRING, onnx.TensorProto.COMPLEX64, onnx.TensorProto.COMPLEX128):
            out.write("T\t%s\t%d\t%s\t-\t-\t-\t-\n" % (prel, t.data_type, dims))
            continue
        a = numpy_helper.to_array(t).astype(np.float64).ravel()
        first = fmt(a[0]) if a.size else "-"
        finite = a[np.isfinite(a)]
        out.write("T\t%s\t%d\t%s\t%d\t%s\t%s\t%s\n" % (prel, t.data_type, dims, a.size, fmt(finite.sum()),
                                                     fmt(np.abs(finite).sum()), first))
