package dev.rampart.defenses.integrity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.Rows;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.Labels;
import dev.rampart.core.model.zoo.ReferenceModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import javax.crypto.SecretKey;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

class IntegrityTest {

    static LabeledData data;

    @BeforeAll
    static void load() throws IOException {
        data = FashionMnist.bundledTest().head(200);
    }

    @Test
    void aManifestRoundTripsAndFindsEveryKindOfChange(@TempDir Path dir) throws IOException {
        DatasetManifest m = DatasetManifest.of(data);
        Path file = dir.resolve("test.manifest");
        m.write(file);
        DatasetManifest back = DatasetManifest.read(file);
        assertEquals(m.root(), back.root());
        assertTrue(back.compare(data).isIdentical());
        assertTrue(back.compare(new LabeledData("d", data.features().castTo(DataType.DOUBLE), data.labels(), 10))
                .isIdentical(), "a double copy of the same values is the same data");

        int[] y = data.labels();
        y[17] = (y[17] + 1) % 10;
        assertArrayEquals(new int[] {17}, m.compare(new LabeledData("d", data.features(), y, 10)).relabelled());

        INDArray x = data.features().dup();
        x.putScalar(new long[] {42, 0, 13, 13}, x.getDouble(42, 0, 13, 13) + 1e-7); // one value, barely
        ManifestDiff changed = m.compare(new LabeledData("d", x, data.labels(), 10));
        assertArrayEquals(new int[] {42}, changed.changed());
        assertEquals(1, changed.changed().length + changed.added().length + changed.removed().length);

        int[] without = new int[199];
        for (int i = 0, k = 0; i < 200; i++) {
            if (i != 50) {
                without[k++] = i;
            }
        }
        ManifestDiff removed = m.compare(new LabeledData("d", Rows.gather(data.features(), without),
                Rows.pick(data.labels(), without), 10));
        assertArrayEquals(new int[] {50}, removed.removed());
        assertEquals(149, removed.moved().length, "the 149 examples after it moved up by one");
        assertEquals(0, removed.changed().length);

        INDArray plus = org.nd4j.linalg.factory.Nd4j.concat(0, data.features(),
                FashionMnist.bundledTest().slice(1000, 1001).features());
        int[] plusLabels = java.util.Arrays.copyOf(data.labels(), 201);
        ManifestDiff added = m.compare(new LabeledData("d", plus, plusLabels, 10));
        assertArrayEquals(new int[] {200}, added.added());
        assertTrue(added.toString().contains("1 added [200]"), added.toString());
        assertMessage(() -> m.verify(new LabeledData("poisoned", plus, plusLabels, 10)), "poisoned: does not match");
    }

    @Test
    void aManifestFileThatWasTouchedIsRefused(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("m");
        DatasetManifest.of(data.head(20)).write(file);
        byte[] original = Files.readAllBytes(file);
        String text = new String(original, java.nio.charset.StandardCharsets.UTF_8);
        int nameFrom = text.indexOf("\nname ") + 6;
        int nameTo = text.indexOf('\n', nameFrom);
        int offsets = 0;
        for (int at = 0; at < original.length; at += 3) {
            byte[] b = original.clone();
            b[at] = (byte) (b[at] == '0' ? '1' : '0');
            Files.write(file, b);
            if (at >= nameFrom && at < nameTo) {
                // the name is a label for people: changing it changes no recorded example
                assertTrue(DatasetManifest.read(file).compare(data.head(20)).isIdentical(), "offset " + at);
                continue;
            }
            offsets++;
            final int where = at;
            assertThrows(IntegrityException.class, () -> DatasetManifest.read(file), "offset " + where);
        }
        assertTrue(offsets > 500, offsets + " offsets");
        Files.writeString(file, "hello\n");
        assertMessage(() -> DatasetManifest.read(file), "not a Rampart manifest");
    }

