package dev.rampart.core.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Reading whole data files with their integrity checked: a file that is missing, a directory or
 * unreadable is named with what is wrong, and a gzip file is decompressed to its very end, so that
 * its CRC-32 and length trailer are verified (a flipped byte anywhere fails, it never yields
 * different data). Readers then check the decompressed length against what their header claims
 * before they allocate anything of that size.
 *
 * <pre>{@code
 * byte[] bytes = DataFiles.readAll(Path.of("t10k-images-idx3-ubyte.gz"), DataFiles.MAX_BYTES);
 * }</pre>
 */
public final class DataFiles {

    /** The largest (decompressed) data file read into memory: just under 2 GiB. */
    public static final long MAX_BYTES = Integer.MAX_VALUE - 64;

    private DataFiles() {
    }

    /**
     * The file's content, decompressed and verified if it is gzip (detected by its magic bytes,
     * whatever its name).
     *
     * @param maxBytes refuse content longer than this (after decompression)
     * @throws DatasetFormatException naming the file: missing, a directory, unreadable, a corrupt or
     *     truncated gzip stream (bad CRC, bad length, cut short), or longer than {@code maxBytes}
     */
    public static byte[] readAll(Path file, long maxBytes) throws IOException {
        checkReadable(file);
        long size = Files.size(file);
        byte[] head = new byte[2];
        try (InputStream in = Files.newInputStream(file)) {
            if (in.readNBytes(head, 0, 2) == 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
                return gunzip(file, maxBytes);
            }
        }
        if (size > maxBytes) {
            throw new DatasetFormatException(file, "file is " + size + " bytes, more than the " + maxBytes
                    + " this reader accepts");
        }
        return Files.readAllBytes(file);
    }

    /** Whether the file starts with the gzip magic bytes. */
    public static boolean isGzip(Path file) throws IOException {
        checkReadable(file);
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }

    /**
     * @throws DatasetFormatException if {@code file} is missing, a directory or unreadable
     */
    public static void checkReadable(Path file) throws DatasetFormatException {
        if (file == null) {
            throw new IllegalArgumentException("file must not be null");
        }
        if (Files.isDirectory(file)) {
            throw new DatasetFormatException(file, "is a directory, not a data file");
        }
        if (!Files.exists(file)) {
            throw new DatasetFormatException(file, "no such file");
        }
        if (!Files.isReadable(file)) {
            throw new DatasetFormatException(file, "not readable (permission denied)");
        }
    }

    /**
     * Decompresses every gzip member of the file (RFC 1952) and checks each member's CRC-32 and
     * length trailer; bytes after the last member that do not start another member are refused.
     */
    private static byte[] gunzip(Path file, long maxBytes) throws IOException {
        byte[] in;
        try {
            in = Files.readAllBytes(file);
        } catch (OutOfMemoryError e) {
            throw new DatasetFormatException(file, "too large to read into memory");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(maxBytes, Math.max(1 << 16, 4L * in.length)));
        byte[] buf = new byte[1 << 16];
        int pos = 0;
        int member = 0;
        Inflater inflater = new Inflater(true);
        try {
            while (pos < in.length) {
                if (member > 0 && (in.length - pos < 2 || (in[pos] & 0xff) != 0x1f || (in[pos + 1] & 0xff) != 0x8b)) {
                    throw new DatasetFormatException(file, (in.length - pos) + " unexpected bytes after the end of"
                            + " the gzip stream (at offset " + pos + ")");
                }
                pos = skipHeader(file, in, pos);
                inflater.reset();
                inflater.setInput(in, pos, in.length - pos);
                CRC32 crc = new CRC32();
                long memberBytes = 0;
                while (!inflater.finished()) {
                    int r;
                    try {
                        r = inflater.inflate(buf);
                    } catch (DataFormatException e) {
                        throw new DatasetFormatException(file, "corrupt gzip stream (" + e.getMessage() + ")");
                    }
                    if (r == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                        throw new DatasetFormatException(file, "truncated gzip stream (the file ends inside the"
                                + " compressed data)");
                    }
                    crc.update(buf, 0, r);
                    memberBytes += r;
                    if ((long) out.size() + r > maxBytes) {
                        throw new DatasetFormatException(file, "decompresses to more than " + maxBytes
                                + " bytes, more than this reader accepts");
                    }
                    out.write(buf, 0, r);
                }
                pos = in.length - inflater.getRemaining();
                if (in.length - pos < 8) {
                    throw new DatasetFormatException(file, "truncated gzip stream (the file ends before its"
                            + " CRC-32 and length trailer)");
                }
                long storedCrc = le32(in, pos);
                long storedSize = le32(in, pos + 4);
                pos += 8;
                if (storedCrc != crc.getValue()) {
                    throw new DatasetFormatException(file, String.format(java.util.Locale.ROOT,
                            "corrupt gzip stream: CRC-32 of the data is %08x, the trailer says %08x",
                            crc.getValue(), storedCrc));
                }
                if (storedSize != (memberBytes & 0xffffffffL)) {
                    throw new DatasetFormatException(file, "corrupt gzip stream: " + memberBytes
                            + " bytes decompressed, the trailer says " + storedSize);
                }
                member++;
            }
        } finally {
            inflater.end();
        }
        if (member == 0) {
            throw new DatasetFormatException(file, "empty gzip stream");
        }
        return out.toByteArray();
    }

    /** Position of the compressed data after the member header at {@code pos}. */
    private static int skipHeader(Path file, byte[] in, int pos) throws DatasetFormatException {
        if (in.length - pos < 10) {
            throw new DatasetFormatException(file, "truncated gzip header");
        }
        if ((in[pos + 2] & 0xff) != 8) {
            throw new DatasetFormatException(file, "unsupported gzip compression method " + (in[pos + 2] & 0xff));
        }
        int flags = in[pos + 3] & 0xff;
        if ((flags & 0xe0) != 0) {
            throw new DatasetFormatException(file, "corrupt gzip header (reserved flag bits set)");
        }
        int p = pos + 10;
        if ((flags & 4) != 0) { // FEXTRA
            if (in.length - p < 2) {
                throw new DatasetFormatException(file, "truncated gzip header");
            }
            p += 2 + ((in[p] & 0xff) | (in[p + 1] & 0xff) << 8);
        }
        for (int bit : new int[] {8, 16}) { // FNAME, FCOMMENT: zero-terminated
            if ((flags & bit) != 0) {
                while (p < in.length && in[p] != 0) {
                    p++;
                }
                p++;
            }
        }
        if ((flags & 2) != 0) { // FHCRC
            p += 2;
        }
        if (p > in.length) {
            throw new DatasetFormatException(file, "truncated gzip header");
        }
        return p;
    }

    private static long le32(byte[] b, int p) {
        return (b[p] & 0xffL) | (b[p + 1] & 0xffL) << 8 | (b[p + 2] & 0xffL) << 16 | (b[p + 3] & 0xffL) << 24;
    }
}
