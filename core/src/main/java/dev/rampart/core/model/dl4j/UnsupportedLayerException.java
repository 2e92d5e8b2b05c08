package dev.rampart.core.model.dl4j;

/**
 * Thrown when a DL4J network contains a layer or vertex for which Rampart cannot compute exact
 * inference-mode input gradients. The message names the layer.
 */
public class UnsupportedLayerException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public UnsupportedLayerException(String message) {
        super(message);
    }
}
