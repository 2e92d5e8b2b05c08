package dev.rampart.defenses.certification;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.attacks.evasion.EvasionResult;
import dev.rampart.attacks.evasion.Pgd;
import dev.rampart.core.model.BlackBoxModel;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.dl4j.ComputationGraphModel;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.norm.Norm;
import java.util.Random;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Soundness of bound propagation on random small networks: no point of the ball, sampled or found
 * by PGD, leaves the bounds; CROWN is never looser than IBP and tighter on the whole.
 */
class BoundPropagationTest {

    private static final double TOLERANCE = 1e-9;

    private static NeuralNetConfiguration.Builder base(long seed) {
        return new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.DOUBLE);
    }

    private static OutputLayer output(int classes) {
        return new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(classes)
                .activation(Activation.SOFTMAX).build();
    }

    /** Every parameter drawn from N(0, 0.5^2), batch-normalization variances made positive. */
    private static void randomize(Layer[] layers, INDArray params, long seed) {
        Nd4j.getRandom().setSeed(seed);
        params.assign(Nd4j.randn(DataType.DOUBLE, params.shape()).muli(0.5));
        for (Layer l : layers) {
            INDArray var = l.paramTable().get("var");
            if (var != null) {
                var.assign(org.nd4j.linalg.ops.transforms.Transforms.abs(var, true).addi(0.5));
            }
        }
    }

    private static MultiLayerNetworkModel mlp(long seed, Activation hidden) {
        MultiLayerConfiguration conf = base(seed).list()
                .layer(new DenseLayer.Builder().nOut(12).activation(hidden).build())
                .layer(new DenseLayer.Builder().nOut(10).activation(hidden).build())
                .layer(output(4))
                .setInputType(InputType.feedForward(6)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        randomize(net.getLayers(), net.params(), seed);
        return MultiLayerNetworkModel.of(net, new long[] {6}, InputDomain.UNIT);
    }

    /** Convolution, max pooling, batch normalization, average pooling, dense. */
    private static MultiLayerNetworkModel cnn(long seed) {
        MultiLayerConfiguration conf = base(seed).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(3).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2)
                        .build())
                .layer(new BatchNormalization.Builder().build())
                .layer(new ConvolutionLayer.Builder(2, 2).nOut(4).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.AVG).kernelSize(2, 2).stride(1, 1)
                        .build())
                .layer(new DenseLayer.Builder().nOut(6).activation(Activation.RELU).build())
                .layer(output(3))
                .setInputType(InputType.convolutional(8, 8, 1)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        randomize(net.getLayers(), net.params(), seed);
        return MultiLayerNetworkModel.of(net, new long[] {1, 8, 8}, InputDomain.UNIT);
    }

    /** A residual block: relu(a + dense(a)). */
    private static ComputationGraphModel residual(long seed, ElementWiseVertex.Op op) {
        ComputationGraphConfiguration conf = base(seed).graphBuilder().addInputs("in")
                .addLayer("a", new DenseLayer.Builder().nOut(8).activation(Activation.RELU).build(), "in")
                .addLayer("b", new DenseLayer.Builder().nOut(8).activation(Activation.IDENTITY).build(), "a")
                .addVertex("sum", new ElementWiseVertex(op), "a", "b")
                .addLayer("act", new ActivationLayer.Builder().activation(Activation.RELU).build(), "sum")
                .addLayer("out", output(3), "act")
                .setOutputs("out").setInputTypes(InputType.feedForward(5)).build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        randomize(g.getLayers(), g.params(), seed);
        return ComputationGraphModel.of(g, new long[] {5}, InputDomain.UNIT);
    }

    private static INDArray inputs(GradientClassifier model, int n, long seed) {
        long[] shape = new long[model.inputShape().length + 1];
        shape[0] = n;
        System.arraycopy(model.inputShape(), 0, shape, 1, model.inputShape().length);
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(DataType.DOUBLE, shape);
    }

    /** Points of the ball around row {@code e} of {@code x}, inside the domain [0, 1]: corners and uniform draws. */
    private static INDArray samples(INDArray x, int e, Norm norm, double eps, int count, Random rng) {
        INDArray centre = x.get(org.nd4j.linalg.indexing.NDArrayIndex.point(e)).dup().reshape(1, -1);
        int d = (int) centre.length();
        double[][] pts = new double[count][d];
        double[] c = centre.toDoubleVector();
        for (int s = 0; s < count; s++) {
            if (norm == Norm.LINF) {
                for (int k = 0; k < d; k++) {
                    double delta = s % 2 == 0 ? (rng.nextBoolean() ? eps : -eps) : (2 * rng.nextDouble() - 1) * eps;
                    pts[s][k] = Math.min(1, Math.max(0, c[k] + delta));
                }
            } else {
                double[] g = new double[d];
                double norm2 = 0;
                for (int k = 0; k < d; k++) {
                    g[k] = rng.nextGaussian();
                    norm2 += g[k] * g[k];
                }
                double r = eps * (s % 2 == 0 ? 1 : Math.pow(rng.nextDouble(), 1.0 / d)) / Math.sqrt(norm2);
                for (int k = 0; k < d; k++) {
                    pts[s][k] = Math.min(1, Math.max(0, c[k] + r * g[k]));
                }
            }
        }
        long[] shape = x.shape().clone();
        shape[0] = count;
        return Nd4j.createFromArray(pts).reshape(shape);
    }

    private static void assertSound(GradientClassifier model, Norm norm, double eps, long seed) {
        INDArray x = inputs(model, 5, seed);
        INDArray before = x.dup();
        Random rng = new Random(seed);
        BoundPropagation.Bounds[] bounds = new BoundPropagation.Bounds[3];
        for (BoundPropagation.Method m : BoundPropagation.Method.values()) {
            bounds[m.ordinal()] = BoundPropagation.builder(model).method(m).norm(norm).build().logitBounds(x, eps);
        }
        assertEquals(before, x, "the input is not modified");
        for (int e = 0; e < x.size(0); e++) {
            INDArray logits = model.logits(samples(x, e, norm, eps, 2_000, rng));
            for (BoundPropagation.Method m : BoundPropagation.Method.values()) {
                INDArray lo = bounds[m.ordinal()].lower().getRow(e);
                INDArray hi = bounds[m.ordinal()].upper().getRow(e);
                double below = logits.subRowVector(lo).minNumber().doubleValue();
                double above = logits.subRowVector(hi).maxNumber().doubleValue();
                assertTrue(below >= -TOLERANCE && above <= TOLERANCE, m + " example " + e + ": a sampled logit lies "
                        + Math.max(-below, above) + " outside the bounds");
            }
            for (int j = 0; j < lo(bounds, 0, e).length; j++) {
                assertTrue(lo(bounds, 2, e)[j] >= lo(bounds, 0, e)[j] - TOLERANCE, "CROWN's lower bound below IBP's");
                assertTrue(hi(bounds, 2, e)[j] <= hi(bounds, 0, e)[j] + TOLERANCE, "CROWN's upper bound above IBP's");
            }
        }
    }

    private static double[] lo(BoundPropagation.Bounds[] b, int m, int e) {
        return b[m].lower().getRow(e).toDoubleVector();
    }

    private static double[] hi(BoundPropagation.Bounds[] b, int m, int e) {
        return b[m].upper().getRow(e).toDoubleVector();
    }

    @Test
    void randomPointsNeverLeaveTheBoundsOfAnMlp() {
        assertSound(mlp(1, Activation.RELU), Norm.LINF, 0.1, 11);
        assertSound(mlp(2, Activation.RELU), Norm.L2, 0.3, 12);
    }

    @Test
    void randomPointsNeverLeaveTheBoundsOfAConvolutionalNetwork() {
        assertSound(cnn(3), Norm.LINF, 0.05, 13);
        assertSound(cnn(4), Norm.L2, 0.5, 14);
    }

    @Test
    void randomPointsNeverLeaveTheBoundsOfAResidualGraphOrOfTanh() {
        assertSound(residual(5, ElementWiseVertex.Op.Add), Norm.LINF, 0.1, 15);
        assertSound(residual(6, ElementWiseVertex.Op.Subtract), Norm.LINF, 0.1, 16);
        assertSound(mlp(7, Activation.TANH), Norm.LINF, 0.1, 17);
    }

    @Test
    void pgdInsideTheBallNeverBeatsTheMarginBounds() {
        for (GradientClassifier model : new GradientClassifier[] {mlp(8, Activation.RELU), cnn(9)}) {
            INDArray x = inputs(model, 20, 18);
            int[] labels = model.predictClasses(x);
            double eps = 0.1;
            EvasionResult r = Pgd.builder(model).norm(Norm.LINF).epsilon(eps).steps(50).restarts(3).seed(19)
                    .earlyStop(false).build().run(x, labels);
            INDArray adv = model.logits(r.adversarial());
            for (BoundPropagation.Method m : BoundPropagation.Method.values()) {
                double[][] bound = BoundPropagation.builder(model).method(m).build().marginLowerBounds(x, labels, eps);
                for (int i = 0; i < labels.length; i++) {
                    for (int j = 0; j < bound[i].length; j++) {
                        double margin = adv.getDouble(i, labels[i]) - adv.getDouble(i, j);
                        assertTrue(margin >= bound[i][j] - TOLERANCE, m + " example " + i + " class " + j + ": PGD"
                                + " reached margin " + margin + " below the bound " + bound[i][j]);
                    }
                }
            }
        }
    }

    @Test
    void crownIsTighterThanIbpOnTheWholeAndExactAtZero() {
        MultiLayerNetworkModel model = mlp(10, Activation.RELU);
        INDArray x = inputs(model, 30, 20);
        int[] labels = model.predictClasses(x);
        double[][] ibp = BoundPropagation.builder(model).method(BoundPropagation.Method.IBP).build()
                .marginLowerBounds(x, labels, 0.05);
        double[][] crown = BoundPropagation.builder(model).method(BoundPropagation.Method.CROWN).build()
                .marginLowerBounds(x, labels, 0.05);
        double gain = 0;
        for (int i = 0; i < ibp.length; i++) {
            for (int j = 0; j < ibp[i].length; j++) {
                assertTrue(crown[i][j] >= ibp[i][j] - TOLERANCE);
                gain += crown[i][j] - ibp[i][j];
            }
        }
        assertTrue(gain > 1.0, "CROWN tightens the margins of random networks, by " + gain + " in all");
        BoundPropagation.Bounds zero = BoundPropagation.builder(model).method(BoundPropagation.Method.CROWN).build()
                .logitBounds(x, 0);
        INDArray logits = model.logits(x);
        assertEquals(0, zero.lower().sub(logits).amaxNumber().doubleValue(), 1e-9);
        assertEquals(0, zero.upper().sub(logits).amaxNumber().doubleValue(), 1e-9);
    }

    @Test
    void certificatesCountVerifiedExamplesAndShrinkWithTheBudget() {
        // the first seed whose network gives the inputs several classes (a constant network is verified everywhere)
        MultiLayerNetworkModel model = null;
        INDArray x = null;
        int[] labels = null;
        for (long seed = 21; labels == null || java.util.Arrays.stream(labels).distinct().count() < 2; seed++) {
            model = mlp(seed, Activation.RELU);
            x = inputs(model, 40, 22);
            labels = model.predictClasses(x);
        }
        labels[0] = (labels[0] + 1) % model.numClasses();   // one misclassified example is never verified
        BoundCertificates c = BoundPropagation.builder(model).build().certify(x, labels, 0, 0.01, 0.05, 0.5);
        double[] acc = c.verifiedAccuracies();
        assertEquals(39.0 / 40, acc[0], 1e-12, "at budget 0 every correctly classified example is verified");
        assertEquals(39.0 / 40, c.cleanAccuracy(), 1e-12);
        for (int k = 1; k < acc.length; k++) {
            assertTrue(acc[k] <= acc[k - 1], "verified accuracy never grows with the budget");
        }
        assertTrue(acc[3] < acc[0], "a budget of 0.5 loses examples: " + java.util.Arrays.toString(acc));
        assertTrue(!c.verified(0, 0));
    }

    @Test
    void badInputIsRefusedByName() {
        MultiLayerNetworkModel model = mlp(23, Activation.RELU);
        BoundPropagation crown = BoundPropagation.builder(model).build();
        INDArray x = inputs(model, 3, 24);
        int[] labels = {0, 1, 2};
        assertTrue(assertThrows(IllegalArgumentException.class, () -> crown.certify(x, labels, Double.NaN))
                .getMessage().contains("epsilon"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> crown.certify(x, labels, -0.1))
                .getMessage().contains("epsilon"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> crown.certify(x, labels))
                .getMessage().contains("epsilons"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> crown.certify(x, new int[] {0, 1, 9}, 0.1))
                .getMessage().contains("labels"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BoundPropagation.builder(model).batchSize(0)
                .build()).getMessage().contains("batchSize"));
        UnboundedStageException e = assertThrows(UnboundedStageException.class,
                () -> BoundPropagation.builder(residual(25, ElementWiseVertex.Op.Product)).build());
        assertTrue(e.getMessage().contains("product"), e.getMessage());
        BlackBoxModel box = new BlackBoxModel(in -> Nd4j.ones(in.size(0), 2).divi(2), 2, new long[] {6},
                InputDomain.UNIT);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BoundPropagation.builder(box))
                .getMessage().contains("model"));
    }
}
