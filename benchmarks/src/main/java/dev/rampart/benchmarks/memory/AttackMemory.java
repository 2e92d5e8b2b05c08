package dev.rampart.benchmarks.memory;

import dev.rampart.attacks.evasion.Apgd;
import dev.rampart.attacks.evasion.EvasionAttack;
import dev.rampart.attacks.evasion.Pgd;
import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.model.zoo.ReferenceModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

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
 * Options: {@code --model cnn|mlp} (cnn), {@code --attack pgd|apgd} (pgd: PGD-20), {@code --batch N}
 * (256), {@code --steps N} gradient steps of the whole batch (5,000), {@code --every S} seconds
 * between lines (5). {@code -Drampart.noWorkspace=true} turns Rampart's workspaces off, for the
 * comparison.
 */
@picocli.CommandLine.Command(name = "attack-memory", mixinStandardHelpOptions = true,
        description = "Resident memory of a long attack run.")
public final class AttackMemory implements java.util.concurrent.Callable<Integer> {

    @picocli.CommandLine.Option(names = "--model", description = "cnn or mlp (default ${DEFAULT-VALUE})")
    String name = "cnn";
    @picocli.CommandLine.Option(names = "--attack", description = "pgd or apgd (default ${DEFAULT-VALUE})")
    String attackName = "pgd";
    @picocli.CommandLine.Option(names = "--batch", description = "batch size (default ${DEFAULT-VALUE})")
    int batch = 256;
    @picocli.CommandLine.Option(names = "--steps", description = "gradient steps (default ${DEFAULT-VALUE})")
    long steps = 5000;
    @picocli.CommandLine.Option(names = "--every", description = "seconds between lines (default ${DEFAULT-VALUE})")
    double every = 5;
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
        if (gcWindow > 0) {
            org.nd4j.linalg.factory.Nd4j.getMemoryManager().setAutoGcWindow((int) gcWindow);
            org.nd4j.linalg.factory.Nd4j.getMemoryManager().togglePeriodicGc(true);
        }
        MultiLayerNetworkModel model = MultiLayerNetworkModel.of(ReferenceModels.byName(name, 1),
                ReferenceModels.INPUT_SHAPE, InputDomain.UNIT);
        LabeledData data = FashionMnist.bundledTest().head(batch);
        EvasionAttack attack = switch (attackName) {
            case "pgd" -> Pgd.builder(model).steps(20).batchSize(batch).build();
            case "apgd" -> Apgd.builder(model).steps(20).batchSize(batch).build();
            default -> throw new IllegalArgumentException("--attack must be pgd or apgd");
        };
        long start = System.nanoTime();
        double next = 0;
        long done = 0;
        System.out.println("# model=" + name + " attack=" + attack.name() + " batch=" + batch + " workspaces="
                + !Boolean.getBoolean("rampart.noWorkspace") + " gcWindow=" + gcWindow + " maxHeap=" + Runtime.getRuntime().maxMemory() / (1 << 20)
                + "MB");
        System.out.println("seconds steps rss_mb heap_committed_mb");
        while (done < steps) {
            dev.rampart.attacks.evasion.EvasionResult r = attack.run(data.features(), data.labels());
            if (closeResults) {
                r.adversarial().close();
            }
            done += 20;
            double t = (System.nanoTime() - start) / 1e9;
            if (t >= next || done >= steps) {
                System.out.printf(Locale.ROOT, "%.1f %d %d %d %s%n", t, done, rssMb(),
                        Runtime.getRuntime().totalMemory() >> 20, workspaces());
                next = t + every;
            }
        }
        return 0;
    }

    /** Each Rampart workspace of this thread: size, spilled and pinned bytes, in MB. */
    static String workspaces() {
        StringBuilder sb = new StringBuilder();
        for (String id : new String[] {dev.rampart.core.memory.Workspaces.BATCH, dev.rampart.core.memory.Workspaces.LOOP,
            dev.rampart.core.memory.Workspaces.PASS}) {
            if (org.nd4j.linalg.factory.Nd4j.getWorkspaceManager().checkIfWorkspaceExists(id)) {
                org.nd4j.linalg.api.memory.abstracts.Nd4jWorkspace w = (org.nd4j.linalg.api.memory.abstracts.Nd4jWorkspace)
                        org.nd4j.linalg.factory.Nd4j.getWorkspaceManager()
                        .getWorkspaceForCurrentThread(id);
                sb.append(String.format(Locale.ROOT, "%s=%d/%d/%d ", id.replace("RAMPART_", "").toLowerCase(Locale.ROOT),
                        w.getCurrentSize() >> 20, w.getSpilledSize() >> 20, w.getPinnedSize() >> 20));
            }
        }
        return sb.toString().trim();
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
