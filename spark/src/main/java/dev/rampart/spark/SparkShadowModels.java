package dev.rampart.spark;

import dev.rampart.attacks.inference.Confidences;
import dev.rampart.attacks.inference.ShadowModels;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Shadow models for membership inference (Shokri et al. 2017; LiRA, Carlini et al. 2022) trained as
 * Spark tasks, one per shadow: each task trains its shadow with the user's routine and returns only
 * its answers on the population. Each shadow's data and seed depend only on its index, so the
 * shadows equal those of a run on one machine.
 *
 * <pre>{@code
 * TrainingRoutine routine = (TrainingRoutine & Serializable) (data, seed) -> trainLikeTheTarget(data, seed);
 * ShadowModels shadows = ShadowModels.train(candidates, routine, 64, 42, null, SparkShadowModels.runner(sc));
 * }</pre>
 */
public final class SparkShadowModels {

    private SparkShadowModels() {
    }

    /**
     * A runner that trains the shadows on {@code sc}, one partition per shadow.
     *
     * @throws IllegalArgumentException if {@code sc} is null
     */
    public static ShadowModels.Runner runner(JavaSparkContext sc) {
        if (sc == null) {
            throw new IllegalArgumentException("sc must not be null");
        }
        return (count, shadow) -> {
            List<Integer> ids = IntStream.range(0, count).boxed().collect(Collectors.toList());
            try {
                List<Confidences> out = sc.parallelize(ids, count).map(shadow::train).collect();
                return out.toArray(new Confidences[0]);
            } catch (Exception e) {
                throw new IllegalStateException("training the shadow models on Spark failed: " + firstLine(e), e);
            }
        };
    }

    static String firstLine(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.io.NotSerializableException) {
                return "a task is not serializable (" + t.getMessage() + "): the training routine and"
                        + " what it captures must be, for a lambda (TrainingRoutine & Serializable) (data, seed) -> ...";
            }
        }
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
