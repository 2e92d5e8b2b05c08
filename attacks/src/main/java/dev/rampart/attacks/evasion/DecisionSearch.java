package dev.rampart.attacks.evasion;

import dev.rampart.core.memory.Workspaces;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.random.Seeds;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * What the decision-based attacks (HopSkipJump, Boundary) share: a lockstep search over one batch
 * that reads nothing but the model's top class. Each example starts from uniform noise that fools
 * the model, pulled toward its input by a binary search; the attack's iterations then move it
 * along the decision boundary, and the closest adversarial point is kept. All examples advance
 * together, so that one model call answers a query per example; each keeps its own query count and
 * stops at its budget (or inside a finite epsilon). The state lives in arrays of fixed size made
 * once in the batch's workspace and updated in place; each iteration's temporaries live in the loop
 * workspace, so memory does not grow with the iterations.
 */
abstract class DecisionSearch {

    /** Random starting points tried before an example is given up. */
    static final int INIT_TRIES = 100;

    /** How far past the boundary a result is returned, as a share of its distance to the input. */
    static final double BEYOND = 1e-3;

    final Classifier model;
    final int queries;
    final double epsilon;
    final EvasionTemplate.Batch batch;
    final int n;
    final long d;
    final double theta;
    final InputDomain domain;
    final INDArray x;
    final INDArray current;
    final INDArray best;
    final boolean[] placed;
    final double[] bestDist;
    final long[] used;
    final SplittableRandom[] rnd;
    final boolean[] active;

    DecisionSearch(EvasionTemplate.Batch batch, Classifier model, int queries, double gamma, double epsilon) {
        this.model = model;
        this.queries = queries;
        this.epsilon = epsilon;
        this.batch = batch;
        this.n = batch.size();
        this.x = batch.x();
        this.d = x.length() / n;
        this.theta = gamma / (d * Math.sqrt(d));
        this.domain = model.domain();
        this.current = x.dup();
        this.best = x.dup();
        this.placed = new boolean[n];
        this.bestDist = new double[n];
        this.used = new long[n];
        this.rnd = new SplittableRandom[n];
        this.active = new boolean[n];
        int[] clean = batch.cleanPredictions();
        for (int i = 0; i < n; i++) {
            rnd[i] = Seeds.random(batch.exampleSeed(i));
            active[i] = !batch.achieved(i, clean[i]); // already fooled: the input is the closest point
            bestDist[i] = Double.POSITIVE_INFINITY;
        }
    }

    INDArray row(INDArray a, int i) {
        return a.get(NDArrayIndex.interval(i, i + 1));
    }

    INDArray x0(int i) {
        return row(x, i);
    }

    double dist(int i) {
        return row(current, i).distance2(x0(i));
    }

    boolean left(int i, long k) {
        return used[i] + k <= queries;
    }

    /** Whether each row achieves example {@code owner[r]}'s goal, from the top class alone; counts the queries. */
    boolean[] adversarial(INDArray rows, int[] owner) {
        int[] top = model.predictClasses(rows);
        boolean[] a = new boolean[top.length];
        for (int r = 0; r < top.length; r++) {
            used[owner[r]]++;
            a[r] = batch.achieved(owner[r], top[r]);
        }
        batch.countGradientCalls(top.length);
        return a;
    }

    boolean[] adversarial(INDArray[] points, int[] who) {
        INDArray[] rows = new INDArray[who.length];
        for (int k = 0; k < who.length; k++) {
            rows[k] = points[who[k]];
        }
        return adversarial(Nd4j.concat(0, rows), who);
    }