    @Test
    void signaturesCatchEveryChangedByteAndTheWrongKey(@TempDir Path dir) throws IOException {
        KeyPair pair = Keys.generate();
        Keys.writePrivate(pair.getPrivate(), dir.resolve("k.key"));
        Keys.writePublic(pair.getPublic(), dir.resolve("k.pub"));
        Path model = dir.resolve("model.zip");
        ModelSerializer.writeModel(ReferenceModels.mlp(1), model.toFile(), false);
        SignedFiles.sign(model, Keys.readPrivate(dir.resolve("k.key")));
        SignedFiles.Verified v = SignedFiles.verify(model, Keys.readPublic(dir.resolve("k.pub")));
        assertEquals(Files.size(model), v.size());
        GradientClassifier loaded = TrustedModels.loadSigned(model, pair.getPublic(), ReferenceModels.INPUT_SHAPE,
                InputDomain.UNIT);
        assertEquals(10, loaded.numClasses());

        byte[] original = Files.readAllBytes(model);
        long step = Math.max(1, original.length / 40);
        for (long at = 0; at < original.length; at += step) {
            byte[] b = original.clone();
            b[(int) at] ^= 0x01;
            Files.write(model, b);
            IntegrityException e = assertThrows(IntegrityException.class,
                    () -> TrustedModels.loadSigned(model, pair.getPublic(), ReferenceModels.INPUT_SHAPE,
                            InputDomain.UNIT), "offset " + at);
            assertTrue(e.getMessage().contains("content differs from what was signed"), e.getMessage());
        }
        Files.write(model, original);
        assertMessage(() -> SignedFiles.verify(model, Keys.generate().getPublic()), "does not verify with this public"
                + " key");
        Path sig = SignedFiles.signatureOf(model);
        String text = Files.readString(sig);
        Files.writeString(sig, text.replace("size " + original.length, "size " + (original.length + 1)));
        assertMessage(() -> SignedFiles.verify(model, pair.getPublic()), "does not verify");
        Files.delete(sig);
        assertMessage(() -> TrustedModels.loadSigned(model, pair.getPublic(), ReferenceModels.INPUT_SHAPE,
                InputDomain.UNIT), "no signature file");
        Files.writeString(dir.resolve("bad.pub"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        assertKeyFile(() -> Keys.readPublic(dir.resolve("bad.pub")), "holds a PEM 'PRIVATE KEY' block, not a 'PUBLIC"
                + " KEY'");
        assertKeyFile(() -> Keys.readPublic(dir.resolve("none.pub")), "no such key file");
    }

    /**
     * A key file of another kind is a problem with what was passed in ({@link KeyFileException},
     * an IOException), never an integrity failure: each kind is named.
     */
    @Test
    void keyFilesOfAnotherKindAreNamed(@TempDir Path dir) throws IOException {
        KeyPair pair = Keys.generate();
        Path priv = dir.resolve("k.key");
        Path pub = dir.resolve("k.pub");
        Keys.writePair(pair, priv, pub);
        assertEquals(pair.getPrivate(), Keys.readPrivate(priv));
        assertEquals(pair.getPublic(), Keys.readPublic(pub));
        assertKeyFile(() -> Keys.readPrivate(pub), "holds a PEM 'PUBLIC KEY' block");
        Path der = dir.resolve("k.der");
        Files.write(der, pair.getPublic().getEncoded());
        assertKeyFile(() -> Keys.readPrivate(der), "holds a DER-encoded public key");
        Path rsa = dir.resolve("rsa.der");
        java.security.KeyPairGenerator g;
        try {
            g = java.security.KeyPairGenerator.getInstance("RSA");
            g.initialize(1024);
            Files.write(rsa, g.generateKeyPair().getPrivate().getEncoded());
            java.security.KeyPairGenerator ec = java.security.KeyPairGenerator.getInstance("EC");
            Files.write(dir.resolve("ec.der"), ec.generateKeyPair().getPrivate().getEncoded());
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        assertKeyFile(() -> Keys.readPrivate(rsa), "holds an RSA key");
        assertKeyFile(() -> Keys.readPrivate(dir.resolve("ec.der")), "holds an EC key");
        Files.writeString(dir.resolve("ssh.key"), "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n"
                + "-----END OPENSSH PRIVATE KEY-----\n");
        assertKeyFile(() -> Keys.readPrivate(dir.resolve("ssh.key")), "an OpenSSH key");
        Files.writeString(dir.resolve("text.key"), "password=hunter2\n");
        assertKeyFile(() -> Keys.readPrivate(dir.resolve("text.key")), "not a key file");
        Files.write(dir.resolve("empty.key"), new byte[0]);
        assertKeyFile(() -> Keys.readPrivate(dir.resolve("empty.key")), "is empty");
        String pem = Files.readString(priv);
        Files.writeString(dir.resolve("cut.key"), pem.substring(0, pem.indexOf("-----END") - 3));
        assertKeyFile(() -> Keys.readPrivate(dir.resolve("cut.key")), "truncated PEM block");
        byte[] encoded = pair.getPrivate().getEncoded();
        Files.write(dir.resolve("cut.der"), java.util.Arrays.copyOf(encoded, encoded.length - 5));
        assertKeyFile(() -> Keys.readPrivate(dir.resolve("cut.der")), "truncated");
        IllegalArgumentException same = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Keys.writePair(Keys.generate(), dir.resolve("x.pem"), dir.resolve("./x.pem")));
        assertTrue(same.getMessage().contains("the same file"), same.getMessage());
        assertFalse(Files.exists(dir.resolve("x.pem")));
    }

    /** An AES key file has exactly one of two formats: 32 raw bytes, or their base64 on one line. */
    @Test
    void aesKeyFilesHaveAnExactFormat(@TempDir Path dir) throws IOException {
        SecretKey key = ModelEncryption.generateKey();
        ModelEncryption.writeKey(key, dir.resolve("k.aes"));
        assertArrayEquals(key.getEncoded(), ModelEncryption.readKey(dir.resolve("k.aes")).getEncoded());
        Files.write(dir.resolve("raw.aes"), key.getEncoded());
        byte[] raw = key.getEncoded();
        boolean printable = true;
        for (byte b : raw) {
            printable &= b >= 0x20 && b < 0x7f;
        }
        if (!printable) {
            assertArrayEquals(raw, ModelEncryption.readKey(dir.resolve("raw.aes")).getEncoded());
        }
        Files.writeString(dir.resolve("crlf.aes"), java.util.Base64.getEncoder().encodeToString(raw) + "\r\n");
        assertArrayEquals(raw, ModelEncryption.readKey(dir.resolve("crlf.aes")).getEncoded());
        // a text file of exactly 32 bytes used to be taken as a raw key
        Files.writeString(dir.resolve("text.aes"), "this is a text file of 32 bytes\n");
        assertKeyFile(() -> ModelEncryption.readKey(dir.resolve("text.aes")), "not one line of base64");
        Files.writeString(dir.resolve("two.aes"), java.util.Base64.getEncoder().encodeToString(raw) + "\nextra\n");
        assertKeyFile(() -> ModelEncryption.readKey(dir.resolve("two.aes")), "not one line of base64");
        Files.writeString(dir.resolve("spaced.aes"), " " + java.util.Base64.getEncoder().encodeToString(raw));
        assertKeyFile(() -> ModelEncryption.readKey(dir.resolve("spaced.aes")), "not one line of base64");
        Files.write(dir.resolve("empty.aes"), new byte[0]);
        assertKeyFile(() -> ModelEncryption.readKey(dir.resolve("empty.aes")), "is empty");
    }

    private static void assertKeyFile(org.junit.jupiter.api.function.Executable call, String part) {
        KeyFileException e = org.junit.jupiter.api.Assertions.assertThrows(KeyFileException.class, call);
        assertTrue(e.getMessage().contains(part), "message should mention '" + part + "': " + e.getMessage());
    }

    @Test
    void encryptedModelsNeedTheRightKeyAndAnUntouchedFile(@TempDir Path dir) throws IOException {
        Path model = dir.resolve("model.zip");
        ModelSerializer.writeModel(ReferenceModels.mlp(2), model.toFile(), false);
        SecretKey key = ModelEncryption.generateKey();
        ModelEncryption.writeKey(key, dir.resolve("k.aes"));
        Path enc = dir.resolve("model.zip.enc");
        ModelEncryption.encrypt(model, enc, ModelEncryption.readKey(dir.resolve("k.aes")));
        assertArrayEquals(Files.readAllBytes(model), ModelEncryption.decrypt(enc, key));
        GradientClassifier m = TrustedModels.loadEncrypted(enc, key, null, ReferenceModels.INPUT_SHAPE,
                InputDomain.UNIT);
        assertEquals(10, m.numClasses());
        assertMessage(() -> ModelEncryption.decrypt(enc, ModelEncryption.generateKey()), "a wrong key, or the file was"
                + " modified");
        byte[] b = Files.readAllBytes(enc);
        for (int at : new int[] {0, 16, 20, 40, b.length / 2, b.length - 1}) {
            byte[] c = b.clone();
            c[at] ^= 0x40;
            Files.write(enc, c);
            assertThrows(IntegrityException.class, () -> ModelEncryption.decrypt(enc, key), "offset " + at);
        }
        Files.write(enc, java.util.Arrays.copyOf(b, 30));
        assertMessage(() -> ModelEncryption.decrypt(enc, key), "truncated");
        Files.write(dir.resolve("short.key"), new byte[16]);
        assertKeyFile(() -> ModelEncryption.readKey(dir.resolve("short.key")), "is 16 bytes: neither a 32-byte raw");
        Files.writeString(dir.resolve("short64.key"), java.util.Base64.getEncoder().encodeToString(new byte[16]));
        assertKeyFile(() -> ModelEncryption.readKey(dir.resolve("short64.key")), "holds a 16-byte key; AES-256 needs"
                + " 32 bytes");
    }

    @Test
    void iteratorsVerifyWhileStreamingAndDropFlaggedExamples() {
        DatasetManifest m = DatasetManifest.of(data);
        DataSetIterator clean = iterator(data.features(), data.labels());
        VerifyingIterator v = new VerifyingIterator(clean, m);
        int seen = 0;
        while (v.hasNext()) {
            seen += v.next().numExamples();
        }
        assertEquals(200, seen);
        int[] y = data.labels();
        y[123] = (y[123] + 3) % 10;
        VerifyingIterator bad = new VerifyingIterator(iterator(data.features(), y), m);
        IntegrityException e = assertThrows(IntegrityException.class, () -> {
            while (bad.hasNext()) {
                bad.next();
            }
        });
        assertTrue(e.getMessage().contains("example 123 is labelled"), e.getMessage());
        VerifyingIterator shortOne = new VerifyingIterator(iterator(data.head(150).features(),
                data.head(150).labels()), m);
        assertThrows(IntegrityException.class, () -> {
            while (shortOne.hasNext()) {
                shortOne.next();
            }
        });

        boolean[] drop = new boolean[200];
        for (int i = 0; i < 64; i++) {
            drop[i] = true; // the whole first batch
        }
        drop[100] = true;
        FilteringIterator f = new FilteringIterator(iterator(data.features(), data.labels()), drop);
        int kept = 0;
        while (f.hasNext()) {
            DataSet d = f.next();
            assertTrue(d.numExamples() > 0, "no empty batch reaches fit");
            kept += d.numExamples();
        }
        assertEquals(135, kept);
        assertEquals(65, f.dropped());
        f.reset();
        assertTrue(f.hasNext());
        assertFalse(new FilteringIterator(iterator(data.head(10).features(), data.head(10).labels()),
                new boolean[] {true, true, true, true, true, true, true, true, true, true}).hasNext());
    }

    /** Asserts that {@code call} fails an integrity check with a message containing {@code part}. */
    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String part) {
        IntegrityException e = assertThrows(IntegrityException.class, call);
        assertTrue(e.getMessage().contains(part), "message should mention '" + part + "': " + e.getMessage());
    }

    private static DataSetIterator iterator(INDArray x, int[] y) {
        List<DataSet> rows = new DataSet(x, Labels.oneHot(y, 10)).asList();
        return new ListDataSetIterator<>(rows, 64);
    }
}
