package dev.rampart.core.model.scattering;

/**
 * The fixed filters of a two-dimensional scattering transform, sampled in space: Morlet wavelets
 * (a Gabor filter minus the multiple of its Gaussian envelope that makes its mean zero) at scales
 * {@code 2^j} and {@code L} orientations, and the Gaussian low-pass filter applied before the
 * subsampling by {@code 2^J}. The constants are those of Oyallon &amp; Mallat (2015) as their
 * reference implementation (Kymatio) sets them: wavelet width {@code 0.8 * 2^j}, centre frequency
 * {@code 3 pi / 4 / 2^j}, aspect ratio {@code 4 / L}, low-pass width {@code 0.8 * 2^(J-1)}. Filters
 * are truncated at three widths along their longer axis; a wavelet's values are normalized by
 * {@code 2 pi sigma^2 / slant}, the low-pass filter sums to one.
 */
final class MorletFilters {

    private MorletFilters() {
    }

    /** The width of the Gaussian envelope at scale {@code 2^j}. */
    static double sigma(int j) {
        return 0.8 * Math.pow(2, j);
    }

    /** The aspect ratio of the wavelets' envelope for {@code angles} orientations. */
    static double slant(int angles) {
        return 4.0 / angles;
    }

    /** The half-width in pixels of the sampled wavelet at scale {@code 2^j}. */
    static int waveletRadius(int j, int angles) {
        return (int) Math.ceil(3 * sigma(j) / Math.min(1.0, slant(angles)));
    }

    /**
     * The width of the Gaussian low-pass filter of a transform with {@code J = scales} scales:
     * {@code 0.8 * 2^(J-1)}, as in the transform's reference implementation (Kymatio, Andreux et al.
     * 2020), on which Tramèr &amp; Boneh's ScatterNet figures were measured.
     */
    static double lowPassSigma(int scales) {
        return 0.8 * Math.pow(2, scales - 1);
    }

    /** The half-width in pixels of the sampled low-pass filter. */
    static int lowPassRadius(int scales) {
        return (int) Math.ceil(3 * lowPassSigma(scales));
    }

    /**
     * The Morlet wavelet of scale {@code 2^j} and orientation {@code pi * angle / angles}, sampled on a
     * {@code (2r+1) x (2r+1)} grid: {@code [0]} the real part, {@code [1]} the imaginary part, row-major.
     */
    static double[][] morlet(int j, int angle, int angles, int r) {
        double sigma = sigma(j);
        double theta = Math.PI * angle / angles;
        double slant = slant(angles);
        double[][] wave = gabor(r, sigma, theta, 3 * Math.PI / 4 / Math.pow(2, j), slant);
        double[][] envelope = gabor(r, sigma, theta, 0, slant);
        double sumRe = 0;
        double sumIm = 0;
        double sumEnv = 0;
        for (int k = 0; k < wave[0].length; k++) {
            sumRe += wave[0][k];
            sumIm += wave[1][k];
            sumEnv += envelope[0][k];
        }
        double betaRe = sumRe / sumEnv;
        double betaIm = sumIm / sumEnv;
        for (int k = 0; k < wave[0].length; k++) {
            wave[0][k] -= betaRe * envelope[0][k];
            wave[1][k] -= betaIm * envelope[0][k];
        }
        return wave;
    }

    /** The Gaussian low-pass filter of width {@code 0.8 * 2^scales}, summing to one. */
    static double[] lowPass(int scales, int r) {
        double[] g = gabor(r, lowPassSigma(scales), 0, 0, 1)[0];
        double sum = 0;
        for (double v : g) {
            sum += v;
        }
        for (int k = 0; k < g.length; k++) {
            g[k] /= sum;
        }
        return g;
    }

    /**
     * A Gabor filter: a Gaussian envelope of width {@code sigma} along direction {@code theta} and
     * {@code sigma / slant} across it, times the wave {@code exp(i xi (u cos theta + v sin theta))}.
     */
    private static double[][] gabor(int r, double sigma, double theta, double xi, double slant) {
        int size = 2 * r + 1;
        double c = Math.cos(theta);
        double s = Math.sin(theta);
        double s2 = slant * slant;
        double a = (c * c + s2 * s * s) / (2 * sigma * sigma);
        double b = 2 * (c * s - s2 * c * s) / (2 * sigma * sigma);
        double d = (s * s + s2 * c * c) / (2 * sigma * sigma);
        double norm = 2 * Math.PI * sigma * sigma / slant;
        double[][] out = new double[2][size * size];
        for (int row = 0; row < size; row++) {
            double u = row - r;
            for (int col = 0; col < size; col++) {
                double v = col - r;
                double envelope = Math.exp(-(a * u * u + b * u * v + d * v * v)) / norm;
                double phase = xi * (u * c + v * s);
                out[0][row * size + col] = envelope * Math.cos(phase);
                out[1][row * size + col] = envelope * Math.sin(phase);
            }
        }
        return out;
    }
}