    /** The closest adversarial points found (the inputs where none was), before projection. */
    INDArray run() {
        start();
        try (MemoryWorkspace ws = Workspaces.loop()) {
            INDArray[] adv = new INDArray[n];
            for (int i = 0; i < n; i++) {
                adv[i] = placed[i] ? row(current, i).dup() : null;
            }
            boundary(adv);
        }
        for (int i = 0; i < n; i++) {
            keep(i);
        }
        for (int t = 1; anyActive(); t++) {
            try (MemoryWorkspace ws = Workspaces.loop()) {
                iterate(t);
            }
        }
        INDArray out = x.dup();
        for (int i = 0; i < n; i++) {
            if (bestDist[i] < Double.POSITIVE_INFINITY) {
                // a little past the boundary (0.1% farther from the input): a point exactly on it could
                // change side with the rounding of another model call
                row(out, i).assign(domain.clipInPlace(row(best, i).sub(x0(i)).muli(1 + BEYOND).addi(x0(i))));
            }
        }
        return out;
    }

    boolean anyActive() {
        for (boolean b : active) {
            if (b) {
                return true;
            }
        }
        return false;
    }

    int[] activeWhere(java.util.function.IntPredicate p) {
        return java.util.stream.IntStream.range(0, n).filter(i -> active[i] && p.test(i)).toArray();
    }

    /** Records example {@code i}'s current point if it is its closest; stops it inside a finite epsilon. */
    void keep(int i) {
        if (!placed[i]) {
            return;
        }
        double dist = dist(i);
        if (dist < bestDist[i]) {
            bestDist[i] = dist;
            row(best, i).assign(row(current, i));
        }
        if (epsilon != Double.POSITIVE_INFINITY && bestDist[i] <= epsilon) {
            active[i] = false;
        }
    }

    /** Uniform noise in the domain until a sample fools the model (at most {@value #INIT_TRIES} per example). */
    void start() {
        for (int k = 0; k < INIT_TRIES; k++) {
            int[] who = activeWhere(i -> !placed[i] && left(i, 1));
            if (who.length == 0) {
                break;
            }
            try (MemoryWorkspace ws = Workspaces.loop()) {
                INDArray[] noise = new INDArray[n];
                for (int i : who) {
                    float[] u = new float[(int) d];
                    for (int j = 0; j < u.length; j++) {
                        u[j] = (float) (domain.min() + (domain.max() - domain.min()) * rnd[i].nextDouble());
                    }
                    noise[i] = Nd4j.create(u, x0(i).shape(), 'c').castTo(x.dataType());
                }
                boolean[] a = adversarial(noise, who);
                for (int k2 = 0; k2 < who.length; k2++) {
                    if (a[k2]) {
                        row(current, who[k2]).assign(noise[who[k2]]);
                        placed[who[k2]] = true;
                    }
                }
            }
        }
        for (int i = 0; i < n; i++) {
            active[i] &= placed[i]; // no starting point: the example is left as it is
        }
    }

    /**
     * Moves each active example with an adversarial point {@code pts[i]} to the closest point
     * of the segment from its input that is still adversarial, to a tolerance {@code theta} of
     * the segment's parameter (fewer steps when the queries run out; the point stays
     * adversarial), written into {@code current}. Runs in the caller's loop workspace.
     */
    void boundary(INDArray[] pts) {
        double[] low = new double[n];
        double[] high = new double[n];
        java.util.Arrays.fill(high, 1);
        while (true) {
            int[] who = activeWhere(i -> pts[i] != null && high[i] - low[i] > theta && left(i, 1));
            if (who.length == 0) {
                break;
            }
            INDArray[] mids = new INDArray[n];
            for (int i : who) {
                mids[i] = blend(i, (low[i] + high[i]) / 2, pts[i]);
            }
            boolean[] a = adversarial(mids, who);
            for (int k = 0; k < who.length; k++) {
                int i = who[k];
                double mid = (low[i] + high[i]) / 2;
                if (a[k]) {
                    high[i] = mid;
                } else {
                    low[i] = mid;
                }
            }
        }
        for (int i = 0; i < n; i++) {
            if (active[i] && pts[i] != null) {
                row(current, i).assign(blend(i, high[i], pts[i]));
            }
        }
    }

    INDArray blend(int i, double a, INDArray adv) {
        return x0(i).mul(1 - a).addi(adv.mul(a));
    }

    /** One iteration for every active example, in the loop workspace. */
    abstract void iterate(int t);
}
