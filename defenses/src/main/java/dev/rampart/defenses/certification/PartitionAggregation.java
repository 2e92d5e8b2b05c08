package dev.rampart.defenses.certification;

import dev.rampart.core.check.Check;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.Inputs;
import dev.rampart.core.model.TrainingRoutine;
import dev.rampart.core.random.Seeds;
import dev.rampart.core.report.Provenance;
import dev.rampart.defenses.integrity.DatasetManifest;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * Deep Partition Aggregation (Levine &amp; Feizi, "Deep Partition Aggregation: Provable Defenses
 * against General Poisoning Attacks", ICLR 2021): a certified defense against poisoning. The
 * training set is split into {@code k} parts by a hash of each example's content (its SHA-256
 * digest, as {@link DatasetManifest} records it, modulo {@code k}), one model is trained per part
 * with the user's routine, and the ensemble predicts the class most models vote for (ties to the
 * smaller class). Inserting, removing or changing one training example changes at most one part
 * (a changed example, two), so at most one vote; a prediction with top count {@code nA} and
 * runner-up {@code nB} therefore stands against any {@code floor((nA - nB - [runner-up's class <
 * top class]) / 2)} insertions and removals: its certified poisoning size.
 *
 * <pre>{@code
 * PartitionAggregation dpa = PartitionAggregation.builder(routine).partitions(50).seed(1).build();
 * PartitionAggregation.Ensemble e = dpa.fit(train);
 * PoisoningCertificates c = e.certify(test);
 * c.certifiedAccuracy(10);   // share of test examples right and robust to any 10 poisoned examples
 * }</pre>
 *
 * <p>The parts' models are trained one after the other by default, or by a {@link Runner}
 * elsewhere (the rampart-spark module trains them as Spark tasks); each part's data and seed depend
 * only on its index, so every runner gives the same models.
 */
public final class PartitionAggregation {

    /**
     * The configuration.
     *
     * @param partitions the number of parts and models, {@code k}
     * @param seed the routine's seed of part {@code i} is derived from it and {@code i}
     */
    public record Config(int partitions, long seed) {
        /** @throws IllegalArgumentException naming an invalid value */
        public Config {
            Check.positive("partitions", partitions);
        }
    }

    /** Training the model of one part: a self-contained, serializable task. */
    @FunctionalInterface
    public interface Part extends java.io.Serializable {
        /** Trains the model of part {@code part}. */
        Classifier train(int part);
    }

    /**
     * Where the parts' models are trained. Each part's data and seed depend only on its index, so
     * every runner gives the same models.
     */
    @FunctionalInterface
    public interface Runner {
        /**
         * Runs {@code part} for 0, 1, ..., {@code parts - 1} and returns the models in that order,
         * telling {@code onModel} each part's index once its model is back.
         */
        List<Classifier> run(int parts, Part part, Consumer<Integer> onModel);
    }

    /** The runner that trains the models here, one after the other. */
    public static final Runner LOCAL = (parts, part, onModel) -> {
        List<Classifier> models = new ArrayList<>(parts);
        for (int i = 0; i < parts; i++) {
            models.add(part.train(i));
            onModel.accept(i);
        }
        return models;
    };

    private final TrainingRoutine routine;
    private final Config config;
    private final Runner runner;

    private PartitionAggregation(TrainingRoutine routine, Config config, Runner runner) {
        this.routine = routine;
        this.config = config;
        this.runner = runner;
    }

    public static Builder builder(TrainingRoutine routine) {
        return new Builder(Check.notNull("routine", routine));
    }

    public Config config() {
        return config;
    }

    /** The part of every example of {@code data}: its content digest modulo the number of parts. */
    public int[] partitionOf(LabeledData data) {
        Check.notNull("data", data);
        byte[][] digests = DatasetManifest.exampleDigests(data);
        int[] part = new int[digests.length];
        for (int i = 0; i < part.length; i++) {
            long h = ByteBuffer.wrap(digests[i], 0, Long.BYTES).getLong();
            part[i] = (int) Math.floorMod(h, (long) config.partitions());
        }
        return part;
    }

    /** {@link #fit(LabeledData, Consumer)} without progress. */
    public Ensemble fit(LabeledData train) {
        return fit(train, i -> { });
    }

    /**
     * Trains one model per part of {@code train}, in order; {@code onModel} hears each part's index
     * when its model is trained.
     *
     * @throws IllegalArgumentException if {@code train} is null or a part is empty (fewer examples
     *     than parts, or an unlucky split: use fewer parts)
     * @throws IllegalStateException if the routine returns no model or one of another class count
     */
    public Ensemble fit(LabeledData train, Consumer<Integer> onModel) {
        Check.notNull("train", train);
        int k = config.partitions();
        int[] part = partitionOf(train);
        int[] sizes = new int[k];
        for (int p : part) {
            sizes[p]++;
        }
        for (int i = 0; i < k; i++) {
            if (sizes[i] == 0) {
                throw new IllegalArgumentException("partition " + i + " of " + k + " holds no example of train ("
                        + train.size() + " examples): use fewer partitions");
            }
        }
        List<Classifier> models = runner.run(k, new PartTask(train, part, routine, config.seed()), onModel);
        if (models == null || models.size() != k) {
            throw new IllegalStateException("the runner returned " + (models == null ? "no models" : models.size()
                    + " models") + " for " + k + " parts");
        }
        for (Classifier m : models) {
            if (m == null || m.numClasses() != train.numClasses()) {
                throw new IllegalStateException("the training routine returned " + (m == null ? "no model"
                        : "a model of " + m.numClasses() + " classes") + " for data of " + train.numClasses());
            }
        }
        return new Ensemble(List.copyOf(models), sizes, config);
    }

