#!/usr/bin/env python3
"""Writes the small Keras model files Rampart's tool is tested on, with their expected outputs.

Needs only Debian's python3-h5py and python3-numpy (no Keras): the files are written in the
Keras 2 HDF5 layout (model_config JSON attribute, model_weights group), and the expected outputs
are computed here with numpy, independently of DL4J's importer. Run from the repository root:

    /usr/bin/python3 scripts/make-model-fixtures.py benchmarks/src/test/resources/models

Files: keras-sequential-mlp.h5 (Sequential: Dense 16 relu, Dense 3 softmax on 12 features),
keras-functional-cnn.h5 (functional: Conv2D 4 3x3 relu on 8x8x1 channels-last, Flatten, Dense 3
softmax), and expected.json (inputs and softmax outputs of each).
"""
import json, os, sys
import h5py
import numpy as np

out = sys.argv[1] if len(sys.argv) > 1 else "."
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(20261201)


def dense_cfg(name, units, act):
    return {"class_name": "Dense", "config": {"name": name, "trainable": True, "dtype": "float32", "units": units,
            "activation": act, "use_bias": True,
            "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
            "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": None,
            "bias_regularizer": None, "activity_regularizer": None, "kernel_constraint": None,
            "bias_constraint": None}}


def write(path, config, weights):
    """weights: list of (layer_name, [(weight_name, array)])"""
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = "2.4.0"
        f.attrs["backend"] = "tensorflow"
        f.attrs["model_config"] = json.dumps(config)
        g = f.create_group("model_weights")
        g.attrs["keras_version"] = "2.4.0"
        g.attrs["backend"] = "tensorflow"
        g.attrs["layer_names"] = np.array([n.encode() for n, _ in weights])
        for name, ws in weights:
            lg = g.create_group(name)
            lg.attrs["weight_names"] = np.array([(name + "/" + wn).encode() for wn, _ in ws])
            for wn, arr in ws:
                lg.create_dataset(name + "/" + wn, data=arr.astype(np.float32))


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


expected = {}

# Sequential MLP on 12 features
w1 = rng.normal(0, 0.5, (12, 16)).astype(np.float32); b1 = rng.normal(0, 0.1, 16).astype(np.float32)
w2 = rng.normal(0, 0.5, (16, 3)).astype(np.float32); b2 = rng.normal(0, 0.1, 3).astype(np.float32)
seq = {"class_name": "Sequential", "config": {"name": "sequential", "layers": [
    {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 12], "dtype": "float32", "sparse": False,
                                            "ragged": False, "name": "input_1"}},
    dense_cfg("dense", 16, "relu"), dense_cfg("dense_1", 3, "softmax")]}}
write(os.path.join(out, "keras-sequential-mlp.h5"), seq,
      [("dense", [("kernel:0", w1), ("bias:0", b1)]), ("dense_1", [("kernel:0", w2), ("bias:0", b2)])])
x = rng.random((4, 12)).astype(np.float32)
p = softmax(np.maximum(x @ w1 + b1, 0) @ w2 + b2)
expected["keras-sequential-mlp.h5"] = {"inputShape": [12], "inputs": x.tolist(), "probabilities": p.tolist()}

# functional CNN on 8x8x1, channels last
k = rng.normal(0, 0.5, (3, 3, 1, 4)).astype(np.float32); kb = rng.normal(0, 0.1, 4).astype(np.float32)
w = rng.normal(0, 0.3, (6 * 6 * 4, 3)).astype(np.float32); wb = rng.normal(0, 0.1, 3).astype(np.float32)
conv = {"class_name": "Conv2D", "config": {"name": "conv2d", "trainable": True, "dtype": "float32", "filters": 4,
        "kernel_size": [3, 3], "strides": [1, 1], "padding": "valid", "data_format": "channels_last",
        "dilation_rate": [1, 1], "groups": 1, "activation": "relu", "use_bias": True,
        "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
        "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": None,
        "bias_regularizer": None, "activity_regularizer": None, "kernel_constraint": None, "bias_constraint": None},
        "name": "conv2d", "inbound_nodes": [[["input_2", 0, 0, {}]]]}
flat = {"class_name": "Flatten", "config": {"name": "flatten", "trainable": True, "dtype": "float32",
        "data_format": "channels_last"}, "name": "flatten", "inbound_nodes": [[["conv2d", 0, 0, {}]]]}
dense = dense_cfg("dense_2", 3, "softmax"); dense["name"] = "dense_2"; dense["inbound_nodes"] = [[["flatten", 0, 0, {}]]]
inp = {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 8, 8, 1], "dtype": "float32",
       "sparse": False, "ragged": False, "name": "input_2"}, "name": "input_2", "inbound_nodes": []}
fun = {"class_name": "Functional", "config": {"name": "model", "layers": [inp, conv, flat, dense],
       "input_layers": [["input_2", 0, 0]], "output_layers": [["dense_2", 0, 0]]}}
write(os.path.join(out, "keras-functional-cnn.h5"), fun,
      [("input_2", []), ("conv2d", [("kernel:0", k), ("bias:0", kb)]), ("flatten", []),
       ("dense_2", [("kernel:0", w), ("bias:0", wb)])])
xi = rng.random((3, 8, 8, 1)).astype(np.float32)   # channels last: [n, h, w, c]
h = np.zeros((3, 6, 6, 4), np.float32)
for i in range(6):
    for j in range(6):
        patch = xi[:, i:i + 3, j:j + 3, :]            # [n, 3, 3, 1]
        h[:, i, j, :] = np.tensordot(patch, k, axes=([1, 2, 3], [0, 1, 2])) + kb
h = np.maximum(h, 0)
p = softmax(h.reshape(3, -1) @ w + wb)             # Keras flattens channels last in h, w, c order
expected["keras-functional-cnn.h5"] = {"inputShape": [8, 8, 1], "channelsLast": True, "inputs": xi.tolist(),
                                       "probabilities": p.tolist()}

with open(os.path.join(out, "expected.json"), "w") as f:
    json.dump(expected, f, indent=1)
print("wrote", sorted(os.listdir(out)))
