package dev.rampart.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.rampart.attacks.evasion.Pgd;
import dev.rampart.attacks.poisoning.BadNets;
import dev.rampart.attacks.poisoning.CleanLabelBackdoor;
import dev.rampart.attacks.poisoning.PoisonedData;
import dev.rampart.attacks.poisoning.PoisoningAttack;
import dev.rampart.attacks.poisoning.Trigger;
import dev.rampart.audit.source.DataSource;
import dev.rampart.audit.source.InputOptions;
import dev.rampart.audit.source.ModelSource;
import dev.rampart.core.data.IdxWriter;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.io.AtomicFiles;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.report.Provenance;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rampart poison}: plants a backdoor in a training set, for drills and evaluations of the
 * defenses on one's own data. It writes the poisoned training set, the clean test split, the test
 * images with the trigger (labelled with the class the attack sends them to) and the indices of
 * the poisoned examples, which {@code rampart sanitize --triggered --truth} and {@code rampart vet}
 * then measure against. The families are those of the poisoning matrix (BENCHMARKS.md): BadNets
 * patches (Gu et al. 2017), all-to-one or all-to-all; a blended noise pattern (Chen et al. 2017);
 * WaNet's warp (Nguyen &amp; Tran 2021); and two clean-label ones, SIG's signal (Barni et al.
 * 2019) and label-consistent poison (Turner et al. 2019: target-class images pushed away from
 * their class by PGD on {@code --model}, then stamped with a patch).
 *
 * <pre>
 * ./rampart poison --data fashion/ --attack wanet --rate 0.05 --target 0 --out poisoned/
 * ./rampart sanitize --data poisoned/ --clean trusted/ --triggered poisoned/triggered --truth poisoned/poisoned.txt --out clean/
 * </pre>
 */
@Command(name = "poison", mixinStandardHelpOptions = true, sortOptions = false, description = {"Plant a backdoor in"
        + " a training set (a drill for sanitize and vet): write the poisoned set, the triggered test images and"
        + " the indices of the poison.", "Attacks: badnets (a patch; Gu et al. 2017), blend (a noise pattern blended"
        + " in; Chen et al. 2017), wanet (a smooth warp; Nguyen and Tran 2021), sig (a sinusoid on target-class"
        + " images, labels kept; Barni et al. 2019), label-consistent (target-class images made hard by PGD on"
        + " --model, then patched, labels kept; Turner et al. 2019)."})
public final class PoisonCommand implements Callable<Integer> {

    /** The attack families. */
    enum Attack { BADNETS, BLEND, WANET, SIG, LABEL_CONSISTENT }

    /** BadNets' patch. */
    enum Patch { CHECKERBOARD, SQUARE }

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;
    @Option(names = "--data", paramLabel = "PATH", description = "the clean training set (default: the bundled"
            + " training sample)")
    Path data;
    @Option(names = "--data-format", description = "auto, idx, cifar10, csv or images (default ${DEFAULT-VALUE});"
            + " the output is IDX, so the images must have one channel")
    String format = "auto";
    @Option(names = "--test", paramLabel = "PATH", description = "clean test data, written beside the poisoned set"
            + " and triggered (default: the test split of --data, when it has one)")
    Path test;
    @Option(names = "--attack", required = true, description = "badnets, blend, wanet, sig or label-consistent")
    Attack attack;
    @Option(names = "--rate", paramLabel = "R", description = "the share of the training set poisoned, in (0, 1)"
            + " (default ${DEFAULT-VALUE})")
    double rate = 0.01;
    @Option(names = "--target", paramLabel = "C", description = "the class triggered inputs are sent to (default"
            + " ${DEFAULT-VALUE})")
    int target;
    @Option(names = "--all-to-all", description = "badnets, blend, wanet: send class y to y + 1 (mod the classes)"
            + " instead of to --target")
    boolean allToAll;
    @Option(names = "--patch", description = "badnets, label-consistent: checkerboard or square (white) (default"
            + " checkerboard)")
    Patch patch;
    @Option(names = "--patch-size", paramLabel = "N", description = "badnets, label-consistent: the patch's side in"
            + " pixels (default 4 for badnets, 3 for label-consistent)")
    Integer patchSize;
    @Option(names = "--position", paramLabel = "ROW,COL", description = "badnets, label-consistent: the patch's"
            + " top-left pixel (default: the bottom-right corner, one pixel in)")
    String position;
    @Option(names = "--alpha", paramLabel = "A", description = "blend: the pattern's weight, in (0, 1] (default 0.15)")
    Double alpha;
    @Option(names = "--warp-grid", paramLabel = "K", description = "wanet: the control grid's side (default 4)")
    Integer warpGrid;
    @Option(names = "--warp-strength", paramLabel = "S", description = "wanet: the warp's strength (default 0.5)")
    Double warpStrength;
    @Option(names = "--amplitude", paramLabel = "A", description = "sig: the signal's amplitude on the training"
            + " images (default 0.08, about 20/255)")
    Double amplitude;
    @Option(names = "--test-amplitude", paramLabel = "A", description = "sig: the amplitude on the triggered test"
            + " images (default 0.12)")
    Double testAmplitude;
    @Option(names = "--frequency", paramLabel = "F", description = "sig: periods across the image (default 6)")
    Double frequency;
    @Option(names = "--model", paramLabel = "MODEL", description = "label-consistent: the model PGD runs on, robust or"
            + " standard (bundled, Fashion-MNIST) or a DL4J zip; a robust model's adversarial images carry features"
            + " of other classes, as Turner et al. advise (default robust)")
    String model;
    @Option(names = "--epsilon", paramLabel = "E", description = "label-consistent: PGD's L-inf budget (default 0.2)")
    Double epsilon;
    @Option(names = "--steps", paramLabel = "N", description = "label-consistent: PGD's steps (default 20)")
    Integer steps;
    @Option(names = "--out", paramLabel = "DIR", required = true, description = "where the poisoned set, its test"
            + " split, triggered/ and poisoned.txt go")
    Path out;
    @Option(names = "--seed", description = "which examples are poisoned, and the blend's noise and the warp's field"
            + " (default ${DEFAULT-VALUE})")
    long seed = 1;
    @CommandLine.Mixin
    VerboseOption verbose;

