package dev.rampart.core.report;

import java.io.PrintStream;

/**
 * A one-line text progress bar for long runs, redrawn in place on a terminal stream.
 *
 * <pre>{@code
 * Progress p = new Progress(System.err, totalWork);
 * p.advance(done, "PGD-20 eps=0.1");
 * p.finish();
 * }</pre>
 */
public final class Progress {

    private static final int WIDTH = 30;
    private final PrintStream out;
    private final long total;
    private final long start = System.nanoTime();
    private long done;

    /**
     * @param out where to draw, or {@code null} to stay silent
     * @param total units of work of the whole run
     */
    public Progress(PrintStream out, long total) {
        this.out = out;
        this.total = Math.max(1, total);
    }

    /** Marks {@code units} more as done and redraws with {@code label}. */
    public void advance(long units, String label) {
        done = Math.min(total, done + units);
        if (out == null) {
            return;
        }
        int filled = (int) (WIDTH * done / total);
        double seconds = (System.nanoTime() - start) / 1e9;
        out.printf("\r[%s%s] %3d%% %5.1fs %-40s", "#".repeat(filled), " ".repeat(WIDTH - filled),
                100 * done / total, seconds, label);
        out.flush();
    }

    /** Ends the line. */
    public void finish() {
        if (out != null) {
            out.print('\r' + " ".repeat(WIDTH + 60) + '\r');
            out.flush();
        }
    }
}
