package dev.rampart.defenses.certification;

/**
 * A model holds a stage that bound propagation cannot bound: a layer that is neither affine, ReLU,
 * max pooling nor a non-decreasing activation (a product of vertices, p-norm pooling, a layer
 * DL4J runs itself, an ONNX operator without a bound rule). The message names the stage.
 *
 * <pre>{@code
 * try {
 *     BoundPropagation.builder(model).build();
 * } catch (UnboundedStageException e) {
 *     System.err.println(e.getMessage());   // "cannot bound stage 3 (product) ..."
 * }
 * }</pre>
 */
public final class UnboundedStageException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final int stage;
    private final String description;

    public UnboundedStageException(int stage, String description) {
        super("cannot bound stage " + stage + " (" + description + "): bound propagation handles affine layers"
                + " (dense, convolution, batch normalization, average pooling, flatten, sums), ReLU, max pooling"
                + " and non-decreasing activations");
        this.stage = stage;
        this.description = description;
    }

    /** The index of the stage in the compiled program. */
    public int stage() {
        return stage;
    }

    /** The stage's description. */
    public String description() {
        return description;
    }
}
