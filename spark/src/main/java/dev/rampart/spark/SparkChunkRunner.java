package dev.rampart.spark;

import dev.rampart.core.io.IoErrors;
import dev.rampart.audit.BadRecordException;
import dev.rampart.audit.ChunkRunner;
import dev.rampart.audit.ModelLoadException;
import dev.rampart.audit.source.ShippedModel;
import dev.rampart.core.model.Classifier;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * The audit's chunks on Apache Spark: {@code ./rampart audit --spark local[2]}. The evaluation set
 * is parallelized once per model (cached), the model is broadcast once as its file's bytes and
 * loaded once per executor JVM, and each task evaluates whole chunks; the driver collects the
 * results in chunk order and builds the same report as a local run. A failing record or model
 * fails the job with Rampart's message (record index, model name) as the cause.
 *
 * <pre>{@code
 * try (ChunkRunner runner = new SparkChunkRunner.Factory().open("local[2]", 0)) {
 *     AuditReport r = Audit.run(config, targets, data, progress, runner);
 * }
 * }</pre>
 */
public final class SparkChunkRunner implements ChunkRunner {

    private final JavaSparkContext sc;
    private final boolean owned;
    private final int partitions;
    private final Map<ShippedModel, Broadcast<ShippedModel>> shipped = new IdentityHashMap<>();
    private final Map<List<Chunk>, JavaRDD<Chunk>> cached = new IdentityHashMap<>();

    /** A runner on an existing context (not closed by {@link #close()}). */
    public SparkChunkRunner(JavaSparkContext sc, int partitions) {
        this(sc, false, partitions);
    }

    private SparkChunkRunner(JavaSparkContext sc, boolean owned, int partitions) {
        if (sc == null) {
            throw new IllegalArgumentException("sc must not be null");
        }
        if (partitions < 0) {
            throw new IllegalArgumentException("partitions must be non-negative (0: one per chunk), found "
                    + partitions);
        }
        this.sc = sc;
        this.owned = owned;
        this.partitions = partitions;
    }

    /** Opens a context of its own on a master URL; registered for {@link ChunkRunner#distributed}. */
    public static final class Factory implements ChunkRunner.Factory {

        /** The master URLs Spark 3.5 takes: local ones, standalone, YARN, Kubernetes, Mesos. */
        private static final java.util.regex.Pattern FORM = java.util.regex.Pattern.compile(
                "local(\\[(\\*|[1-9][0-9]*)(,[1-9][0-9]*)?\\])?|local-cluster\\[[1-9][0-9]*, *[1-9][0-9]*, *[1-9][0-9]*\\]"
                        + "|spark://.+|yarn|k8s://.+|mesos://.+");

        @Override
        public void check(String master) {
            if (master == null || master.isBlank()) {
                throw new IllegalArgumentException("--spark needs a master URL, such as local[2]");
            }
            if (!FORM.matcher(master).matches()) {
                throw new IllegalArgumentException("--spark " + master + " is not a Spark master URL (local, local[N],"
                        + " local[*], spark://host:port, yarn, k8s://..., mesos://...)");
            }
            checkReachable(master);
        }

        @Override
        public ChunkRunner open(String master, int partitions) {
            return new SparkChunkRunner(context(master, "rampart-audit"), true, partitions);
        }

        /**
         * A Spark context on {@code master} (checked first) with the UI off and Spark's own logging
         * at ERROR; the caller stops it.
         *
         * @throws IllegalArgumentException naming the master and why Spark could not start on it
         */
        public static JavaSparkContext context(String master, String appName) {
            new Factory().check(master);
            SparkConf conf = new SparkConf().setAppName(appName).setMaster(master)
                    .setIfMissing("spark.ui.enabled", "false");
            // Spark logs its own stack trace when a context fails to start; the error below says it in one line
            quiet("org.apache.spark.SparkContext");
            // Spark's scheduler logs every stage at INFO: hundreds of lines a federation
            String key = "org.slf4j.simpleLogger.log.org.apache.spark";
            if (System.getProperty(key) == null) {
                System.setProperty(key, "warn");
            }
            JavaSparkContext sc;
            try {
                sc = new JavaSparkContext(conf);
            } catch (Exception e) {
                throw new IllegalArgumentException("--spark: cannot start Spark on '" + master + "': "
                        + IoErrors.reason(e), e);
            }
            sc.setLogLevel("ERROR");
            return sc;
        }
    }

