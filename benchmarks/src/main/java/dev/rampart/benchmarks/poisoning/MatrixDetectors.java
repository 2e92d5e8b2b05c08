package dev.rampart.benchmarks.poisoning;

import dev.rampart.core.data.LabeledData;
import dev.rampart.core.model.ActivationModel;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.defenses.poisoning.ActivationClustering;
import dev.rampart.defenses.poisoning.KnnLabelNoise;
import dev.rampart.defenses.poisoning.NeuralCleanse;
import dev.rampart.defenses.poisoning.PoisonDetector;
import dev.rampart.defenses.poisoning.RepresentationDetector;
import dev.rampart.defenses.poisoning.Spectre;
import dev.rampart.defenses.poisoning.SpectralSignatures;
import dev.rampart.defenses.poisoning.TriggerExplanation;
import dev.rampart.defenses.poisoning.TrustedContrast;
import dev.rampart.defenses.poisoning.TrustedLabelCheck;
import dev.rampart.core.model.zoo.ReferenceModels;

/** The detectors of the poisoning matrix, by name. */
final class MatrixDetectors {

    private MatrixDetectors() {
    }

    /**
     * The detector called {@code name}; {@code poisonShare} is the largest share of poison in one
     * class, which spectral signatures is told (Tran et al. assume the poison rate known and remove
     * 1.5 times it from every class); {@code clean} is Neural Cleanse's sample, {@code reference} the
     * trusted images SPECTRE, the trusted label check and the trusted contrast judge each class
     * against; the label check trains its models with the reference CNN's routine for
     * {@code labelEpochs} epochs, batch 64, and its cross-fitted form ({@code label-cv}) for
     * {@code crossFitEpochs}, both with {@code labelFolds} folds.
     */
    static PoisonDetector make(String name, ActivationModel model, double poisonShare, LabeledData clean,
            LabeledData reference, int labelEpochs, int crossFitEpochs, int labelFolds, long seed) {
        return switch (name) {
            case "label-ref" -> TrustedLabelCheck.builder(ReferenceModels.routine("cnn", labelEpochs, 64), reference)
                    .folds(labelFolds).seed(seed).build();
            case "label-cv" -> TrustedLabelCheck.builder(ReferenceModels.routine("cnn", crossFitEpochs, 64), reference)
                    .folds(labelFolds).crossFit(true).seed(seed).build();
            case "contrast-ref" -> TrustedContrast.builder(reference).seed(seed).build();
            case "rcontrast-ref" -> TrustedContrast.builder(reference).representations(model, null).seed(seed).build();
            case "ac" -> ActivationClustering.builder(model).seed(1).build();
            case "ss" -> SpectralSignatures.builder(model).expectedPoisonRate(Math.max(0.005, Math.min(0.6,
                    poisonShare))).build();
            case "spectre" -> Spectre.builder(model).build();
            case "knn" -> KnnLabelNoise.builder(model).build();
            case "spectre-ref" -> Spectre.builder(model).reference(reference).build();
            // the model-level path used for the data: Neural Cleanse on trusted clean images, then
            // the training examples its reversed triggers explain
            case "explain" -> TriggerExplanation.builder(model, NeuralCleanse.builder((GradientClassifier) model)
                    .steps(150).seed(seed).build().scan(clean), clean).build();
            default -> throw new IllegalArgumentException("unknown detector '" + name + "' (ac, ss, spectre,"
                    + " spectre-ref, explain, label-ref, label-cv, contrast-ref, rcontrast-ref, knn)");
        };
    }
}
