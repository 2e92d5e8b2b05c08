/**
 * ONNX files read without a protobuf dependency: {@link dev.rampart.core.model.onnx.OnnxReader}
 * turns a model into an {@link dev.rampart.core.model.onnx.OnnxModel} (graph, nodes, attributes,
 * initializers as {@link dev.rampart.core.model.onnx.OnnxTensor}s) and reads ONNX's serialized test
 * tensors. Checked against every model and tensor of ONNX 1.12's own test data
 * ({@code OnnxReaderConformanceTest}). Translating a graph into a model Rampart can attack builds on it.
 */
package dev.rampart.core.model.onnx;
