package dev.rampart.cli;

import dev.rampart.audit.source.DataSource;
import dev.rampart.defenses.integrity.DatasetManifest;
import dev.rampart.defenses.integrity.Keys;
import dev.rampart.defenses.integrity.ManifestDiff;
import dev.rampart.defenses.integrity.SignedFiles;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The integrity commands of {@code ./rampart} for QA teams: {@code keygen}, {@code sign},
 * {@code verify} (Ed25519, {@link SignedFiles}) and {@code manifest} ({@link DatasetManifest}).
 * A failed check exits with 1, like a failed quality gate, and says which file and why.
 *
 * <pre>
 * ./rampart keygen --private release.key --public release.pub
 * ./rampart sign --key release.key model.zip            # writes model.zip.sig
 * ./rampart verify --key release.pub model.zip
 * ./rampart manifest --data train-dir --out train.manifest
 * ./rampart manifest --data train-dir --check train.manifest
 * </pre>
 */
public final class IntegrityCommands {

    private IntegrityCommands() {
    }

    /** {@code rampart keygen}. */
    @Command(name = "keygen", mixinStandardHelpOptions = true, description = "Make an Ed25519 key pair (PKCS#8 and"
            + " X.509 PEM files).")
    public static final class Keygen implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Option(names = "--private", required = true, description = "private key file to write")
        Path privateKey;
        @Option(names = "--public", required = true, description = "public key file to write")
        Path publicKey;
        @Option(names = "--force", description = "overwrite existing files")
        boolean force;
        @CommandLine.Mixin
        VerboseOption verbose;

