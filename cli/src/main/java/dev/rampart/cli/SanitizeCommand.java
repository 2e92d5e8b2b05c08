package dev.rampart.cli;

import dev.rampart.attacks.poisoning.PoisoningEvaluation;
import dev.rampart.audit.report.BackdoorReports;
import dev.rampart.audit.source.DataSource;
import dev.rampart.audit.source.InputOptions;
import dev.rampart.audit.source.ModelSource;
import dev.rampart.core.data.IdxWriter;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.Rows;
import dev.rampart.core.io.AtomicFiles;
import dev.rampart.core.model.ActivationModel;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.report.Provenance;
import dev.rampart.defenses.poisoning.ActivationClustering;
import dev.rampart.defenses.poisoning.NeuralCleanse;
import dev.rampart.defenses.poisoning.PoisonDetector;
import dev.rampart.defenses.poisoning.PoisonReport;
import dev.rampart.defenses.poisoning.ReferenceDetector;
import dev.rampart.defenses.poisoning.ReferenceScores;
import dev.rampart.defenses.poisoning.SpectralSignatures;
import dev.rampart.defenses.poisoning.Spectre;
import dev.rampart.defenses.poisoning.TriggerExplanation;
import dev.rampart.defenses.poisoning.TrustedContrast;
import dev.rampart.defenses.poisoning.TrustedLabelCheck;
import dev.rampart.defenses.poisoning.TrustedUnion;
import dev.rampart.defenses.poisoning.ClassPriors;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rampart sanitize}: the whole data-level defense in one command. It trains a model on the
 * training set with the given recipe (or takes one already trained on it), finds poisoned examples
 * in its representations (SPECTRE by default; with a trusted clean sample, SPECTRE judges each
 * class against it, the examples that a trigger reversed by Neural Cleanse explains are also
 * flagged, and so are those whose labels the trusted label check's models, trained on the sample
 * alone, contradict, and those that the trusted contrast tells apart from the sample's images of
 * their class (in the images and in the model's representations); these are judged jointly, under
 * one precision target), removes them, retrains with the same recipe, and writes the retrained
 * model, the sanitized training set (IDX, when the images are grey), the removed indices and a JSON
 * and HTML report: per-class counts, the removed examples as a gallery, clean accuracy and the reversed trigger's attack success before and after.
 *
 * <pre>
 * ./rampart sanitize --data poisoned/ --model cnn --epochs 3 --out clean/
 * ./rampart sanitize --data poisoned/ --model model.zip --trained --clean trusted/ --out clean/
 * </pre>
 */
@Command(name = "sanitize", mixinStandardHelpOptions = true, sortOptions = false, description = {"Find and remove"
        + " poisoned training examples, retrain, and report what changed.", "Detectors: spectre (Hayase et al."
            + " 2021), activation-clustering (Chen et al. 2019), spectral-signatures (Tran et al. 2018); with"
            + " --clean, also the examples a Neural Cleanse trigger (Wang et al. 2019) explains and the labels that"
            + " models trained on --clean alone contradict (the trusted label check) and the examples a classifier"
            + " tells apart from their class's --clean images (the trusted contrast, on the images and on the"
            + " model's representations)."})
public final class SanitizeCommand implements Callable<Integer> {

    /** The representation detector. */
    enum Method { SPECTRE, ACTIVATION_CLUSTERING, SPECTRAL_SIGNATURES }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;
    @Option(names = "--data", paramLabel = "PATH", description = "the training set to sanitize (default: the bundled"
            + " training sample)")
    Path data;
    @Option(names = "--data-format", description = "auto, idx, cifar10, csv or images (default ${DEFAULT-VALUE})")
    String format = "auto";
    @Option(names = "--model", paramLabel = "RECIPE", description = "cnn, mlp, strided-cnn, tanh-cnn or scatter-linear (fresh"
            + " weights), a DL4J configuration (JSON), or a DL4J zip whose configuration is reused (default"
            + " ${DEFAULT-VALUE})")
    String model = "cnn";
    @Option(names = "--trained", description = "the --model zip was trained on --data: examine it instead of"
            + " training first")
    boolean trained;
    @Option(names = "--epochs", paramLabel = "N", description = "training epochs of both models (default"
            + " ${DEFAULT-VALUE})")
    int epochs = 3;
    @Option(names = "--batch", paramLabel = "N", description = "batch size (default ${DEFAULT-VALUE})")
    int batch = 128;
    @Option(names = "--method", description = "spectre, activation-clustering or spectral-signatures (default"
            + " ${DEFAULT-VALUE})")
    Method method = Method.SPECTRE;
    @Option(names = "--expected-poison-rate", paramLabel = "R", description = "spectral signatures: the poison share"
            + " of the attacked class (default ${DEFAULT-VALUE})")
    double rate = 0.1;
    @Option(names = "--clean", paramLabel = "PATH", description = "trusted clean images (same format): SPECTRE"
            + " judges each class against them; Neural Cleanse reverses triggers on them, and the examples a"
            + " reversed trigger explains are also removed")
    Path clean;
    @Option(names = "--label-check-epochs", paramLabel = "N", description = "with --clean: epochs of the trusted"
            + " label check's models (the --model recipe trained on folds of --clean, batch 64), which flags"
            + " training labels that models never shown the training set contradict; 0 turns it off (default"
            + " ${DEFAULT-VALUE})")
    int labelCheckEpochs = 8;
    @Option(names = "--contrast", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "with --clean: also flag the examples of a class that a classifier tells apart from the"
            + " class's --clean images (the trusted contrast; it finds clean-label poison such as SIG, whose labels"
            + " fit); --no-contrast turns it off (default on)")
    boolean contrast = true;
    @Option(names = "--representation-contrast", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "with --clean: also the same contrast on the model's last hidden layer instead of the"
            + " images, judged jointly with the others (it finds poison whose trigger the model learned but the"
            + " pixels hide, and feature collisions: recall 0.897 against 0.628 for the others on WaNet at 1%%,"
            + " 1.000 against 0.807 on feature collision at 1%%; BENCHMARKS.md);"
            + " --no-representation-contrast turns it off (default on)")
    boolean representationContrast = true;
    @Option(names = "--restore-priors", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "with --clean: before retraining, resample a class the removal depleted back to its share"
            + " of the --clean sample (clean-label poison is the class's own images); the sanitized data written"
            + " stay as removed; --no-restore-priors turns it off (default on)")
    boolean restorePriors = true;
    @Option(names = "--remove", paramLabel = "HOW", description = "with --clean: joint (remove what the detectors"
            + " judged against --clean flag jointly: one cut, precision kept) or any (what any of them flags on its own:"
            + " more of the poison where they find different parts of it, WaNet; less precision) (default"
            + " ${DEFAULT-VALUE})")
    String remove = "joint";
    @Option(names = "--combine", paramLabel = "HOW", description = "with --clean and --remove joint: how an"
            + " example's p-values under the detectors become one score: fisher (their product, Fisher 1932: what"
            + " several detectors each see a little of adds up) or minimum (the smallest, Tippett 1931) (default"
            + " fisher)")
    TrustedUnion.Combination combine = TrustedUnion.Combination.FISHER;
    @Option(names = "--nc-steps", paramLabel = "N", description = "Neural Cleanse's steps per class (default"
            + " ${DEFAULT-VALUE})")
    int ncSteps = 300;
    @Option(names = "--test", paramLabel = "PATH", description = "clean test data for accuracy before and after"
            + " (default: the test split of --data, when it has one)")
    Path test;
    @Option(names = "--triggered", paramLabel = "PATH", description = "inputs that carry a known trigger, labeled with"
            + " the class it should send them to (same format as --data; rampart poison writes them): attack success"
            + " before and after is measured on them instead of on the reversed trigger")
    Path triggered;
    @Option(names = "--truth", paramLabel = "FILE", description = "the indices of the training examples known to be"
            + " poisoned, one per line (rampart poison writes them): the report gives the removal's recall and"
            + " precision, and each detector's")
    Path truth;
    @Option(names = "--out", paramLabel = "DIR", required = true, description = "where the model, the sanitized data"
            + " and the reports go")
    Path out;
    @Option(names = "--seed", description = "seed of training and detection (default ${DEFAULT-VALUE})")
    long seed = 1;
    @CommandLine.Mixin
    VerboseOption verbose;

    @Override
    public Integer call() throws Exception {
        List<String> p = new ArrayList<>();
        UsageException.positive(p, "--epochs", epochs);
        UsageException.positive(p, "--batch", batch);
        UsageException.share(p, "--expected-poison-rate", rate);
        UsageException.positive(p, "--nc-steps", ncSteps);
        if (!remove.equals("joint") && !remove.equals("any")) {
            p.add("--remove must be joint or any, found " + remove);
        }
        if (labelCheckEpochs < 0) {
            p.add("--label-check-epochs must be at least 0, found " + labelCheckEpochs);
        }
        DataSource.Spec trainSpec = PoisoningOptions.spec(data, format, DataSource.Split.TRAIN, "--data", p);
        DataSource.Spec cleanSpec = clean == null ? null : PoisoningOptions.spec(clean, format, DataSource.Split.TEST,
                "--clean", p);
        DataSource.Spec testSpec = PoisoningOptions.testSpec(test, data, format, p);
        DataSource.Spec triggeredSpec = triggered == null ? null : PoisoningOptions.spec(triggered, format,
                DataSource.Split.TEST, "--triggered", p);
        if (truth != null && !Files.isRegularFile(truth)) {
            p.add("--truth " + truth + (Files.exists(truth) ? " is not a file" : " does not exist"));
        }
        Recipe recipe = null;
        try {
            if (trained) {
                ModelSource.check(model);
                if (ModelSource.bundled(model) || !Files.isRegularFile(Path.of(model))) {
                    throw new IOException(model + ": --trained needs a DL4J model zip");
                }
            }
            recipe = Recipe.parse(model);
        } catch (IOException e) {
            p.add("--model " + e.getMessage());
        }
        boolean outIsFile = out != null && Files.exists(out) && !Files.isDirectory(out);
        if (outIsFile) {
            p.add("--out " + out + " is a file, not a directory");
        }
        OutputFiles outputs = new OutputFiles().input("--data", data).input("--clean", clean).input("--test", test)
                .input("--triggered", triggered).input("--truth", truth);
        if (out != null && !outIsFile) {
            for (String f : List.of("model.zip", "removed.txt", "report.json", "report.html",
                    "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")) {
                outputs.output("--out", out.resolve(f));
            }
        }
        if (recipe != null && !dev.rampart.core.model.zoo.ReferenceModels.NAMES.contains(model)) {
            outputs.input("--model", Path.of(model));
        }
        outputs.checkAll(p); // creates --out
        PrintWriter w = spec.commandLine().getOut();
        DataSource.Loaded loaded = DataSource.load(trainSpec, -1);
        LabeledData train = loaded.data();
        w.println("data: " + loaded.describe());
        PoisoningOptions.checkEveryClass(train, loaded, "--data");
        String mismatch = recipe.mismatch(train.exampleShape(), train.numClasses());
        if (mismatch != null) {
            throw new UsageException(List.of("--model " + mismatch));
        }
        LabeledData testData = null;
        String testName = null;
        if (testSpec != null) {
            DataSource.Loaded t = DataSource.load(testSpec, -1);
            PoisoningOptions.checkAgainst(t.data(), train, t.source(), test != null ? "--test" : "--data's test split");
            testData = t.data();
            testName = t.describe();
        }
        boolean[] poisoned = truth == null ? null : PoisoningOptions.truth(truth, train.size(), loaded.source());
        LabeledData knownTrigger = null;
        if (triggeredSpec != null) {
            DataSource.Loaded t = DataSource.load(triggeredSpec, -1);
            PoisoningOptions.checkAgainst(t.data(), train, t.source(), "--triggered");
            knownTrigger = t.data();
        }
        LabeledData cleanData = null;
        if (cleanSpec != null) {
            DataSource.Loaded c = DataSource.load(cleanSpec, -1);
            PoisoningOptions.checkAgainst(c.data(), train, c.source(), "--clean");
            cleanData = c.data();
        }
        Map<String, Double> seconds = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        GradientClassifier first;
        if (trained) {
            first = ModelSource.load(model, InputOptions.DEFAULT, train.exampleShape()).gradientModel();
            if (first.numClasses() != train.numClasses()) {
                throw new UsageException(List.of("--model " + model + " has " + first.numClasses()
                        + " classes but --data " + loaded.source() + " has " + train.numClasses()));
            }
            w.println("model: " + model + " (trained on the data)");
        } else {
            w.printf(Locale.ROOT, "training %s on %d examples: %d epochs, batch %d, seed %d%n", recipe.description(),
                    train.size(), epochs, batch, seed);
            w.flush();
            first = recipe.train(train, epochs, batch, seed, e -> progress(w, "  epoch " + (e + 1)));
            seconds.put("train", (System.nanoTime() - t0) / 1e9);
        }
        if (!(first instanceof ActivationModel am)) {
            throw new UsageException(List.of("--model " + model + ": its activations cannot be read"));
        }
        PoisonDetector detector = switch (method) {
            case SPECTRE -> spectre(am, cleanData, w);
            case ACTIVATION_CLUSTERING -> ActivationClustering.builder(am).seed(seed).build();
            case SPECTRAL_SIGNATURES -> SpectralSignatures.builder(am).expectedPoisonRate(rate).build();
        };
        PoisoningOptions.checkMinimum(train, detector, loaded, OptionEnums.spelling(method));
        long t1 = System.nanoTime();
        // what is removed: the joint verdict of the detectors judged against --clean (TrustedUnion),
        // and the flags of any other; each trusted detector's own verdict is reported beside it
        List<PoisonReport> reports = new ArrayList<>();
        List<PoisonReport> removing = new ArrayList<>();
        List<ReferenceDetector> trustedDetectors = new ArrayList<>();
        List<String> trustedSeconds = new ArrayList<>();
        if (detector instanceof ReferenceDetector rd && rd.referenceSize() > 0) {
            trustedDetectors.add(rd);
            trustedSeconds.add("detect");
        } else {
            PoisonReport r = detector.detect(train);
            reports.add(r);
            removing.add(r);
            seconds.put("detect", (System.nanoTime() - t1) / 1e9);
        }
        NeuralCleanse.Report scan = null;
        LabeledData attackTest = knownTrigger;
        String attackTestName = knownTrigger == null ? null : "the known trigger, " + triggered;
        if (cleanData != null) {
            long t2 = System.nanoTime();
            scan = NeuralCleanse.builder(first).steps(ncSteps).seed(seed).build().scan(cleanData);
            if (scan.flagged().length > 0) {
                PoisonReport r = TriggerExplanation.builder(am, scan, cleanData).build().detect(train);
                reports.add(r);
                removing.add(r);
                if (attackTest == null) {
                    attackTest = PoisoningOptions.triggered(scan, testData != null ? testData : cleanData);
                    attackTestName = "the reversed trigger of class " + Arrays.stream(scan.flagged()).mapToObj(
                            c -> PoisoningOptions.name(loaded.classNames(), c)).collect(Collectors.joining(", "));
                }
            }
            seconds.put("neuralCleanse", (System.nanoTime() - t2) / 1e9);
            ReferenceDetector labels = labelCheck(recipe, cleanData, w);
            if (labels != null) {
                trustedDetectors.add(labels);
                trustedSeconds.add("labelCheck");
            }
            ReferenceDetector contrasted = contrast(cleanData, w);
            if (contrasted != null) {
                trustedDetectors.add(contrasted);
                trustedSeconds.add("contrast");
            }
            ReferenceDetector represented = representationContrast(am, cleanData, w);
            if (represented != null) {
                trustedDetectors.add(represented);
                trustedSeconds.add("representationContrast");
            }
        }
        if (!trustedDetectors.isEmpty()) {
            List<ReferenceScores> scores = new ArrayList<>();
            for (int k = 0; k < trustedDetectors.size(); k++) {
                long t4 = System.nanoTime();
                scores.add(trustedDetectors.get(k).referenceScores(train));
                seconds.put(trustedSeconds.get(k), (System.nanoTime() - t4) / 1e9);
            }
            TrustedUnion.Outcome joint = TrustedUnion.builder(trustedDetectors).combination(combine).build()
                    .judgeAll(scores);
            // the method's own report first, as without --clean
            boolean methodIsTrusted = trustedDetectors.get(0) == detector;
            for (int k = 0; k < joint.members().size(); k++) {
                if (k == 0 && methodIsTrusted) {
                    reports.add(0, joint.members().get(0));
                } else {
                    reports.add(joint.members().get(k));
                }
            }
            if (trustedDetectors.size() == 1) {
                removing.add(joint.members().get(0));
            } else {
                if (remove.equals("any")) {
                    w.printf(Locale.ROOT, "what any of the %d detectors judged against --clean flags is removed"
                            + " (--remove any)%n", trustedDetectors.size());
                    PoisonReport any = joint.any(train.labels());
                    reports.add(any);
                    removing.add(any);
                } else {
                    w.printf(Locale.ROOT, "the %d detectors judged against --clean are judged jointly (trusted union):"
                            + " what it flags is removed%n", trustedDetectors.size());
                    reports.add(joint.union());
                    removing.add(joint.union());
                }
            }
        }
        boolean[] removed = new boolean[train.size()];
        for (PoisonReport r : reports) {
            print(w, r, loaded.classNames());
        }
        for (PoisonReport r : removing) {
            for (int i = 0; i < removed.length; i++) {
                removed[i] |= r.flagged()[i];
            }
        }
        if (poisoned != null) {
            PoisonReport.Score sc = PoisonReport.Score.of(removed, poisoned);
            w.printf(Locale.ROOT, "against the %d examples of --truth: %d of the %d removed are poisoned (recall %s,"
                    + " precision %s)%n", sc.poisoned(), sc.truePositives(), sc.flagged(), sc.poisoned() == 0 ? "-"
                            : String.format(Locale.ROOT, "%.4f", sc.recall()), sc.flagged() == 0 ? "-"
                                    : String.format(Locale.ROOT, "%.4f", sc.precision()));
        }
        int[] keep = Rows.where(removed, false);
        if (keep.length == 0) {
            throw new IllegalStateException("every training example was flagged: nothing left to train on");
        }
        LabeledData kept = train.rows(keep, train.name() + ":sanitized");
        PoisoningOptions.checkEveryClass(kept, loaded, "--data, after removal,");
        LabeledData retrainOn = kept;
        if (cleanData != null && restorePriors) {
            ClassPriors.Restored r = ClassPriors.restore(kept, cleanData, seed);
            int[] before = r.keptCounts();
            int[] after = r.counts();
            for (int c = 0; c < before.length; c++) {
                if (before[c] != after[c]) {
                    w.printf(Locale.ROOT, "class %s: %d examples kept, resampled to %d for retraining (its share of the"
                            + " --clean sample)%n", c < loaded.classNames().size() ? loaded.classNames().get(c)
                            : String.valueOf(c), before[c], after[c]);
                }
            }
            retrainOn = r.data();
        }
        w.printf(Locale.ROOT, "removed %d of %d examples; retraining on %d%n", train.size() - keep.length, train.size(),
                retrainOn.size());
        w.flush();
        long t3 = System.nanoTime();
        GradientClassifier second = recipe.train(retrainOn, epochs, batch, seed, e -> progress(w, "  epoch " + (e + 1)));
        seconds.put("retrain", (System.nanoTime() - t3) / 1e9);
        PoisoningEvaluation before = null;
        PoisoningEvaluation after = null;
        if (testData != null || attackTest != null) {
            LabeledData evalData = testData != null ? testData : cleanData;
            before = PoisoningEvaluation.of(first, evalData, attackTest);
            after = PoisoningEvaluation.of(second, evalData, attackTest);
            testName = testData != null ? testName : "the --clean sample";
            w.printf(Locale.ROOT, "clean accuracy %.4f before, %.4f after%s%n", before.cleanAccuracy(),
                    after.cleanAccuracy(), attackTest == null ? "" : String.format(Locale.ROOT,
                            "; attack success of %s %.4f before, %.4f after", attackTestName,
                            before.attackSuccessRate(), after.attackSuccessRate()));
        }
        List<String> written = new ArrayList<>();
        Path modelFile = out.resolve("model.zip");
        Recipe.save(second, modelFile);
        written.add(modelFile.toString());
        StringBuilder idx = new StringBuilder();
        for (int i = 0; i < removed.length; i++) {
            if (removed[i]) {
                idx.append(i).append('\n');
            }
        }
        AtomicFiles.writeString(out.resolve("removed.txt"), idx.toString());
        written.add(out.resolve("removed.txt").toString());
        if (IdxWriter.writable(kept) && PoisoningOptions.inUnitRange(kept)) {
            for (Path f : IdxWriter.write(kept, out, "train")) {
                written.add(f.toString());
            }
        } else {
            w.println("the sanitized data are not written as IDX (not grey images in [0, 1]); removed.txt lists the"
                    + " removed indices");
        }
        written.add(out.resolve("report.json").toString());
        written.add(out.resolve("report.html").toString());
        BackdoorReports.Sanitized report = new BackdoorReports.Sanitized(loaded.describe(), loaded.classNames(),
                trained ? model + " (trained on the data; retrained from its configuration)" : recipe.description(),
                epochs, seed, train, reports, removed, PoisoningOptions.counts(retrainOn), testName, before, after, attackTestName, scan,
                poisoned, written, seconds, Provenance.current());
        AtomicFiles.writeString(out.resolve("report.json"), BackdoorReports.json(report));
        AtomicFiles.writeString(out.resolve("report.html"), BackdoorReports.html(report));
        w.println(report.removedCount() == 0 ? "no poison found" : "poison found: " + report.removedCount()
                + " examples removed");
        w.println("wrote " + String.join(", ", written));
        w.flush();
        return Rampart.OK;
    }

    private static void progress(PrintWriter w, String line) {
        w.println(line);
        w.flush();
    }

    static void print(PrintWriter w, PoisonReport r, List<String> names) {
        w.println(r.detector() + ":");
        for (PoisonReport.ClassSummary c : r.classes()) {
            String name = c.label() < names.size() ? names.get(c.label()) : String.valueOf(c.label());
            w.printf(Locale.ROOT, "  class %s: %d examples, %d flagged%s%n", name, c.examples(), c.flagged(),
                    c.suspicious() ? "  SUSPICIOUS" : "");
        }
        w.flush();
    }

    /**
     * The trusted label check on the --clean sample, or null (said on the console) when it is off or
     * the sample has too few images of some class.
     */
    private ReferenceDetector labelCheck(Recipe recipe, LabeledData trusted, PrintWriter w) {
        if (labelCheckEpochs == 0) {
            return null;
        }
        int least = leastClass(trusted);
        int n = PoisoningOptions.counts(trusted)[least];
        if (n < TrustedLabelCheck.MIN_TRUSTED_PER_CLASS) {
            w.printf(Locale.ROOT, "no trusted label check: --clean has %d images of class %d, and the check needs %d%n",
                    n, least, TrustedLabelCheck.MIN_TRUSTED_PER_CLASS);
            return null;
        }
        w.printf(Locale.ROOT, "trusted label check: %s trained on folds of the %d --clean images, %d epochs%n",
                recipe.description(), trusted.size(), labelCheckEpochs);
        w.flush();
        return TrustedLabelCheck.builder((d, s) -> recipe.train(d, labelCheckEpochs, 64, s, e -> { }), trusted)
                .seed(seed).build();
    }

    /**
     * The trusted contrast on the --clean sample, or null (said on the console) when it is off or
     * the sample has too few images of some class.
     */
    private ReferenceDetector contrast(LabeledData trusted, PrintWriter w) {
        if (!contrast) {
            return null;
        }
        int least = leastClass(trusted);
        int n = PoisoningOptions.counts(trusted)[least];
        if (n < TrustedContrast.MIN_TRUSTED_PER_CLASS) {
            w.printf(Locale.ROOT, "no trusted contrast: --clean has %d images of class %d, and it needs %d%n", n, least,
                    TrustedContrast.MIN_TRUSTED_PER_CLASS);
            return null;
        }
        w.printf(Locale.ROOT, "trusted contrast: each class's training images against its --clean images%n");
        w.flush();
        return TrustedContrast.builder(trusted).seed(seed).build();
    }

    /**
     * The trusted contrast of the model's last hidden layer on the --clean sample, or null (said on the
     * console) when it is off or the sample has too few images of some class.
     */
    private ReferenceDetector representationContrast(ActivationModel model, LabeledData trusted, PrintWriter w) {
        if (!representationContrast) {
            return null;
        }
        int least = leastClass(trusted);
        int n = PoisoningOptions.counts(trusted)[least];
        if (n < TrustedContrast.MIN_TRUSTED_PER_CLASS) {
            w.printf(Locale.ROOT, "no representation contrast: --clean has %d images of class %d, and it needs %d%n", n,
                    least, TrustedContrast.MIN_TRUSTED_PER_CLASS);
            return null;
        }
        w.printf(Locale.ROOT, "representation contrast: the same on the model's last hidden layer%n");
        w.flush();
        return TrustedContrast.builder(trusted).representations(model, null).seed(seed).build();
    }

    /** The class with the fewest examples. */
    private static int leastClass(LabeledData d) {
        int[] counts = PoisoningOptions.counts(d);
        int least = 0;
        for (int c = 1; c < counts.length; c++) {
            least = counts[c] < counts[least] ? c : least;
        }
        return least;
    }

    /**
     * SPECTRE, judging each class against the trusted sample when it has enough images of every
     * class, and the classes against each other otherwise (said on the console).
     */
    private static PoisonDetector spectre(ActivationModel am, LabeledData trusted, PrintWriter w) {
        if (trusted != null) {
            int[] counts = PoisoningOptions.counts(trusted);
            int least = leastClass(trusted);
            if (counts[least] >= Spectre.MIN_REFERENCE_PER_CLASS) {
                w.printf(Locale.ROOT, "SPECTRE judges each class against the %d --clean images%n", trusted.size());
                return Spectre.builder(am).reference(trusted).build();
            }
            w.printf(Locale.ROOT, "SPECTRE judges the classes against each other: --clean has %d images of class %d,"
                    + " and judging a class against it needs %d%n", counts[least], least,
                    Spectre.MIN_REFERENCE_PER_CLASS);
        }
        return Spectre.builder(am).build();
    }
}
