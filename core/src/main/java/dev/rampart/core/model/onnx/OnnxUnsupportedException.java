package dev.rampart.core.model.onnx;

/**
 * An ONNX graph that Rampart's translator cannot turn into a differentiable model: an operator,
 * an attribute value, an opset or a dynamic shape it does not support. The message is one line
 * naming the node, its op type and the model's opset; the graph may still be run as a black box.
 *
 * <pre>{@code
 * try { OnnxClassifier.load(path, InputDomain.UNIT); }
 * catch (OnnxUnsupportedException e) { System.err.println(e.getMessage() + " (" + e.opType() + ")"); }
 * }</pre>
 */
public final class OnnxUnsupportedException extends UnsupportedOperationException {
    private static final long serialVersionUID = 1L;

    private final String node;
    private final String opType;
    private final long opset;

    /**
     * @param source the file
     * @param node the node's description ({@link OnnxNode#describe()}), or "graph" for the whole graph
     * @param opType the node's op type, or empty
     * @param opset the model's default-domain opset
     * @param reason what is not supported
     */
    public OnnxUnsupportedException(String source, String node, String opType, long opset, String reason) {
        super(source + ": " + node + " at opset " + opset + ": " + reason);
        this.node = node;
        this.opType = opType;
        this.opset = opset;
    }

    /** The node that is not supported, as {@link OnnxNode#describe()} gives it. */
    public String node() {
        return node;
    }

    /** The op type of that node, or empty when the problem is the graph's. */
    public String opType() {
        return opType;
    }

    /** The model's opset for the default domain. */
    public long opset() {
        return opset;
    }
}
