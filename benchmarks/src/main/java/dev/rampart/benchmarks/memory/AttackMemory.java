package dev.rampart.benchmarks.memory;

import dev.rampart.attacks.evasion.Apgd;
import dev.rampart.attacks.evasion.EvasionAttack;
import dev.rampart.attacks.evasion.Pgd;
import dev.rampart.attacks.extraction.KnockoffNets;
import dev.rampart.attacks.extraction.Substitute;
import dev.rampart.attacks.inference.ModelInversion;
import dev.rampart.attacks.poisoning.FeatureCollision;
import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.zoo.ReferenceModels;
import dev.rampart.defenses.poisoning.NeuralCleanse;
import dev.rampart.defenses.privacy.DpSgd;
import dev.rampart.defenses.privacy.NoiseSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Resident memory of a long attack run: repeats an attack on one batch of the bundled sample until
 * a number of gradient steps is reached, and prints the process's resident set size (VmRSS from
 * {@code /proc/self/status}) and the Java heap's committed size every few seconds, as
 * {@code seconds steps rss_mb heap_committed_mb} lines.
 *
 * <pre>
 * ./mvnw -q -pl benchmarks -am -DskipTests compile exec:exec -Dexec.executable=java \
 *   -Dexec.args="-Xmx1g -cp %classpath dev.rampart.benchmarks.memory.AttackMemory --model cnn --steps 5000"
 * </pre>
 *
 * Options: {@code --model cnn|mlp} (cnn), {@code --attack} (pgd: PGD-20), {@code --batch N}
 * (256), {@code --steps N} gradient steps of the whole batch (5,000), {@code --every S} seconds
 * between lines (5), {@code --seconds S} stop after this long instead (0: off).
 * {@code -Drampart.noWorkspace=true} turns Rampart's workspaces off, for the comparison.
 *
 * <p>Besides the evasion attacks ({@code pgd}, {@code apgd}), the other families' long loops run
 * round after round, and the steps column counts their rounds: {@code dpsgd} (one DP-SGD epoch
 * over 2,000 images, expected batch {@code --batch}), {@code inversion} (white-box model inversion
 * of the ten classes, 50 steps), {@code knockoff} (one adaptive Knockoff Nets probe of 30,000 queries from the bundled images
 * eight times over),
 * {@code feature-collision} (32 poisons, 50 steps) and {@code neural-cleanse} (a scan of every
 * class on 500 images, 50 steps each).
 */
@picocli.CommandLine.Command(name = "attack-memory", mixinStandardHelpOptions = true,
        description = "Resident memory of a long attack run.")
public final class AttackMemory implements java.util.concurrent.Callable<Integer> {

    @picocli.CommandLine.Option(names = "--model", description = "cnn or mlp (default ${DEFAULT-VALUE})")
    String name = "cnn";
    @picocli.CommandLine.Option(names = "--attack", description = "pgd, apgd, dpsgd, inversion, knockoff,"
            + " feature-collision or neural-cleanse (default ${DEFAULT-VALUE})")
    String attackName = "pgd";
    @picocli.CommandLine.Option(names = "--batch", description = "batch size (default ${DEFAULT-VALUE})")
    int batch = 256;
    @picocli.CommandLine.Option(names = "--steps", description = "gradient steps (default ${DEFAULT-VALUE})")
    long steps = 5000;
    @picocli.CommandLine.Option(names = "--every", description = "seconds between lines (default ${DEFAULT-VALUE})")
    double every = 5;
    @picocli.CommandLine.Option(names = "--seconds", description = "stop after this many seconds (0: after --steps)")
    double seconds;
    @picocli.CommandLine.Option(names = "--gc-window", description = "ND4J's periodic garbage collection, every this"
            + " many milliseconds (0: off, the default; the ./rampart tool uses 5000)")
    long gcWindow;
    @picocli.CommandLine.Option(names = "--close-results", description = "free each result's adversarial examples"
            + " at once (INDArray.close) instead of leaving them to the garbage collector")
    boolean closeResults;

