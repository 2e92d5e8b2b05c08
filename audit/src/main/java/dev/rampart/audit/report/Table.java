package dev.rampart.audit.report;

import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text table for console reports: left-aligned first column, right-aligned others.
 *
 * <pre>{@code
 * Table t = new Table("attack", "epsilon", "accuracy");
 * t.row("PGD-20", "0.1", "12.4%");
 * System.out.print(t);
 * }</pre>
 */
public final class Table {

    private final List<String[]> rows = new ArrayList<>();
    private final int columns;

    public Table(String... header) {
        this.columns = header.length;
        rows.add(header);
    }

    /** Adds a row of exactly as many cells as the header. */
    public Table row(String... cells) {
        if (cells.length != columns) {
            throw new IllegalArgumentException("row has " + cells.length + " cells, table has " + columns + " columns");
        }
        rows.add(cells);
        return this;
    }

    @Override
    public String toString() {
        int[] width = new int[columns];
        for (String[] r : rows) {
            for (int c = 0; c < columns; c++) {
                width[c] = Math.max(width[c], r[c].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < rows.size(); i++) {
            String[] r = rows.get(i);
            for (int c = 0; c < columns; c++) {
                String fmt = c == 0 ? "%-" + width[c] + "s" : "  %" + width[c] + "s";
                sb.append(String.format(fmt, r[c]));
            }
            sb.append('\n');
            if (i == 0) {
                int total = 0;
                for (int w : width) {
                    total += w + 2;
                }
                sb.append("-".repeat(total - 2)).append('\n');
            }
        }
        return sb.toString();
    }
}
