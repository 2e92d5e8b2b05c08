package dev.rampart.cli;

import dev.rampart.audit.source.ModelSource;
import dev.rampart.core.io.AtomicFiles;
import dev.rampart.core.io.IoErrors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The files one command writes and reads, checked before any work: two outputs that are the same
 * file (after links and {@code ..} are resolved), an output that is one of the command's inputs,
 * and an output that cannot be created are each one problem line. Outputs are then written
 * atomically ({@link AtomicFiles}), so that a failure never leaves a truncated file.
 *
 * <pre>{@code
 * OutputFiles files = new OutputFiles().output("--out", json).output("--html", html).input("--models", model);
 * files.check(problems);
 * }</pre>
 */
final class OutputFiles {

    private record Entry(String option, Path path) {
    }

    /** The names of the files a data directory is read from: IDX images and labels, CIFAR-10 batches. */
    private static final java.util.regex.Pattern DATA_FILE = java.util.regex.Pattern.compile(
            "(train|t10k)-(images-idx3|labels-idx1)-ubyte(\\.gz)?|data_batch_\\d+\\.bin|test_batch\\.bin");

    private final List<Entry> outputs = new ArrayList<>();
    private final List<Entry> inputs = new ArrayList<>();

    /** An output of the command (ignored if {@code path} is null). */
    OutputFiles output(String option, Path path) {
        if (path != null) {
            outputs.add(new Entry(option, path));
        }
        return this;
    }

    /** An input of the command that no output may overwrite (ignored if {@code path} is null). */
    OutputFiles input(String option, Path path) {
        if (path != null) {
            inputs.add(new Entry(option, path));
        }
        return this;
    }

    /**
     * A model the command reads, given as {@code option}: a bundled name, or a file no output may
     * overwrite; a file that cannot be read is one line in {@code problems}.
     */
    OutputFiles model(String option, String model, List<String> problems) {
        try {
            ModelSource.check(model);
            if (!ModelSource.bundled(model)) {
                input(option, Path.of(model));
            }
        } catch (IOException e) {
            problems.add(option + " " + e.getMessage());
        }
        return this;
    }

    /** {@link #check}, then a {@link UsageException} with every problem if there is any. */
    void checkAll(List<String> problems) {
        check(problems);
        if (!problems.isEmpty()) {
            throw new UsageException(problems);
        }
    }

    /** Adds one line to {@code problems} per clash or output that cannot be created. */
    void check(List<String> problems) {
        // a folder that cannot be written is said once, not once more for every output in it
        List<Path> unwritable = new ArrayList<>();
        for (int i = 0; i < outputs.size(); i++) {
            Entry o = outputs.get(i);
            Path folder = o.path().toAbsolutePath().normalize().getParent();
            if (folder != null && unwritable.stream().anyMatch(folder::startsWith)) {
                continue;
            }
            boolean clash = false;
            for (int j = 0; j < i && !clash; j++) {
                Entry earlier = outputs.get(j);
                if (AtomicFiles.sameFile(o.path(), earlier.path())) {
                    problems.add(o.option() + " " + o.path() + " and " + earlier.option() + " " + earlier.path()
                            + " are the same file: one output would overwrite the other");
                    clash = true;
                }
            }
            for (Entry in : inputs) {
                if (!clash && AtomicFiles.sameFile(o.path(), in.path())) {
                    problems.add(o.option() + " " + o.path() + " is the " + in.option() + " input " + in.path()
                            + ": writing it would destroy the input");
                    clash = true;
                } else if (!clash && insideDirectory(o.path(), in.path())) {
                    // a data directory's files (an IDX pair, a CIFAR-10 batch) are inputs too
                    problems.add(o.option() + " " + o.path() + " is a file of the " + in.option() + " directory "
                            + in.path() + ": writing it would destroy the input");
                    clash = true;
                }
            }
            if (!clash) {
                try {
                    AtomicFiles.checkCreatable(o.path());
                } catch (IOException e) {
                    problems.add(o.option() + " " + IoErrors.reason(e));
                    if (folder != null) {
                        unwritable.add(folder);
                    }
                }
            }
        }
    }

    /**
     * Whether {@code output} is one of the files a data directory {@code input} is read from (an IDX
     * image or label file, a CIFAR-10 batch), already there.
     */
    private static boolean insideDirectory(Path output, Path input) {
        Path parent = output.toAbsolutePath().normalize().getParent();
        return Files.isDirectory(input) && Files.isRegularFile(output) && parent != null
                && DATA_FILE.matcher(output.getFileName().toString()).matches() && AtomicFiles.sameFile(parent, input);
    }

}
