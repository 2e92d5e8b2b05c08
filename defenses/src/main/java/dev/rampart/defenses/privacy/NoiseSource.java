package dev.rampart.defenses.privacy;

import java.security.SecureRandom;
import java.util.SplittableRandom;

/**
 * Where privacy noise comes from. {@link #secure()}, the default everywhere in Rampart, draws from
 * the JDK's {@link SecureRandom}: noise that an adversary can predict (a seeded or weak generator)
 * protects nothing, and Mironov ("On significance of the least significant bits for differential
 * privacy", CCS 2012) showed that even textbook floating-point Laplace sampling from a good
 * generator leaks through the low bits of its output; a cryptographic generator is the first
 * requirement, though not the whole cure (his snapping mechanism, which rounds and clamps the
 * noisy output, is not implemented here). {@link #seeded} is for tests and reproducible
 * experiments only.
 *
 * <pre>{@code
 * NoiseSource noise = NoiseSource.secure();
 * double g = noise.gaussian();                 // N(0, 1)
 * NoiseSource test = NoiseSource.seeded(42);   // reproducible, not private
 * }</pre>
 */
public abstract class NoiseSource {

    private NoiseSource() {
    }

    /** A uniform draw in the open interval (0, 1). */
    public abstract double uniform();

    /** Whether the draws are unpredictable (a cryptographic generator). */
    public abstract boolean isSecure();

    /** A standard normal draw (Marsaglia's polar method). */
    public double gaussian() {
        while (true) {
            double u = 2 * uniform() - 1;
            double v = 2 * uniform() - 1;
            double s = u * u + v * v;
            if (s > 0 && s < 1) {
                return u * Math.sqrt(-2 * Math.log(s) / s);
            }
        }
    }

    /** A draw from the Laplace distribution of scale 1 (inverse transform). */
    public double laplace() {
        double u = uniform() - 0.5;
        return -Math.signum(u) * Math.log(1 - 2 * Math.abs(u));
    }

    /** Noise from the JDK's strongest available {@link SecureRandom}. */
    public static NoiseSource secure() {
        SecureRandom random = new SecureRandom();
        return new NoiseSource() {
            @Override
            public synchronized double uniform() {
                double u;
                do {
                    u = random.nextDouble();
                } while (u == 0);
                return u;
            }

            @Override
            public boolean isSecure() {
                return true;
            }
        };
    }

    /** Reproducible noise for tests: <b>not private</b>, anyone with the seed can remove it. */
    public static NoiseSource seeded(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        return new NoiseSource() {
            @Override
            public synchronized double uniform() {
                double u;
                do {
                    u = random.nextDouble();
                } while (u == 0);
                return u;
            }

            @Override
            public boolean isSecure() {
                return false;
            }
        };
    }
}
