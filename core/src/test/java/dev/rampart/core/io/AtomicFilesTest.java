package dev.rampart.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir
    Path dir;

    @Test
    void aWriteThatFailsHalfwayLeavesTheOldFileWhole() throws IOException {
        Path report = dir.resolve("report.json");
        AtomicFiles.writeString(report, "{\"good\": true}\n");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(report, tmp -> {
            Files.writeString(tmp, "{\"trunc");
            throw new IOException("disk full");
        }));
        assertTrue(e.getMessage().contains("cannot write " + report) && e.getMessage().contains("disk full"),
                e.getMessage());
        assertEquals("{\"good\": true}\n", Files.readString(report), "the good file is untouched");
        try (var files = Files.list(dir)) {
            assertEquals(List.of(report), files.toList(), "no temporary file left behind");
        }
    }

    @Test
    void aSetIsWrittenWholeAndTwoNamesOfOneFileAreRefused() throws IOException {
        Path a = dir.resolve("a.key");
        Path b = dir.resolve("b.pub");
        AtomicFiles.writeAll(List.of(new AtomicFiles.Output(a, tmp -> Files.writeString(tmp, "A"), true),
                new AtomicFiles.Output(b, tmp -> Files.writeString(tmp, "B"), false)));
        assertEquals("A", Files.readString(a));
        assertEquals("B", Files.readString(b));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(a)));
        assertThrows(IOException.class, () -> AtomicFiles.writeAll(List.of(
                new AtomicFiles.Output(dir.resolve("c"), tmp -> Files.writeString(tmp, "C"), false),
                new AtomicFiles.Output(dir.resolve("d"), tmp -> {
                    throw new IOException("second fails");
                }, false))));
        assertFalse(Files.exists(dir.resolve("c")), "the first of a failed set is not left alone");
        IllegalArgumentException same = assertThrows(IllegalArgumentException.class, () -> AtomicFiles.writeAll(List.of(
                new AtomicFiles.Output(a, tmp -> Files.writeString(tmp, "x"), true),
                new AtomicFiles.Output(dir.resolve("sub/../a.key"), tmp -> Files.writeString(tmp, "y"), false))));
        assertTrue(same.getMessage().contains("are the same file"), same.getMessage());
        assertEquals("A", Files.readString(a));
    }

    @Test
    void creatableChecksNameThePathAndTheReason() throws IOException {
        AtomicFiles.checkCreatable(dir.resolve("new/sub/file.json"));
        IOException isDir = assertThrows(IOException.class, () -> AtomicFiles.checkCreatable(dir));
        assertTrue(isDir.getMessage().contains("is a directory"), isDir.getMessage());
        Path file = dir.resolve("plain");
        Files.writeString(file, "x");
        IOException underFile = assertThrows(IOException.class, () -> AtomicFiles.checkCreatable(file.resolve("x.json")));
        assertTrue(underFile.getMessage().contains("cannot create the folder"), underFile.getMessage());
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count(), "the probe is removed");
        }
    }

    @Test
    void sameFileFollowsLinksAndDots() throws IOException {
        Path real = dir.resolve("real");
        Files.createDirectories(real);
        Path link = Files.createSymbolicLink(dir.resolve("link"), real);
        assertTrue(AtomicFiles.sameFile(real.resolve("r.json"), link.resolve("r.json")));
        assertTrue(AtomicFiles.sameFile(dir.resolve("a/../b"), dir.resolve("b")));
        assertFalse(AtomicFiles.sameFile(dir.resolve("a"), dir.resolve("b")));
    }

    @Test
    void fileSystemErrorsAreWords() {
        assertEquals("permission denied", IoErrors.reason(new java.nio.file.AccessDeniedException("/x")));
        assertEquals("no such file or directory", IoErrors.reason(new NoSuchFileException("/x")));
        assertTrue(IoErrors.reason(new java.io.EOFException()).startsWith("unexpected end of file"));
        assertFalse(IoErrors.reason(new IllegalStateException()).contains("null"));
        assertArrayEquals(new byte[0], new byte[0]);
    }
}
