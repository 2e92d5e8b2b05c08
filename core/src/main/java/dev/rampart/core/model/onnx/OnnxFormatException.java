package dev.rampart.core.model.onnx;

import java.io.IOException;

/**
 * An ONNX file is truncated, not an ONNX file, or holds something Rampart does not read; the
 * message names the file (or tensor) and what is wrong.
 *
 * <pre>{@code
 * try { OnnxReader.read(path); } catch (OnnxFormatException e) { System.err.println(e.getMessage()); }
 * }</pre>
 */
public class OnnxFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /** @param source the file or tensor, @param problem what is wrong with it */
    public OnnxFormatException(String source, String problem) {
        super(source + ": " + problem);
    }
}
