package dev.rampart.core.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writing files so that a failure never leaves a truncated file where a good one was: the content
 * goes to a temporary file in the target's own folder, which is then moved over the target in one
 * step (an atomic rename where the file system has one). Several files written together (a key
 * pair) are all written before any is moved into place. {@link #checkCreatable} tells, before
 * any work starts, whether a file can be written at a path, by creating and removing a probe file
 * next to it.
 *
 * <pre>{@code
 * AtomicFiles.checkCreatable(Path.of("reports/audit.json"));        // before the work
 * AtomicFiles.writeString(Path.of("reports/audit.json"), json);     // after it
 * AtomicFiles.write(Path.of("model.zip"), tmp -> ModelSerializer.writeModel(net, tmp.toFile(), false));
 * }</pre>
 */
public final class AtomicFiles {

    /** Writes a file's whole content to the path it is given. */
    @FunctionalInterface
    public interface Content {
        /** Writes the content to {@code file} (a new, empty temporary file). */
        void writeTo(Path file) throws IOException;
    }

    private static final String PUBLIC = "rw-r--r--";
    private static final String OWNER_ONLY = "rw-------";

    private AtomicFiles() {
    }

    /** Writes {@code text} as UTF-8 to {@code target}, atomically. */
    public static void writeString(Path target, String text) throws IOException {
        write(target, tmp -> Files.writeString(tmp, text, StandardCharsets.UTF_8));
    }

    /** Writes {@code bytes} to {@code target}, atomically. */
    public static void writeBytes(Path target, byte[] bytes) throws IOException {
        write(target, tmp -> Files.write(tmp, bytes));
    }

    /**
     * One file of a set written together.
     *
     * @param target where it goes
     * @param content what it holds
     * @param ownerOnly whether it is readable by its owner only (private keys; POSIX file systems)
     */
    public record Output(Path target, Content content, boolean ownerOnly) {
    }

    /** Writes {@code content} to {@code target}, atomically, readable by everyone. */
    public static void write(Path target, Content content) throws IOException {
        writeAll(List.of(new Output(target, content, false)));
    }

    /** Writes {@code content} to {@code target}, atomically, readable by its owner only (keys). */
    public static void writePrivate(Path target, Content content) throws IOException {
        writeAll(List.of(new Output(target, content, true)));
    }

    /**
     * Writes every file of {@code files} to a temporary file first, then moves them all into place;
     * if a move fails, the files already moved are removed, so that no half of a set is left.
     *
     * @throws IllegalArgumentException if two of the files are the same file
     * @throws IOException naming the file that could not be written and why
     */
    public static void writeAll(List<Output> files) throws IOException {
        for (int i = 0; i < files.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (sameFile(files.get(i).target(), files.get(j).target())) {
                    throw new IllegalArgumentException(files.get(j).target() + " and " + files.get(i).target()
                            + " are the same file: one would overwrite the other");
                }
            }
        }
        Map<Path, Path> temps = new LinkedHashMap<>();
        try {
            for (Output e : files) {
                Path target = e.target().toAbsolutePath().normalize();
                Path dir = target.getParent();
                try {
                    Files.createDirectories(dir);
                    Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
                    temps.put(target, tmp);
                    e.content().writeTo(tmp);
                    permissions(tmp, e.ownerOnly() ? OWNER_ONLY : PUBLIC);
                } catch (IOException ex) {
                    throw new IOException("cannot write " + target + ": " + IoErrors.reason(ex), ex);
                }
            }
            List<Path> moved = new ArrayList<>();
            for (Map.Entry<Path, Path> e : temps.entrySet()) {
                try {
                    move(e.getValue(), e.getKey());
                    moved.add(e.getKey());
                } catch (IOException ex) {
                    for (Path m : moved) {
                        Files.deleteIfExists(m);
                    }
                    throw new IOException("cannot write " + e.getKey() + ": " + IoErrors.reason(ex), ex);
                }
            }
            temps.clear();
        } finally {
            for (Path tmp : temps.values()) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the temporary file was never moved into place; a leftover is harmless
                }
            }
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void permissions(Path file, String perms) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(perms));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the default permissions stay
        }
    }

    /**
     * Checks that a file can be written at {@code target}: it is not a directory, its folder exists
     * or can be created, and a file can be created in that folder (a probe file is made and
     * removed; permission checks alone say nothing for root or on special file systems).
     *
     * @throws IOException naming the path and why it cannot be written
     */
    public static void checkCreatable(Path target) throws IOException {
        if (target == null || target.toString().isBlank()) {
            throw new IOException("empty file name");
        }
        Path abs = target.toAbsolutePath().normalize();
        if (Files.isDirectory(abs)) {
            throw new IOException(target + " is a directory; give a file name");
        }
        if (abs.getFileName() == null) {
            throw new IOException(target + " names no file");
        }
        Path dir = abs.getParent();
        try {
            Files.createDirectories(dir);
        } catch (IOException | SecurityException e) {
            throw new IOException("cannot create the folder " + dir + " of " + target + ": " + IoErrors.reason(e), e);
        }
        if (Files.exists(abs) && !Files.isRegularFile(abs)) {
            throw new IOException(target + " exists and is not a regular file");
        }
        Path probe;
        try {
            probe = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".probe");
        } catch (IOException | SecurityException e) {
            throw new IOException("cannot write " + target + ": " + IoErrors.reason(e), e);
        }
        Files.deleteIfExists(probe);
    }

    /**
     * Whether two paths name the same file, following symbolic links and {@code ..}, for files that
     * exist or not yet.
     */
    public static boolean sameFile(Path a, Path b) {
        return canonical(a).equals(canonical(b));
    }

    /** The path with its existing part resolved to the real path (links followed). */
    public static Path canonical(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        Path existing = abs;
        Path rest = null;
        while (existing != null && !Files.exists(existing)) {
            rest = rest == null ? existing.getFileName() : existing.getFileName().resolve(rest);
            existing = existing.getParent();
        }
        if (existing == null) {
            return abs;
        }
        try {
            Path real = existing.toRealPath();
            return rest == null ? real : real.resolve(rest);
        } catch (IOException | SecurityException e) {
            return abs;
        }
    }
}
