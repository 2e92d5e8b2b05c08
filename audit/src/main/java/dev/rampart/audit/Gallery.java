package dev.rampart.audit;

import dev.rampart.core.data.LabeledData;
import dev.rampart.core.data.Rows;
import dev.rampart.core.model.GradientClassifier;
import dev.rampart.core.model.Labels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The HTML report's gallery: up to {@code size} examples the model classified correctly and the
 * attack fooled, one class after another, each with the gradient saliency of its clean input, in
 * the data's channels-first layout.
 */
final class Gallery {

    private Gallery() {
    }

    /**
     * @param x the data as the model takes it
     * @param probabilities the model's clean probabilities on {@code x}
     * @param channelsLast whether {@code x} is channels last
     */
    static List<AuditReport.GalleryItem> of(int size, GradientClassifier model, LabeledData data, INDArray x,
            INDArray probabilities, boolean[] correct, Outcome o, boolean channelsLast) {
        if (o.adversarial() == null || size == 0) {
            return List.of();
        }
        int[] labels = data.labels();
        List<Integer> chosen = new ArrayList<>();
        boolean[] classTaken = new boolean[data.numClasses()];
        for (int pass = 0; pass < 2 && chosen.size() < size; pass++) {
            for (int i = 0; i < labels.length && chosen.size() < size; i++) {
                if (correct[i] && !o.robust()[i] && !chosen.contains(i) && (pass == 1 || !classTaken[labels[i]])) {
                    chosen.add(i);
                    classTaken[labels[i]] = true;
                }
            }
        }
        if (chosen.isEmpty()) {
            return List.of();
        }
        int[] idx = chosen.stream().mapToInt(Integer::intValue).toArray();
        INDArray adv = Rows.gather(o.adversarial(), idx);
        INDArray advProbabilities = model.predictProbabilities(adv);
        INDArray grad = Transforms.abs(model.lossGradient(Rows.gather(x, idx),
                Labels.oneHot(Rows.pick(labels, idx), model.numClasses()).castTo(model.dataType())), false);
        boolean last = channelsLast && x.rank() == 4;
        long[] shape = Arrays.copyOfRange(data.features().shape(), 1, data.features().rank());
        int[] advClasses = Labels.argmax(advProbabilities);
        List<AuditReport.GalleryItem> items = new ArrayList<>();
        for (int k = 0; k < idx.length; k++) {
            int i = idx[k];
            float[] cleanImage = Rows.gather(data.features(), new int[] {i}).castTo(DataType.FLOAT).data().asFloat();
            int advClass = advClasses[k];
            items.add(new AuditReport.GalleryItem(i, labels[i], labels[i], probabilities.getDouble(i, labels[i]),
                    advClass, advProbabilities.getDouble(k, advClass), o.attack(), o.epsilon(), shape, cleanImage,
                    layout(adv, k, last, shape), layout(grad, k, last, shape)));
        }
        return items;
    }

    /** Example {@code k} of {@code a}, back in the data's channels-first layout, as floats. */
    private static float[] layout(INDArray a, int k, boolean channelsLast, long[] shape) {
        INDArray one = Rows.gather(a, new int[] {k});
        if (channelsLast) {
            one = one.permute(0, 3, 1, 2);
        }
        return one.castTo(DataType.FLOAT).dup('c').reshape(shape).data().asFloat();
    }
}
