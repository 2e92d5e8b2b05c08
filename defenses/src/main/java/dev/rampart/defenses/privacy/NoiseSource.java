package dev.rampart.defenses.privacy;

import java.security.SecureRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import java.util.SplittableRandom;

/**
 * Where privacy noise comes from. {@link #secure()}, the default everywhere in Rampart, draws from
 * the JDK's {@link SecureRandom}: noise that an adversary can predict (a seeded or weak generator)
 * protects nothing, and Mironov ("On significance of the least significant bits for differential
 * privacy", CCS 2012) showed that even textbook floating-point Laplace sampling from a good
 * generator leaks through the low bits of its output; a cryptographic generator is the first
 * requirement, though not the whole cure (his snapping mechanism, which rounds and clamps the
 * noisy output, is left to a later release). {@link #seeded} is for tests and reproducible
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

    /**
     * {@code n} standard normal draws as an array of {@code type}, for noise added to float
     * parameters: Box-Muller on 32-bit uniforms (resolution 2^-32), both values of each pair used.
     */
    public INDArray gaussians(long n, DataType type) {
        if (n <= 0 || n > Integer.MAX_VALUE - 1) {
            throw new IllegalArgumentException("n must be in [1, 2^31 - 2], found " + n);
        }
        float[] u = uniforms32((int) (n + (n & 1)));
        float[] z = new float[(int) n];
        for (int i = 0; i + 1 < u.length; i += 2) {
            double r = Math.sqrt(-2 * Math.log(u[i]));
            double t = 2 * Math.PI * u[i + 1];
            z[i] = (float) (r * Math.cos(t));
            if (i + 1 < z.length) {
                z[i + 1] = (float) (r * Math.sin(t));
            }
        }
        return Nd4j.createFromArray(z).castTo(type);
    }

    /** {@code n} uniform draws in (0, 1) with 32 random bits each; bulk sources override it. */
    float[] uniforms32(int n) {
        float[] u = new float[n];
        for (int i = 0; i < n; i++) {
            u[i] = (float) uniform();
            if (u[i] == 0f || u[i] == 1f) {
                u[i] = 0.5f; // rounding to float reached an end of the interval: a measure-zero event
            }
        }
        return u;
    }

    /** A draw from the Laplace distribution of scale 1 (inverse transform). */
    public double laplace() {
        double u = uniform() - 0.5;
        return -Math.signum(u) * Math.log(1 - 2 * Math.abs(u));
    }

    /**
     * Noise from the JDK's {@link SecureRandom}; bulk draws ({@link #gaussians}) come from an
     * AES-256 counter-mode keystream keyed afresh from {@code SecureRandom} on every call (the
     * construction of NIST SP 800-90A's CTR_DRBG, without its reseeding bookkeeping), which the
     * JVM runs on the processor's AES instructions: a DP-SGD step needs millions of draws.
     */
    public static NoiseSource secure() {
        SecureRandom random = new SecureRandom();
        return new Generator(random::nextDouble, true) {

            /** 32 random bits per draw from a fresh AES-CTR keystream. */
            @Override
            synchronized float[] uniforms32(int n) {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(keystream(random, 4 * n));
                float[] u = new float[n];
                for (int i = 0; i < n; i++) {
                    u[i] = (float) (((b.getInt() & 0xffffffffL) + 0.5) * 0x1.0p-32); // in (0, 1)
                    if (u[i] >= 1f) {
                        u[i] = Math.nextDown(1f);
                    }
                }
                return u;
            }
        };
    }

    /** {@code length} bytes of an AES-256-CTR keystream under a key and counter drawn from {@code seed}. */
    static byte[] keystream(SecureRandom seed, int length) {
        byte[] key = new byte[32];
        byte[] iv = new byte[16];
        seed.nextBytes(key);
        seed.nextBytes(iv);
        try {
            javax.crypto.Cipher aes = javax.crypto.Cipher.getInstance("AES/CTR/NoPadding");
            aes.init(javax.crypto.Cipher.ENCRYPT_MODE, new javax.crypto.spec.SecretKeySpec(key, "AES"),
                    new javax.crypto.spec.IvParameterSpec(iv));
            return aes.doFinal(new byte[length]);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("AES-CTR is not available in this JVM", e);
        }
    }

    /** Reproducible noise for tests: <b>not private</b>, anyone with the seed can remove it. */
    public static NoiseSource seeded(long seed) {
        return new Generator(new SplittableRandom(seed)::nextDouble, false);
    }

    /** Uniform draws from a generator of doubles in [0, 1), zero redrawn. */
    private static class Generator extends NoiseSource {
        private final java.util.function.DoubleSupplier next;
        private final boolean secure;

        Generator(java.util.function.DoubleSupplier next, boolean secure) {
            this.next = next;
            this.secure = secure;
        }

        @Override
        public synchronized double uniform() {
            double u;
            do {
                u = next.getAsDouble();
            } while (u == 0);
            return u;
        }

        @Override
        public boolean isSecure() {
            return secure;
        }
    }
}