    private static void quiet(String logger) {
        String key = "org.slf4j.simpleLogger.log." + logger;
        if (System.getProperty(key) == null) {
            System.setProperty(key, "off");
        }
    }

    /** The longest wait for a standalone master to accept a connection. */
    private static final int CONNECT_TIMEOUT_MS = 5000;

    /**
     * For a standalone master ({@code spark://host:port[,host:port]}), checks that one of its hosts
     * accepts a connection, so that an unreachable master is refused at once (Spark itself retries
     * for a minute, then stops the context in the background).
     *
     * @throws IllegalArgumentException naming the URL and why no host can be reached
     */
    static void checkReachable(String master) {
        if (!master.startsWith("spark://")) {
            return;
        }
        List<String> problems = new ArrayList<>();
        for (String hostPort : master.substring("spark://".length()).split(",")) {
            int colon = hostPort.lastIndexOf(':');
            String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
            int port;
            try {
                port = colon < 0 ? 7077 : Integer.parseInt(hostPort.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--spark " + master + ": '" + hostPort + "' is not host:port");
            }
            if (host.isBlank() || port <= 0 || port > 65535) {
                throw new IllegalArgumentException("--spark " + master + ": '" + hostPort + "' is not host:port");
            }
            try (java.net.Socket s = new java.net.Socket()) {
                s.connect(new java.net.InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
                return;
            } catch (java.io.IOException e) {
                problems.add(hostPort + ": " + (e instanceof java.net.UnknownHostException ? "unknown host"
                        : IoErrors.reason(e)));
            }
        }
        throw new IllegalArgumentException("--spark " + master + ": the Spark master is unreachable ("
                + String.join("; ", problems) + ")");
    }

    @Override
    public <R extends Serializable> List<R> map(Classifier local, ShippedModel model, List<Chunk> chunks,
            Work<R> work) {
        if (model == null) {
            throw new IllegalArgumentException("a Spark run needs the model's shipment (Audit.Target.shipment)");
        }
        Broadcast<ShippedModel> shipment = shipped.computeIfAbsent(model, sc::broadcast);
        JavaRDD<Chunk> rdd = cached.computeIfAbsent(chunks, c -> sc.parallelize(c, partitions > 0 ? partitions
                : c.size()).cache());
        try {
            List<R> out = rdd.mapPartitions((Iterator<Chunk> it) -> {
                Classifier m = shipment.value().load();
                List<R> done = new ArrayList<>();
                while (it.hasNext()) {
                    Chunk c = it.next();
                    c.check(m.domain());
                    done.add(work.apply(m, c));
                }
                return done.iterator();
            }).collect();
            return new ArrayList<>(out);
        } catch (Exception e) { // Spark throws its checked SparkException unchecked
            throw rampartCause(e);
        }
    }

    /**
     * Rampart's own error behind a failed job (a bad record or a model that could not be loaded),
     * found by type in the causes Spark carries back, or the job's own error.
     */
    static RuntimeException rampartCause(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BadRecordException || t instanceof ModelLoadException) {
                return new IllegalArgumentException("the Spark job failed: " + t.getMessage(), t);
            }
        }
        return e instanceof RuntimeException r ? r : new IllegalStateException("the Spark job failed: "
                + dev.rampart.core.io.IoErrors.reason(e), e);
    }

    @Override
    public String describe() {
        return "Spark " + sc.master() + " (" + sc.defaultParallelism() + " cores), "
                + (partitions > 0 ? partitions + " partitions" : "one partition per batch");
    }

    @Override
    public void close() {
        for (JavaRDD<Chunk> r : cached.values()) {
            r.unpersist();
        }
        cached.clear();
        for (Broadcast<ShippedModel> b : shipped.values()) {
            b.destroy();
        }
        shipped.clear();
        if (owned) {
            sc.close();
        }
    }
}
