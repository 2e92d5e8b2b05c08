package dev.rampart.core.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads tabular data from a CSV file: numeric feature columns and one integer class column.
 * Features become a {@code [n, columns]} float array, kept as they are (no scaling).
 *
 * <pre>{@code
 * LabeledData iris = new CsvReader(',', true, 4).read(Path.of("iris.csv"), 3);
 * }</pre>
 *
 * @param separator the column separator
 * @param header whether the first line is a header to skip
 * @param labelColumn zero-based index of the class column; negative counts from the end
 */
public record CsvReader(char separator, boolean header, int labelColumn) {

    /**
     * Reads the file.
     *
     * @param numClasses number of classes; every label must be in {@code [0, numClasses)}
     * @throws DatasetFormatException naming the file, the line and the column of the first bad value
     */
    public LabeledData read(Path file, int numClasses) throws IOException {
        DataFiles.checkReadable(file);
        List<float[]> rows = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        int width = -1;
        int lineNo = 0;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if ((header && lineNo == 1) || line.isBlank()) {
                    continue;
                }
                String[] cells = line.split(java.util.regex.Pattern.quote(String.valueOf(separator)), -1);
                if (width < 0) {
                    width = cells.length;
                    if (width < 2) {
                        throw new DatasetFormatException(file, "line " + lineNo + " has " + width
                                + " column; need features and a label");
                    }
                } else if (cells.length != width) {
                    throw new DatasetFormatException(file, "line " + lineNo + " has " + cells.length
                            + " columns, expected " + width);
                }
                int lc = labelColumn < 0 ? width + labelColumn : labelColumn;
                if (lc < 0 || lc >= width) {
                    throw new IllegalArgumentException("labelColumn " + labelColumn + " is outside the " + width
                            + " columns of " + file);
                }
                float[] row = new float[width - 1];
                int k = 0;
                for (int c = 0; c < width; c++) {
                    String cell = cells[c].trim();
                    if (c == lc) {
                        labels.add(parseLabel(cell, numClasses, file, lineNo, c));
                    } else {
                        row[k++] = parseValue(cell, file, lineNo, c);
                    }
                }
                rows.add(row);
            }
        } catch (NoSuchFileException e) {
            throw new DatasetFormatException(file, "no such file");
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new DatasetFormatException(file, "not UTF-8 text (after line " + lineNo + ")");
        }
        if (rows.isEmpty()) {
            throw new DatasetFormatException(file, "no data rows");
        }
        float[][] matrix = rows.toArray(new float[0][]);
        return new LabeledData("csv:" + file, Nd4j.create(matrix), labels.stream().mapToInt(Integer::intValue).toArray(),
                numClasses);
    }

    private static float parseValue(String cell, Path file, int line, int col) throws DatasetFormatException {
        try {
            float v = Float.parseFloat(cell);
            if (!Float.isFinite(v)) {
                throw new DatasetFormatException(file, "line " + line + ", column " + (col + 1)
                        + ": value '" + cell + "' is not finite");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new DatasetFormatException(file, "line " + line + ", column " + (col + 1) + ": '" + cell
                    + "' is not a number");
        }
    }

    private static int parseLabel(String cell, int numClasses, Path file, int line, int col)
            throws DatasetFormatException {
        try {
            int v = Integer.parseInt(cell);
            if (v < 0 || v >= numClasses) {
                throw new DatasetFormatException(file, "line " + line + ", column " + (col + 1) + ": label " + v
                        + " is not in [0, " + numClasses + ")");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new DatasetFormatException(file, "line " + line + ", column " + (col + 1) + ": label '" + cell
                    + "' is not an integer");
        }
    }
}
