package dev.rampart.attacks.properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rampart.attacks.evasion.Apgd;
import dev.rampart.attacks.evasion.EvasionAttack;
import dev.rampart.attacks.evasion.EvasionResult;
import dev.rampart.attacks.evasion.Fgsm;
import dev.rampart.attacks.evasion.MiFgsm;
import dev.rampart.attacks.evasion.Pgd;
import dev.rampart.attacks.evasion.Square;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.model.InputDomain;
import dev.rampart.core.model.dl4j.MultiLayerNetworkModel;
import dev.rampart.core.norm.Norm;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Invariants of every attack over random shapes, classes, domains, norms, budgets and seeds, on
 * small random networks: results inside the epsilon ball and the domain, reported norms true,
 * inputs untouched, and the same seed giving the same result.
 */
class AttackPropertiesTest {

    /** One random setting: a network of random width, a domain, a batch inside it, a budget. */
    record Setting(int features, int classes, double lo, double width, Norm norm, double epsilon, long seed, int n) {

        GradientClassifier model() {
            MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.FLOAT)
                    .list()
                    .layer(new DenseLayer.Builder().nIn(features).nOut(12).activation(Activation.TANH).build())
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(classes)
                            .activation(Activation.SOFTMAX).build())
                    .build();
            MultiLayerNetwork net = new MultiLayerNetwork(conf);
            net.init();
            return MultiLayerNetworkModel.of(net, new long[] {features}, new InputDomain(lo, lo + width));
        }

        INDArray inputs() {
            Nd4j.getRandom().setSeed(seed);
            return Nd4j.rand(DataType.FLOAT, n, features).muli(width).addi(lo);
        }

        int[] labels() {
            java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
            int[] y = new int[n];
            for (int i = 0; i < n; i++) {
                y[i] = r.nextInt(classes);
            }
            return y;
        }
    }

    @Provide
    Arbitrary<Setting> settings() {
        return Combinators.combine(Arbitraries.integers().between(1, 40), Arbitraries.integers().between(2, 7),
                Arbitraries.doubles().between(-5, 5), Arbitraries.doubles().between(0.1, 10),
                Arbitraries.of(Norm.class), Arbitraries.doubles().between(1e-3, 3).ofScale(4),
                Arbitraries.longs().between(0, 1_000_000), Arbitraries.integers().between(1, 9))
                .as(Setting::new);
    }

    private static EvasionAttack[] attacks(GradientClassifier m, Setting s) {
        return new EvasionAttack[] {
            Fgsm.builder(m).norm(s.norm()).epsilon(s.epsilon()).build(),
            Pgd.builder(m).norm(s.norm()).epsilon(s.epsilon()).steps(3).restarts(2).seed(s.seed()).batchSize(4)
                    .build(),
            MiFgsm.builder(m).norm(s.norm()).epsilon(s.epsilon()).steps(3).build(),
            Apgd.builder(m).norm(s.norm()).epsilon(s.epsilon()).steps(6).seed(s.seed()).build(),
            Square.builder(m).norm(s.norm()).epsilon(s.epsilon()).queries(15).seed(s.seed()).build()};
    }

    @Property(tries = 25, seed = "20261201")
    void everyAttackStaysInTheBallAndDomainAndIsDeterministic(@ForAll("settings") Setting s) {
        GradientClassifier m = s.model();
        INDArray x = s.inputs();
        INDArray copy = x.dup();
        int[] y = s.labels();
        for (EvasionAttack attack : attacks(m, s)) {
            EvasionResult r = attack.run(x, y);
            String who = attack.name() + " " + s;
            assertArrayEquals(x.shape(), r.adversarial().shape(), who);
            double[] norms = s.norm().perExample(r.adversarial().sub(x));
            for (int i = 0; i < s.n(); i++) {
                assertTrue(norms[i] <= s.epsilon() * (1 + 1e-5) + 1e-6, who + ": example " + i + " norm " + norms[i]);
                assertEquals(norms[i], r.perturbationNorm()[i], 1e-5 * Math.max(1, norms[i]), who);
            }
            assertTrue(r.adversarial().minNumber().doubleValue() >= s.lo(), who);
            assertTrue(r.adversarial().maxNumber().doubleValue() <= s.lo() + s.width(), who);
            assertEquals(copy, x, who + ": x must not be modified");
            assertEquals(r.adversarial(), attack.run(x, y).adversarial(), who + ": same seed, same result");
        }
    }

    @Property(tries = 200, seed = "20261201")
    void projectionAndRandomPointsStayInTheBall(@ForAll("settings") Setting s) {
        long[] shape = {s.n(), 1, s.features()};
        Nd4j.getRandom().setSeed(s.seed());
        INDArray delta = Nd4j.randn(DataType.FLOAT, shape).muli(s.width());
        s.norm().projectInPlace(delta, s.epsilon());
        INDArray inBall = s.norm().randomInBall(shape, s.epsilon(), s.seed(), DataType.FLOAT);
        INDArray direction = s.norm().steepestAscent(delta);
        for (int i = 0; i < s.n(); i++) {
            assertTrue(s.norm().perExample(delta)[i] <= s.epsilon() * (1 + 1e-5), "projection " + s);
            assertTrue(s.norm().perExample(inBall)[i] <= s.epsilon() * (1 + 1e-5), "random point " + s);
            double dn = s.norm().perExample(direction)[i];
            assertTrue(dn == 0 || Math.abs(dn - 1) < 1e-4, "unit steepest-ascent direction " + dn);
        }
        // the direction never points against the gradient
        assertTrue(direction.mul(delta).sumNumber().doubleValue() >= 0);
    }
}
