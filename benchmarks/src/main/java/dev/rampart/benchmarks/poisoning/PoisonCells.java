package dev.rampart.benchmarks.poisoning;

import dev.rampart.attacks.evasion.Pgd;
import dev.rampart.attacks.poisoning.BadNets;
import dev.rampart.attacks.poisoning.CleanLabelBackdoor;
import dev.rampart.attacks.poisoning.FeatureCollision;
import dev.rampart.attacks.poisoning.PoisoningAttack;
import dev.rampart.attacks.poisoning.Trigger;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.ActivationGradientModel;
import dev.rampart.core.model.zoo.BundledModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The cells of the poisoning matrix: an attack family, a poison rate and a target class, written
 * {@code family:rate[:target]} ({@code badnets:0.01:3}). {@code clean} is the control (no attack).
 *
 * <ul>
 *   <li>{@code badnets}: a 4x4 checkerboard at (23, 23), all-to-one;</li>
 *   <li>{@code badnets-square}: a 3x3 white square at (2, 2), all-to-one;</li>
 *   <li>{@code badnets-a2a}: the checkerboard, all-to-all (class y to y + 1);</li>
 *   <li>{@code blend}: uniform noise (seed 3) blended at alpha 0.15, all-to-one;</li>
 *   <li>{@code wanet}: a warp, grid 4, strength 0.5 (Nguyen &amp; Tran's MNIST setting), all-to-one;</li>
 *   <li>{@code sig}: clean-label, a sinusoid of delta 0.08 (20/255), frequency 6, 0.12 at test;</li>
 *   <li>{@code lc}: clean-label, PGD-20 at L-inf 0.2 on the bundled robust CNN, then a 3x3
 *       checkerboard at (25, 25);</li>
 *   <li>{@code fc}: clean-label feature collision (Shafahi et al. 2018) against one image, the
 *       first held-out test image (after the trusted ones) of another class: poisons of the target
 *       class crafted on the clean control's model (150 steps of 0.05, beta 0.5, the target
 *       watermarked into each base at opacity 0.3, the paper's end-to-end setting); attack success
 *       is whether that one image takes the target class (0 or 1).</li>
 * </ul>
 *
 * @param family the attack family
 * @param rate the poison rate (0 for the control)
 * @param target the target class
 */
record PoisonCells(String family, double rate, int target) {

    /** Fashion-MNIST's training set: rates are shares of it. */
    static final int TRAIN_SIZE = 60_000;

    static final List<String> FAMILIES = List.of("clean", "badnets", "badnets-square", "badnets-a2a", "blend", "wanet",
            "sig", "lc", "fc");

    static PoisonCells parse(String spec) {
        String[] p = spec.split(":");
        if (!FAMILIES.contains(p[0]) || p.length > 3 || (!p[0].equals("clean") && p.length < 2)) {
            throw new IllegalArgumentException("cell must be family:rate[:target] with family one of " + FAMILIES
                    + ", found '" + spec + "'");
        }
        double rate;
        int target;
        try {
            rate = p.length > 1 ? Double.parseDouble(p[1]) : 0;
            target = p.length > 2 ? Integer.parseInt(p[2]) : 0;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("cell '" + spec + "': rate must be a number and target a class", e);
        }
        if (!p[0].equals("clean") && !(rate > 0 && rate < 1)) {
            throw new IllegalArgumentException("cell '" + spec + "': rate must be in (0, 1), found " + rate);
        }
        if (target < 0) {
            throw new IllegalArgumentException("cell '" + spec + "': target must be a class (>= 0), found " + target);
        }
        return new PoisonCells(p[0], rate, target);
    }

    /** A file-name key of the cell. */
    String key() {
        return family.equals("clean") ? "clean" : String.format(Locale.ROOT, "%s-%s-t%d", family, rate, target);
    }

    @Override
    public String toString() {
        return family.equals("clean") ? "clean control"
                : String.format(Locale.ROOT, "%s %.1f%% -> %s", family, 100 * rate,
                        family.equals("badnets-a2a") ? "y+1" : String.valueOf(target));
    }

    /** Whether the attack keeps every label (clean-label). */
    boolean cleanLabel() {
        return family.equals("sig") || family.equals("lc") || family.equals("fc");
    }

    /**
     * The attack, or null for the control.
     *
     * @param crafting the model feature collision crafts on (called for {@code fc} only)
     * @param heldOut test images no detector sees; feature collision's target comes from them
     */
    PoisoningAttack attack(long seed, Supplier<? extends ActivationGradientModel> crafting, LabeledData heldOut) {
        Trigger board = Trigger.checkerboard(4, 0, 1, 23, 23);
        return switch (family) {
            case "clean" -> null;
            case "badnets" -> BadNets.allToOne(board, target, rate, seed);
            case "badnets-square" -> BadNets.allToOne(Trigger.square(3, 1.0, 2, 2), target, rate, seed);
            case "badnets-a2a" -> BadNets.allToAll(board, rate, seed);
            case "blend" -> BadNets.allToOne(Trigger.noiseBlend(new long[] {1, 28, 28}, 0.15, 3), target, rate, seed);
            case "wanet" -> BadNets.allToOne(Trigger.warp(4, 0.5, 3), target, rate, seed);
            case "sig" -> CleanLabelBackdoor.sig(Trigger.signal(0.08, 6), Trigger.signal(0.12, 6), target, rate, seed);
            case "lc" -> {
                try {
                    yield CleanLabelBackdoor.labelConsistent(Trigger.checkerboard(3, 0, 1, 25, 25),
                            Pgd.builder(BundledModels.robustCnn()).epsilon(0.2).steps(20).seed(seed).build(), target,
                            rate, seed);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            case "fc" -> {
                int[] y = heldOut.labels();
                int i = 0;
                while (y[i] == target) {
                    i++;
                }
                ActivationGradientModel m = crafting.get();
                int poisons = (int) Math.round(rate * TRAIN_SIZE);
                yield FeatureCollision.builder(m).target(heldOut.features().slice(i)).baseClass(target).poisons(poisons)
                        .steps(150).learningRate(0.05).beta(0.5).watermark(0.3).seed(seed).build();
            }
            default -> throw new IllegalArgumentException(family);
        };
    }
}
