package dev.rampart.core.io;

import java.io.EOFException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.ReadOnlyFileSystemException;

/**
 * Words for what went wrong with a file: the JDK's file-system exceptions carry only the path as
 * their message ({@code /proc/x.json}), and some exceptions carry none ({@code null}); this says
 * what failed and why, for messages a user can act on.
 *
 * <pre>{@code
 * catch (IOException e) { throw new IOException("cannot write " + file + ": " + IoErrors.reason(e), e); }
 * }</pre>
 */
public final class IoErrors {

    private IoErrors() {
    }

    /**
     * Why {@code t} happened, in words, without the path when the path is all its message says:
     * such as "permission denied", "no such file or directory", "read-only file system".
     */
    public static String reason(Throwable t) {
        if (t == null) {
            return "unknown error";
        }
        if (t instanceof FileSystemException fs) {
            String kind = kind(fs);
            String r = fs.getReason();
            if (r != null && !r.isBlank() && (kind == null || !r.equalsIgnoreCase(kind))) {
                return kind == null ? r : kind + " (" + r + ")";
            }
            return kind != null ? kind : "file system error on " + fs.getFile();
        }
        if (t instanceof ReadOnlyFileSystemException) {
            return "read-only file system";
        }
        if (t instanceof EOFException) {
            return "unexpected end of file" + (t.getMessage() == null ? "" : " (" + t.getMessage() + ")");
        }
        String m = t.getMessage();
        if (m == null || m.isBlank() || m.equals("null")) {
            String name = t.getClass().getSimpleName().replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(java.util.Locale.ROOT);
            return t.getCause() != null && t.getCause() != t ? name + ": " + reason(t.getCause()) : name;
        }
        return m;
    }

    private static String kind(FileSystemException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "already exists";
        }
        if (e instanceof NotDirectoryException) {
            return "not a directory";
        }
        if (e instanceof DirectoryNotEmptyException) {
            return "directory not empty";
        }
        return null;
    }
}
