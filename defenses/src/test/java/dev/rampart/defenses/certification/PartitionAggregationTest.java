package dev.rampart.defenses.certification;

import static dev.rampart.core.testing.Errors.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.core.data.FashionMnist;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.BlackBoxModel;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.TrainingRoutine;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Deep partition aggregation: the vote's certificate, the content partition, and an exact attack on it. */
class PartitionAggregationTest {

    /** 1-nearest-neighbour "training": a part votes for the label of its training image nearest the input. */
    static final TrainingRoutine NEAREST = (data, seed) -> {
        INDArray train = data.features().reshape(data.size(), -1).castTo(DataType.FLOAT);
        INDArray sq = train.mul(train).sum(1).reshape(1, -1);
        int[] y = data.labels();
        return new BlackBoxModel(x -> {
            INDArray q = x.reshape(x.size(0), -1).castTo(DataType.FLOAT);
            INDArray dist = sq.sub(q.mmul(train.transpose()).muli(2)); // |t|^2 - 2 q.t ranks as |q - t|^2
            int[] nearest = Nd4j.argMin(dist, 1).toIntVector();
            INDArray p = Nd4j.zeros(DataType.FLOAT, x.size(0), data.numClasses());
            for (int i = 0; i < nearest.length; i++) {
                p.putScalar(i, y[nearest[i]], 1);
            }
            return p;
        }, data.numClasses(), data.exampleShape(), InputDomain.UNIT);
    };

    @Test
    void theCertificateOfAVoteIsHalfTheMarginAfterTheTieBreak() {
        assertEquals(1, PartitionAggregation.certifiedSize(new int[] {5, 3, 0}));
        assertEquals(0, PartitionAggregation.certifiedSize(new int[] {3, 5}), "5 - (3 + 1) = 1: no example");
        assertEquals(0, PartitionAggregation.certifiedSize(new int[] {4, 4}));
        assertEquals(4, PartitionAggregation.certifiedSize(new int[] {10, 0, 2}));
        assertEquals(2, PartitionAggregation.certifiedSize(new int[] {0, 7, 2}));
        assertEquals(0, PartitionAggregation.top(new int[] {4, 4}), "ties go to the smaller class");
        assertMessage(() -> PartitionAggregation.certifiedSize(new int[] {1}), "votes must count at least 2 classes");
        assertMessage(() -> PartitionAggregation.certifiedSize(new int[] {1, -1}), "votes must not be negative");
    }

    @Test
    void partsFollowTheContentNotThePosition() throws java.io.IOException {
        LabeledData d = FashionMnist.bundledTrain().head(500);
        PartitionAggregation dpa = PartitionAggregation.builder(NEAREST).partitions(7).build();
        int[] parts = dpa.partitionOf(d);
        int[] reversedOrder = new int[500];
        for (int i = 0; i < 500; i++) {
            reversedOrder[i] = 499 - i;
        }
        int[] reversed = dpa.partitionOf(d.rows(reversedOrder, "reversed"));
        for (int i = 0; i < 500; i++) {
            assertEquals(parts[i], reversed[499 - i], "example " + i);
        }
        int[] counts = new int[7];
        for (int p : parts) {
            counts[p]++;
        }
        for (int c : counts) {
            assertTrue(c > 40 && c < 110, "parts of about 71: " + java.util.Arrays.toString(counts));
        }
    }

    @Test
    void insertingTheCertifiedNumberOfExamplesNeverFlipsAVoteAndOneMoreCan() throws java.io.IOException {
        LabeledData train = FashionMnist.bundledTrain().head(2000);
        LabeledData test = FashionMnist.bundledTest().head(40);
        PartitionAggregation dpa = PartitionAggregation.builder(NEAREST).partitions(25).seed(1).build();
        PartitionAggregation.Ensemble e = dpa.fit(train);
        PoisoningCertificates c = e.certify(test);
        assertTrue(c.certifiedAccuracy(0) > 0.6, "1-NN ensemble accuracy " + c.certifiedAccuracy(0));
        assertTrue(c.certifiedAccuracy(3) < c.certifiedAccuracy(0));
        int[][] votes = e.votes(test.features());
        int tried = 0;
        for (int i = 0; i < test.size() && tried < 3; i++) {
            int rho = c.certifiedSizes()[i];
            if (rho < 1 || rho > 6) {
                continue;
            }
            tried++;
            int a = c.classes()[i];
            int b = runnerUp(votes[i], a);
            INDArray image = test.features().get(NDArrayIndex.interval(i, i + 1));
            // the attack: copies of the test image labelled b, each nudged until it falls in a part voting a;
            // in that part it is the nearest image to itself, so the part's vote moves from a to b
            int[] partVotes = new int[25];
            for (int p = 0; p < 25; p++) {
                partVotes[p] = e.models().get(p).predictClasses(image)[0];
            }
            LabeledData poisoned = train;
            SplittableRandom rnd = new SplittableRandom(i);
            boolean[] used = new boolean[25];
            for (int k = 0; k <= rho; k++) {
                LabeledData copy;
                int part;
                do {
                    INDArray nudged = image.dup();
                    nudged.putScalar(new long[] {0, 0, rnd.nextInt(28), rnd.nextInt(28)}, rnd.nextDouble());
                    copy = new LabeledData("copy", nudged, new int[] {b}, 10);
                    part = dpa.partitionOf(copy)[0];
                } while (partVotes[part] != a || used[part]);
                used[part] = true;
                poisoned = concat(poisoned, copy);
                int after = dpa.fit(poisoned).certify(test.rows(new int[] {i}, "one")).classes()[0];
                if (k < rho) {
                    assertEquals(a, after, "example " + i + " certified for " + rho + ", flipped by " + (k + 1));
                } else {
                    assertEquals(b, after, "example " + i + ": " + (rho + 1) + " insertions flip a tight certificate");
                }
            }
        }
        assertTrue(tried > 0, "no example with a certificate of 1 to 6 among " + java.util.Arrays.toString(
                c.certifiedSizes()));
    }

    @Test
    void badInputIsNamed() throws java.io.IOException {
        assertMessage(() -> PartitionAggregation.builder(NEAREST).partitions(0).build(),
                "partitions must be positive, found 0");
        assertMessage(() -> PartitionAggregation.builder(null), "routine must not be null");
        assertMessage(() -> PartitionAggregation.builder(NEAREST).partitions(50).build()
                .fit(FashionMnist.bundledTrain().head(20)), "holds no example of train (20 examples): use fewer partitions");
        PartitionAggregation.Ensemble e = PartitionAggregation.builder(NEAREST).partitions(2).build()
                .fit(FashionMnist.bundledTrain().head(100));
        assertMessage(() -> e.certify(new LabeledData("flat", Nd4j.rand(DataType.FLOAT, 3, 784), new int[] {0, 1, 2},
                10)), "data");
        assertNotEquals(0, e.partitionSizes()[0]);
        assertArrayEquals(e.partitionSizes(), e.partitionSizes());
    }

    private static int runnerUp(int[] votes, int a) {
        int best = -1;
        for (int c = 0; c < votes.length; c++) {
            if (c != a && (best < 0 || votes[c] + (c < a ? 1 : 0) > votes[best] + (best < a ? 1 : 0))) {
                best = c;
            }
        }
        return best;
    }

    private static LabeledData concat(LabeledData a, LabeledData b) {
        int[] y = java.util.Arrays.copyOf(a.labels(), a.size() + b.size());
        System.arraycopy(b.labels(), 0, y, a.size(), b.size());
        return new LabeledData(a.name(), Nd4j.concat(0, a.features(), b.features()), y, a.numClasses());
    }
}
