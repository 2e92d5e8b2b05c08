package dev.rampart.audit;

/**
 * A model that could not be loaded where it was shipped to (another JVM, an executor): its bytes
 * are not a model of a kind Rampart reads. The message names the model and its digest.
 *
 * <pre>{@code
 * catch (ModelLoadException e) { System.err.println(e.model() + ": " + e.getMessage()); }
 * }</pre>
 */
public final class ModelLoadException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;
    private final String model;

    /**
     * @param model the model's name
     * @param reason why it could not be loaded
     * @param cause the underlying error
     */
    public ModelLoadException(String model, String reason, Throwable cause) {
        super("model '" + model + "' " + reason, cause);
        this.model = model;
    }

    /** The model's name. */
    public String model() {
        return model;
    }
}
