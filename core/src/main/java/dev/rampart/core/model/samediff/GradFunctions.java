package dev.rampart.core.model.samediff;

import java.io.OutputStream;
import java.io.PrintStream;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Builds a SameDiff graph's gradient function without the line per op that ND4J 1.0.0-M2.1
 * prints to standard output while doing so ("Added differentiated op ..."), which would mix with
 * a program's own output (the tool's {@code key=value} lines). Standard output is muted only while
 * the function is built; output of other threads in that window is dropped too.
 *
 * <pre>{@code
 * GradFunctions.create(sd, "input");
 * INDArray g = sd.calculateGradients(placeholders, "input").get("input");
 * }</pre>
 */
public final class GradFunctions {

    private GradFunctions() {
    }

    /** {@code sd.createGradFunction(inputs)} with standard output muted. */
    public static void create(SameDiff sd, String... inputs) {
        synchronized (GradFunctions.class) {
            PrintStream out = System.out;
            System.setOut(new PrintStream(OutputStream.nullOutputStream()));
            try {
                sd.createGradFunction(inputs);
            } finally {
                System.setOut(out);
            }
        }
    }
}