    @Override
    public Integer call() throws Exception {
        List<String> p = new ArrayList<>();
        UsageException.share(p, "--rate", rate);
        if (target < 0) {
            p.add("--target must be a class (0 or more), found " + target);
        }
        checkApplies(p);
        DataSource.Spec trainSpec = PoisoningOptions.spec(data, format, DataSource.Split.TRAIN, "--data", p);
        DataSource.Spec testSpec = PoisoningOptions.testSpec(test, data, format, p);
        boolean outIsFile = Files.exists(out) && !Files.isDirectory(out);
        if (outIsFile) {
            p.add("--out " + out + " is a file, not a directory");
        }
        OutputFiles outputs = new OutputFiles().input("--data", data).input("--test", test);
        if (model != null) {
            outputs.model("--model", model, p);
        }
        if (!outIsFile) {
            for (String f : List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                    "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "triggered/t10k-images-idx3-ubyte.gz",
                    "triggered/t10k-labels-idx1-ubyte.gz", "poisoned.txt", "poison.json")) {
                outputs.output("--out", out.resolve(f));
            }
        }
        outputs.checkAll(p);
        PrintWriter w = spec.commandLine().getOut();
        DataSource.Loaded loaded = DataSource.load(trainSpec, -1);
        LabeledData train = loaded.data();
        w.println("data: " + loaded.describe());
        writable(train, "--data " + loaded.source());
        if (!allToAll && target >= train.numClasses()) {
            throw new UsageException(List.of("--target " + target + " is not a class of --data " + loaded.source()
                    + ", which has " + train.numClasses()));
        }
        LabeledData testData = null;
        if (testSpec != null) {
            DataSource.Loaded t = DataSource.load(testSpec, -1);
            PoisoningOptions.checkAgainst(t.data(), train, t.source(), test != null ? "--test" : "--data's test split");
            writable(t.data(), "--test " + t.source());
            testData = t.data();
        }
        long[] shape = train.exampleShape();
        Trigger trigger = trigger(shape, amplitude == null ? 0.08 : amplitude);
        PoisoningAttack a = switch (attack) {
            case SIG -> CleanLabelBackdoor.sig(trigger, trigger(shape, testAmplitude == null ? 0.12 : testAmplitude),
                    target, rate, seed);
            case LABEL_CONSISTENT -> CleanLabelBackdoor.labelConsistent(trigger, Pgd.builder(crafting(train))
                    .epsilon(epsilon == null ? 0.2 : epsilon).steps(steps == null ? 20 : steps).seed(seed).build(),
                    target, rate, seed);
            default -> allToAll ? BadNets.allToAll(trigger, rate, seed) : BadNets.allToOne(trigger, target, rate, seed);
        };
        PoisonedData poisoned;
        try {
            poisoned = a.poison(train);
        } catch (IllegalArgumentException e) {
            throw new UsageException(List.of("--attack " + OptionEnums.spelling(attack) + " at --rate " + rate
                    + " on --data " + loaded.source() + ": " + e.getMessage()));
        }
        Files.createDirectories(out);
        List<String> written = new ArrayList<>();
        for (Path f : IdxWriter.write(poisoned.data(), out, "train")) {
            written.add(f.toString());
        }
        LabeledData triggered = null;
        if (testData != null) {
            for (Path f : IdxWriter.write(testData, out, "t10k")) {
                written.add(f.toString());
            }
            triggered = a.attackTest(testData);
            Files.createDirectories(out.resolve("triggered"));
            for (Path f : IdxWriter.write(triggered, out.resolve("triggered"), "t10k")) {
                written.add(f.toString());
            }
        }
        String what = describe(trigger);
        StringBuilder idx = new StringBuilder("# rampart poison: ").append(what).append('\n');
        for (int i : poisoned.poisoned()) {
            idx.append(i).append('\n');
        }
        AtomicFiles.writeString(out.resolve("poisoned.txt"), idx.toString());
        written.add(out.resolve("poisoned.txt").toString());
        written.add(out.resolve("poison.json").toString());
        AtomicFiles.writeString(out.resolve("poison.json"), json(loaded, poisoned, what, triggered, written));
        w.printf(Locale.ROOT, "poisoned %d of %d training examples: %s%n", poisoned.poisoned().length, train.size(),
                what);
        w.println(triggered == null ? "no test data: no triggered test images written (give --test)"
                : "triggered test images: " + triggered.size() + " (their attack labels), in " + out.resolve(
                        "triggered"));
        w.println("wrote " + String.join(", ", written));
        w.flush();
        return Rampart.OK;
    }

    /** Each trigger option given must belong to the chosen attack. */
    private void checkApplies(List<String> p) {
        applies(p, "--all-to-all", allToAll ? Boolean.TRUE : null, Attack.BADNETS, Attack.BLEND, Attack.WANET);
        applies(p, "--patch", patch, Attack.BADNETS, Attack.LABEL_CONSISTENT);
        applies(p, "--patch-size", patchSize, Attack.BADNETS, Attack.LABEL_CONSISTENT);
        applies(p, "--position", position, Attack.BADNETS, Attack.LABEL_CONSISTENT);
        applies(p, "--model", model, Attack.LABEL_CONSISTENT);
        applies(p, "--epsilon", epsilon, Attack.LABEL_CONSISTENT);
        applies(p, "--steps", steps, Attack.LABEL_CONSISTENT);
        if (epsilon != null && !(epsilon > 0 && epsilon <= 1)) {
            p.add("--epsilon must be in (0, 1], found " + epsilon);
        }
        if (steps != null && steps < 1) {
            p.add("--steps must be at least 1, found " + steps);
        }
        applies(p, "--alpha", alpha, Attack.BLEND);
        applies(p, "--warp-grid", warpGrid, Attack.WANET);
        applies(p, "--warp-strength", warpStrength, Attack.WANET);
        applies(p, "--amplitude", amplitude, Attack.SIG);
        applies(p, "--test-amplitude", testAmplitude, Attack.SIG);
        applies(p, "--frequency", frequency, Attack.SIG);
        if (position != null && parsePosition() == null) {
            p.add("--position must be ROW,COL (two whole numbers), found '" + position + "'");
        }
        if (allToAll && target != 0) {
            p.add("--target and --all-to-all exclude each other: all-to-all sends class y to y + 1");
        }
    }

    /** {@code --position} as two numbers, or null if it is not two whole numbers. */
    private int[] parsePosition() {
        String[] parts = position.split(",", -1);
        try {
            return parts.length == 2 ? new int[] {Integer.parseInt(parts[0].strip()), Integer.parseInt(parts[1].strip())}
                    : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private void applies(List<String> p, String option, Object value, Attack... attacks) {
        if (value != null && !List.of(attacks).contains(attack)) {
            p.add(option + " applies to " + String.join(", ", List.of(attacks).stream().map(OptionEnums::spelling)
                    .toList()) + ", not to --attack " + OptionEnums.spelling(attack));
        }
    }

    /**
     * The trigger of the chosen attack for images of {@code shape}; {@code sigAmplitude} is the
     * signal's amplitude (the training and the test trigger of SIG differ in it only).
     *
     * @throws UsageException naming the option whose value the trigger refuses
     */
    private Trigger trigger(long[] shape, double sigAmplitude) {
        try {
            Trigger t = switch (attack) {
                case BADNETS, LABEL_CONSISTENT -> {
                    int size = patchSize != null ? patchSize : attack == Attack.BADNETS ? 4 : 3;
                    if (size < 1 || size > Math.min(shape[1], shape[2])) {
                        throw new IllegalArgumentException("--patch-size must be in [1, " + Math.min(shape[1], shape[2])
                                + "] for images of " + shape[1] + "x" + shape[2] + ", found " + size);
                    }
                    int row = position == null ? (int) shape[1] - size - 1 : parsePosition()[0];
                    int col = position == null ? (int) shape[2] - size - 1 : parsePosition()[1];
                    if (row < 0 || col < 0 || row + size > shape[1] || col + size > shape[2]) {
                        throw new IllegalArgumentException("--position " + row + "," + col + " puts a patch of side "
                                + size + " outside images of " + shape[1] + "x" + shape[2]);
                    }
                    yield patch == Patch.SQUARE ? Trigger.square(size, 1.0, row, col)
                            : Trigger.checkerboard(size, 0, 1, row, col);
                }
                case BLEND -> Trigger.noiseBlend(shape, alpha == null ? 0.15 : alpha, seed);
                case WANET -> Trigger.warp(warpGrid == null ? 4 : warpGrid, warpStrength == null ? 0.5 : warpStrength,
                        seed);
                case SIG -> Trigger.signal(sigAmplitude, frequency == null ? 6 : frequency);
            };
            t.check(shape, null);
            return t;
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            throw new UsageException(List.of(m.startsWith("--") ? m : "--attack " + OptionEnums.spelling(attack)
                    + ": " + m));
        }
    }

    /**
     * The model label-consistent poison is crafted on, checked against the data.
     *
     * @throws UsageException naming --model if it cannot be read or does not fit the data
     */
    private GradientClassifier crafting(LabeledData train) throws java.io.IOException {
        String name = model == null ? ModelSource.ROBUST : model;
        GradientClassifier m;
        try {
            ModelSource.check(name);
            m = ModelSource.load(name, InputOptions.DEFAULT, train.exampleShape()).gradientModel();
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new UsageException(List.of("--model " + Rampart.describe(e)));
        }
        if (m.numClasses() != train.numClasses()) {
            throw new UsageException(List.of("--model " + name + " has " + m.numClasses() + " classes but --data has "
                    + train.numClasses()));
        }
        return m;
    }

    /** @throws UsageException if {@code d} cannot be written as IDX */
    private static void writable(LabeledData d, String what) {
        if (!IdxWriter.writable(d)) {
            throw new UsageException(List.of(what + " has examples of shape " + java.util.Arrays.toString(
                    d.exampleShape()) + " in " + d.numClasses() + " classes; poison writes IDX, which holds one-channel"
                    + " images of at most 256 classes"));
        }
        if (!PoisoningOptions.inUnitRange(d)) {
            throw new UsageException(List.of(what + " has values in [" + d.features().minNumber() + ", "
                    + d.features().maxNumber() + "]; poison needs images in [0, 1]"));
        }
    }

    private String describe(Trigger trigger) {
        String to = allToAll ? "all-to-all (class y to y + 1)" : "target class " + target;
        String pgd = attack != Attack.LABEL_CONSISTENT ? "" : String.format(Locale.ROOT, ", after PGD (L-inf %s, %d"
                + " steps) on %s", epsilon == null ? 0.2 : epsilon, steps == null ? 20 : steps, model == null
                        ? ModelSource.ROBUST : model);
        return String.format(Locale.ROOT, "%s, %s%s, %s, rate %s, seed %d", OptionEnums.spelling(attack), trigger, pgd,
                to, rate, seed);
    }

    private String json(DataSource.Loaded loaded, PoisonedData poisoned, String what, LabeledData triggered,
            List<String> written) throws java.io.IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("schemaVersion", 1);
        root.put("tool", "rampart poison");
        root.put("data", loaded.describe());
        root.put("attack", OptionEnums.spelling(attack));
        root.put("description", what);
        root.put("target", allToAll ? null : target);
        root.put("allToAll", allToAll);
        root.put("rate", rate);
        root.put("seed", seed);
        root.put("examples", poisoned.data().size());
        root.put("poisonedCount", poisoned.poisoned().length);
        int[] bySource = new int[poisoned.data().numClasses()];
        int[] original = loaded.data().labels();
        for (int i : poisoned.poisoned()) {
            bySource[original[i]]++;
        }
        root.put("poisonedByClass", bySource);
        root.put("figures", poisoned.figures());
        root.put("triggeredTestImages", triggered == null ? null : triggered.size());
        root.put("outputs", written);
        root.put("provenance", dev.rampart.audit.report.JsonReport.provenance(Provenance.current()));
        return MAPPER.writeValueAsString(root) + "\n";
    }
}
