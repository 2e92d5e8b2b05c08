/**
 * The compiled inference path every white-box model adapter shares: a DAG of {@link
 * dev.rampart.core.model.program.Stage}s built on libnd4j's ops, run in inference mode, that
 * back-propagates to the input alone. DL4J networks ({@code model.dl4j}) and ONNX graphs
 * ({@code model.onnx}) are both translated into an {@link
 * dev.rampart.core.model.program.InferenceProgram}.
 */
package dev.rampart.core.model.program;