        @Override
        public Integer call() throws Exception {
            List<String> p = new ArrayList<>();
            for (Path f : new Path[] {privateKey, publicKey}) {
                if (Files.exists(f) && !force) {
                    p.add(f + " exists (use --force to overwrite)");
                }
            }
            new OutputFiles().output("--private", privateKey).output("--public", publicKey).check(p);
            if (!p.isEmpty()) {
                throw new UsageException(p);
            }
            KeyPair pair = Keys.generate();
            Keys.writePair(pair, privateKey, publicKey);
            PrintWriter out = spec.commandLine().getOut();
            out.println("private key " + privateKey + " (keep it secret), public key " + publicKey);
            out.flush();
            return Rampart.OK;
        }
    }

    /** {@code rampart sign}. */
    @Command(name = "sign", mixinStandardHelpOptions = true, description = "Sign files with an Ed25519 private key"
            + " (writes <file>.sig).")
    public static final class Sign implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Option(names = "--key", required = true, description = "private key (PKCS#8, PEM or DER)")
        Path key;
        @Parameters(arity = "1..*", paramLabel = "FILE", description = "files to sign")
        List<Path> files;
        @CommandLine.Mixin
        VerboseOption verbose;

        @Override
        public Integer call() throws Exception {
            checkFiles(files, key, "--key");
            OutputFiles outputs = new OutputFiles().input("--key", key);
            for (Path f : files) {
                outputs.input("FILE", f);
            }
            for (Path f : files) {
                outputs.output("the signature of " + f, SignedFiles.signatureOf(f));
            }
            List<String> p = new ArrayList<>();
            outputs.check(p);
            if (!p.isEmpty()) {
                throw new UsageException(p);
            }
            var k = Keys.readPrivate(key);
            PrintWriter out = spec.commandLine().getOut();
            for (Path f : files) {
                out.println("signed " + f + " -> " + SignedFiles.sign(f, k));
            }
            out.flush();
            return Rampart.OK;
        }
    }

    /** {@code rampart verify}. */
    @Command(name = "verify", mixinStandardHelpOptions = true, description = "Verify files against their <file>.sig"
            + " with an Ed25519 public key; exit 1 if any does not verify.")
    public static final class Verify implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Option(names = "--key", required = true, description = "public key (X.509, PEM or DER)")
        Path key;
        @Parameters(arity = "1..*", paramLabel = "FILE", description = "files to verify")
        List<Path> files;
        @CommandLine.Mixin
        VerboseOption verbose;

        @Override
        public Integer call() throws Exception {
            checkFiles(files, key, "--key");
            var k = Keys.readPublic(key);
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            int failed = 0;
            for (Path f : files) {
                try {
                    SignedFiles.Verified v = SignedFiles.verify(f, k);
                    out.println("verified " + f + " (" + v.size() + " bytes, SHA-256 " + v.sha256() + ")");
                } catch (dev.rampart.defenses.integrity.IntegrityException e) {
                    err.println("REFUSED " + e.getMessage());
                    failed++;
                }
            }
            out.flush();
            err.flush();
            return failed == 0 ? Rampart.OK : Rampart.GATE_FAILED;
        }
    }

    /** {@code rampart manifest}. */
    @Command(name = "manifest", mixinStandardHelpOptions = true, description = {"Record a dataset's manifest (SHA-256"
            + " per example and a root), or check a dataset against one; exit 1 if it differs.",
        "Data as for audit: Fashion-MNIST IDX, CIFAR-10, CSV or image folders."})
    public static final class Manifest implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Option(names = "--data", description = "dataset file or directory (default: the bundled test sample)")
        Path data;
        @Option(names = "--data-format", description = "auto, idx, cifar10, csv or images (default ${DEFAULT-VALUE})")
        String format = "auto";
        @Option(names = "--split", paramLabel = "train|test", description = "IDX and CIFAR-10 data: which split"
                + " (default: train, the training set a manifest protects)")
        DataSource.Split split = DataSource.Split.TRAIN;
        @Option(names = "--out", description = "manifest file to write")
        Path out;
        @Option(names = "--check", description = "manifest file to check the data against")
        Path check;
        @CommandLine.Mixin
        VerboseOption verbose;

        @Override
        public Integer call() throws Exception {
            if ((out == null) == (check == null)) {
                throw new UsageException(List.of("give exactly one of --out and --check"));
            }
            if (check != null) {
                checkFiles(List.of(), check, "--check");
            }
            List<String> p = new ArrayList<>();
            DataSource.Spec s = null;
            try {
                s = new DataSource.Spec(data, format, 1, -1, false, 10, split);
                DataSource.check(s);
            } catch (java.io.IOException | IllegalArgumentException e) {
                p.add(UsageException.dataProblem("--data", e, true));
            }
            new OutputFiles().output("--out", out).input("--data", data).input("--check", check).check(p);
            if (!p.isEmpty()) {
                throw new UsageException(p);
            }
            DataSource.Loaded loaded = DataSource.load(s, -1);
            var d = loaded.data();
            PrintWriter o = spec.commandLine().getOut();
            o.println("data: " + loaded.describe());
            if (out != null) {
                DatasetManifest m = DatasetManifest.of(d);
                m.write(out);
                o.println("manifest of " + d.size() + " examples written to " + out + " (root " + m.root() + ")");
                o.flush();
                return Rampart.OK;
            }
            DatasetManifest m = DatasetManifest.read(check);
            ManifestDiff diff = m.compare(d);
            o.println((diff.isIdentical() ? "identical to " : "DIFFERS from ") + check + ": " + diff);
            o.flush();
            return diff.isIdentical() ? Rampart.OK : Rampart.GATE_FAILED;
        }
    }

    /** One line per missing file: {@code files}, and the file given to {@code option}. */
    private static void checkFiles(List<Path> files, Path optionFile, String option) {
        List<String> p = new ArrayList<>();
        if (!Files.isRegularFile(optionFile)) {
            p.add(option + " " + optionFile + ": no such file");
        }
        for (Path f : files) {
            if (!Files.isRegularFile(f)) {
                p.add(f + ": no such file");
            }
        }
        if (!p.isEmpty()) {
            throw new UsageException(p);
        }
    }
}
