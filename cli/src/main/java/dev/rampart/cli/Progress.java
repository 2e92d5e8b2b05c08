package dev.rampart.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress of a long run in units of work: on a terminal, one bar redrawn in place with the
 * elapsed time and an estimate of the time left; elsewhere (a CI log, a pipe), one plain line per
 * step, so logs stay readable.
 *
 * <pre>{@code
 * Progress p = new Progress(System.err, total, System.console() != null);
 * p.start("standard: PGD-20 at 0.1");
 * p.done(1);
 * p.finish();
 * }</pre>
 */
public final class Progress implements dev.rampart.audit.AuditListener {

    private static final int WIDTH = 30;
    private final PrintStream out;
    private final long total;
    private final boolean terminal;
    private final long start = System.nanoTime();
    private long done;

    /**
     * @param out where to write, or {@code null} to stay silent
     * @param total units of work of the whole run
     * @param terminal redraw one line in place (a terminal) or write a line per step
     */
    public Progress(PrintStream out, long total, boolean terminal) {
        this.out = out;
        this.total = Math.max(1, total);
        this.terminal = terminal;
    }

    /** Announces the step {@code label} that starts now. */
    @Override
    public void start(String label) {
        if (out == null) {
            return;
        }
        if (terminal) {
            draw(label);
        } else {
            out.printf(Locale.ROOT, "[%d/%d] %s (%s elapsed%s)%n", done + 1, total, label, time(elapsed()), eta());
        }
        out.flush();
    }

    /** Marks {@code units} more as done. */
    @Override
    public void done(long units) {
        done = Math.min(total, done + units);
        if (out != null && terminal) {
            draw("");
        }
    }

    /** Ends the bar. */
    @Override
    public void finish() {
        if (out != null && terminal) {
            out.print('\r' + " ".repeat(WIDTH + 90) + '\r');
            out.flush();
        }
    }

    private void draw(String label) {
        int filled = (int) (WIDTH * done / total);
        String text = label.length() > 50 ? label.substring(0, 47) + "..." : label;
        out.printf(Locale.ROOT, "\r[%s%s] %3d%% %s%s  %-50s", "#".repeat(filled), " ".repeat(WIDTH - filled),
                100 * done / total, time(elapsed()), eta(), text);
        out.flush();
    }

    private double elapsed() {
        return (System.nanoTime() - start) / 1e9;
    }

    private String eta() {
        if (done == 0) {
            return "";
        }
        return ", about " + time(elapsed() / done * (total - done)) + " left";
    }

    static String time(double seconds) {
        long s = Math.round(seconds);
        return s < 60 ? s + " s" : s < 3600 ? (s / 60) + " min " + (s % 60) + " s" : (s / 3600) + " h " + (s % 3600) / 60
                + " min";
    }
}