    /** One part's training: its rows of the training set and a seed derived from its index. */
    private record PartTask(LabeledData train, int[] partOf, TrainingRoutine routine, long seed) implements Part {
        @Override
        public Classifier train(int p) {
            int[] rows = IntStream.range(0, partOf.length).filter(j -> partOf[j] == p).toArray();
            return routine.train(train.rows(rows, train.name() + ":part" + p), Seeds.derive(seed, p));
        }
    }

    /**
     * The trained ensemble: one model per part.
     *
     * @param models the models, by part
     * @param partitionSizes the training examples of each part
     * @param config the configuration
     */
    public record Ensemble(List<Classifier> models, int[] partitionSizes, Config config) {
        /** Copies the arrays. */
        public Ensemble {
            models = List.copyOf(models);
            partitionSizes = partitionSizes.clone();
        }

        @Override
        public int[] partitionSizes() {
            return partitionSizes.clone();
        }

        /**
         * The votes: {@code [n][numClasses]} counts of the models' classes for every example.
         *
         * @throws IllegalArgumentException naming {@code x} if it is not a valid batch for the models
         */
        public int[][] votes(org.nd4j.linalg.api.ndarray.INDArray x) {
            Classifier first = models.get(0);
            Inputs.checkBatch(first, x, "x");
            int n = (int) x.size(0);
            int[][] votes = new int[n][first.numClasses()];
            for (Classifier m : models) {
                int[] c = m.predictClasses(x);
                for (int i = 0; i < n; i++) {
                    votes[i][c[i]]++;
                }
            }
            return votes;
        }

        /** The ensemble's class and certified poisoning size for every example of {@code data}. */
        public PoisoningCertificates certify(LabeledData data) {
            Inputs.checkData(models.get(0), data, "data");
            long t0 = System.nanoTime();
            int[][] votes = votes(data.features());
            int n = votes.length;
            int[] classes = new int[n];
            int[] sizes = new int[n];
            for (int i = 0; i < n; i++) {
                classes[i] = top(votes[i]);
                sizes[i] = certifiedSize(votes[i]);
            }
            return new PoisoningCertificates(classes, sizes, data.labels(), config, (System.nanoTime() - t0) / 1e9,
                    Provenance.current());
        }
    }

    /** The class with the most votes, the smaller class on a tie. */
    public static int top(int[] votes) {
        int best = 0;
        for (int c = 1; c < votes.length; c++) {
            if (votes[c] > votes[best]) {
                best = c;
            }
        }
        return best;
    }

    /**
     * The certified poisoning size of a vote: {@code floor((nA - max over c != A of (n_c + [c < A])) / 2)},
     * the number of training examples that can be inserted or removed without changing the top class.
     *
     * @throws IllegalArgumentException if {@code votes} is null, has fewer than 2 classes or a negative count
     */
    public static int certifiedSize(int[] votes) {
        if (votes == null || votes.length < 2) {
            throw new IllegalArgumentException("votes must count at least 2 classes");
        }
        for (int v : votes) {
            if (v < 0) {
                throw new IllegalArgumentException("votes must not be negative, found " + v);
            }
        }
        int a = top(votes);
        int rival = Integer.MIN_VALUE;
        for (int c = 0; c < votes.length; c++) {
            if (c != a) {
                rival = Math.max(rival, votes[c] + (c < a ? 1 : 0));
            }
        }
        return Math.max(0, (votes[a] - rival) / 2);
    }

    /** Builds a {@link PartitionAggregation}; defaults 50 parts, seed 0. */
    public static final class Builder {
        private final TrainingRoutine routine;
        private int partitions = 50;
        private long seed;
        private Runner runner = LOCAL;

        private Builder(TrainingRoutine routine) {
            this.routine = routine;
        }

        public Builder partitions(int partitions) {
            this.partitions = partitions;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Where the models are trained (default {@link #LOCAL}). For a runner that ships tasks to other
         * JVMs the routine must be serializable (for a lambda: {@code (TrainingRoutine & Serializable)
         * (data, seed) -> ...}).
         */
        public Builder runner(Runner runner) {
            this.runner = runner;
            return this;
        }

        /** @throws IllegalArgumentException naming an invalid setting */
        public PartitionAggregation build() {
            Check.notNull("runner", runner);
            return new PartitionAggregation(routine, new Config(partitions, seed), runner);
        }
    }
}
