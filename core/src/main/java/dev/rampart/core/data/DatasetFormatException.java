package dev.rampart.core.data;

import java.io.IOException;
import java.nio.file.Path;

/** A dataset file is missing, truncated or not in the expected format; the message names the file. */
public class DatasetFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public DatasetFormatException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public DatasetFormatException(String source, String problem) {
        super(source + ": " + problem);
    }
}