    public static void main(String[] args) {
        System.exit(new picocli.CommandLine(new AttackMemory()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        picocli.CommandLine cl = new picocli.CommandLine(this);
        if (batch <= 0 || steps <= 0 || !(every > 0) || !(seconds >= 0) || gcWindow < 0 || gcWindow > Integer.MAX_VALUE) {
            throw new picocli.CommandLine.ParameterException(cl, "--batch and --steps must be positive (found " + batch
                    + ", " + steps + "), --every positive (found " + every + "), --seconds and --gc-window not"
                    + " negative (found " + seconds + ", " + gcWindow + ")");
        }
        if (gcWindow > 0) {
            org.nd4j.linalg.factory.Nd4j.getMemoryManager().setAutoGcWindow((int) gcWindow);
            org.nd4j.linalg.factory.Nd4j.getMemoryManager().togglePeriodicGc(true);
        }
        MultiLayerNetworkModel model = MultiLayerNetworkModel.of(ReferenceModels.byName(name, 1),
                ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
        LabeledData data = FashionMnist.bundledTest().head(batch);
        Round round = round(model, data);
        long start = System.nanoTime();
        java.util.concurrent.atomic.AtomicLong done = new java.util.concurrent.atomic.AtomicLong();
        System.out.println("# model=" + name + " attack=" + attackName + " batch=" + batch + " workspaces="
                + !Boolean.getBoolean("rampart.noWorkspace") + " gcWindow=" + gcWindow + " maxHeap="
                + Runtime.getRuntime().maxMemory() / (1 << 20) + "MB");
        System.out.println("seconds steps rss_mb heap_committed_mb");
        // sampled on a thread of its own, so that one long round (a large Knockoff budget) is watched too
        java.util.concurrent.ScheduledExecutorService sampler = java.util.concurrent.Executors
                .newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "rampart-memory-sampler");
                    t.setDaemon(true);
                    return t;
                });
        sampler.scheduleAtFixedRate(() -> line(start, done.get()), 0, (long) (every * 1000),
                java.util.concurrent.TimeUnit.MILLISECONDS);
        while (seconds > 0 ? (System.nanoTime() - start) / 1e9 < seconds : done.get() < steps) {
            done.addAndGet(round.run());
        }
        sampler.shutdownNow();
        line(start, done.get());
        return 0;
    }

    private static void line(long start, long done) {
        try {
            System.out.printf(Locale.ROOT, "%.1f %d %d %d%n", (System.nanoTime() - start) / 1e9, done, rssMb(),
                    Runtime.getRuntime().totalMemory() >> 20);
        } catch (IOException e) {
            System.out.println("# " + e);
        }
    }

    /** One round of the measured loop; returns the steps (or rounds) it counts for. */
    private interface Round {
        long run();
    }

    private Round round(MultiLayerNetworkModel model, LabeledData data) throws IOException {
        LabeledData train = FashionMnist.bundledTrain();
        switch (attackName) {
            case "pgd", "apgd" -> {
                EvasionAttack attack = attackName.equals("pgd") ? Pgd.builder(model).steps(20).batchSize(batch).build()
                        : Apgd.builder(model).steps(20).batchSize(batch).build();
                return () -> {
                    dev.rampart.attacks.evasion.EvasionResult r = attack.run(data.features(), data.labels());
                    if (closeResults) {
                        r.adversarial().close();
                    }
                    return 20;
                };
            }
            case "dpsgd" -> {
                MultiLayerNetworkModel mlp = MultiLayerNetworkModel.of(ReferenceModels.byName("mlp", 1),
                        ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
                DpSgd<MultiLayerNetworkModel> dp = DpSgd.builder(mlp).expectedBatchSize(batch).epochs(1).seed(1)
                        .noise(NoiseSource.seeded(1)).build();
                LabeledData d = train.head(2000);
                return () -> {
                    dp.fit(d);
                    return 1;
                };
            }
            case "inversion" -> {
                ModelInversion inversion = ModelInversion.whiteBox(model)
                        .with(new ModelInversion.Config(50, 0.1, 100, 0.99, 1e-3));
                int[] classes = java.util.stream.IntStream.range(0, 10).toArray();
                return () -> {
                    inversion.invert(classes);
                    return 1;
                };
            }
            case "knockoff" -> {
                Substitute mlp = new Substitute(seed -> MultiLayerNetworkModel.of(ReferenceModels.mlp(seed),
                        ReferenceModels.INPUT_SHAPE, InputDomain.UNIT), 1, 64);
                // one long probe: 30,000 queries, 600 bandit rounds, each with a pass of the online substitute
                // the 4,000 bundled images eight times over: a pool of 32,000
                INDArray[] copies = new INDArray[8];
                java.util.Arrays.fill(copies, train.features());
                int[] actions = new int[8 * train.size()];
                for (int i = 0; i < actions.length; i++) {
                    actions[i] = train.labels()[i % train.size()];
                }
                KnockoffNets probe = KnockoffNets.builder(model).pool(Nd4j.concat(0, copies)).adaptive(actions)
                        .budgets(30_000).substitute(mlp).heldOut(data).seed(1).build();
                return () -> {
                    probe.run();
                    return 1;
                };
            }
            case "feature-collision" -> {
                LabeledData d = train.head(2000);
                FeatureCollision attack = FeatureCollision.builder(model).target(data.features().slice(0))
                        .baseClass(data.labels()[0] == 0 ? 1 : 0).poisons(32).steps(50).seed(1).build();
                return () -> {
                    attack.poison(d);
                    return 1;
                };
            }
            case "neural-cleanse" -> {
                NeuralCleanse nc = NeuralCleanse.builder(model).steps(50).seed(1).build();
                LabeledData d = FashionMnist.bundledTest().head(500);
                return () -> {
                    nc.scan(d);
                    return 1;
                };
            }
            default -> throw new IllegalArgumentException("--attack must be pgd, apgd, dpsgd, inversion, knockoff,"
                    + " feature-collision or neural-cleanse, found " + attackName);
        }
    }

    /** The resident set size of this process in MB. */
    static long rssMb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        return -1;
    }
}
