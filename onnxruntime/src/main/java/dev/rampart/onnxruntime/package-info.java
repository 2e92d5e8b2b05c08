/**
 * ONNX models run by ONNX Runtime as black boxes ({@link dev.rampart.onnxruntime.OnnxRuntimeModel}):
 * query-only attacks on any graph ONNX Runtime runs, and the reference for the translator's outputs.
 */
package dev.rampart.onnxruntime;
