package dev.rampart.core.model.onnx;

import dev.rampart.core.io.AtomicFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Writes a DL4J {@link MultiLayerNetwork} of dense, output, 2-D convolution and max or average
 * pooling layers (explicit or "same" padding) with ReLU, tanh, sigmoid or identity
 * activations as an ONNX file (opset 13, dynamic batch, NCHW input), so that the same weights can
 * be run by ONNX Runtime or compared with Rampart's ONNX translator. The output layer's softmax
 * becomes a final Softmax node. Anything else is refused with an {@link IllegalArgumentException}
 * naming the layer.
 *
 * <pre>{@code
 * OnnxWriter.write(ReferenceModels.cnn(7), new long[] {1, 28, 28}, Path.of("cnn.onnx"));
 * }</pre>
 */
public final class OnnxWriter {

    private OnnxWriter() {
    }

    /**
     * Writes {@code net}, which takes examples of shape {@code inputShape}, to {@code file}
     * (atomically).
     *
     * @throws IllegalArgumentException naming the first layer that cannot be written
     * @throws IOException if the file cannot be written
     */
    public static void write(MultiLayerNetwork net, long[] inputShape, Path file) throws IOException {
        if (net == null || inputShape == null || file == null) {
            throw new IllegalArgumentException("net, inputShape and file must not be null");
        }
        if (inputShape.length == 0 || Arrays.stream(inputShape).anyMatch(d -> d <= 0)) {
            throw new IllegalArgumentException("inputShape must have positive dimensions, found "
                    + Arrays.toString(inputShape));
        }
        byte[] bytes = model(net, inputShape);
        AtomicFiles.writeBytes(file, bytes);
    }

    /** The ONNX bytes of {@code net}. */
    static byte[] model(MultiLayerNetwork net, long[] inputShape) {
        Proto graph = new Proto();
        String value = "input";
        int n = net.getnLayers();
        for (int i = 0; i < n; i++) {
            var conf = net.getLayer(i).conf().getLayer();
            String where = "layer " + i + " (" + conf.getClass().getSimpleName() + ")";
            InputPreProcessor pre = net.getLayerWiseConfigurations().getInputPreProcess(i);
            if (pre != null) {
                if (!(pre instanceof CnnToFeedForwardPreProcessor)) {
                    throw new IllegalArgumentException(where + ": input preprocessor " + pre.getClass().getSimpleName()
                            + " cannot be written");
                }
                value = node(graph, "Flatten", List.of(value), "flatten" + i, new Proto().message(5, attrInt("axis", 1)));
            }
            String wName = "W" + i;
            String bName = "b" + i;
            if (conf instanceof DenseLayer || conf instanceof OutputLayer) {
                INDArray w = net.getLayer(i).getParam("W");
                INDArray b = net.getLayer(i).getParam("b");
                graph.message(5, tensor(wName, w));
                graph.message(5, tensor(bName, b.reshape(-1)));
                value = node(graph, "Gemm", List.of(value, wName, bName), "gemm" + i, null);
                IActivation act = conf instanceof DenseLayer d ? d.getActivationFn() : ((OutputLayer) conf).getActivationFn();
                value = activation(graph, act, value, i, where, conf instanceof OutputLayer);
            } else if (conf instanceof ConvolutionLayer c && c.getClass() == ConvolutionLayer.class) {
                graph.message(5, tensor(wName, net.getLayer(i).getParam("W")));
                List<String> in = new ArrayList<>(List.of(value, wName));
                if (c.hasBias()) {
                    graph.message(5, tensor(bName, net.getLayer(i).getParam("b").reshape(-1)));
                    in.add(bName);
                }
                Proto attrs = new Proto().message(5, attrInts("kernel_shape", c.getKernelSize()))
                        .message(5, attrInts("strides", c.getStride()))
                        .message(5, attrInts("dilations", c.getDilation()))
                        .append(padding(c.getConvolutionMode(), c.getPadding()));
                value = node(graph, "Conv", in, "conv" + i, attrs);
                value = activation(graph, c.getActivationFn(), value, i, where, false);
            } else if (conf instanceof SubsamplingLayer s && s.getClass() == SubsamplingLayer.class) {
                String op = switch (s.getPoolingType()) {
                    case MAX -> "MaxPool";
                    case AVG -> "AveragePool";
                    default -> throw new IllegalArgumentException(where + ": pooling " + s.getPoolingType()
                            + " cannot be written");
                };
                if (op.equals("AveragePool") && s.getConvolutionMode() != ConvolutionMode.Same && !s.isAvgPoolIncludePadInDivisor()
                        && (s.getPadding()[0] > 0 || s.getPadding()[1] > 0)) {
                    throw new IllegalArgumentException(where + ": padded average pooling that excludes the padding"
                            + " cannot be written");
                }
                Proto attrs = new Proto().message(5, attrInts("kernel_shape", s.getKernelSize()))
                        .message(5, attrInts("strides", s.getStride()))
                        .append(padding(s.getConvolutionMode(), s.getPadding()));
                if (op.equals("AveragePool") && s.isAvgPoolIncludePadInDivisor()) {
                    attrs.message(5, attrInt("count_include_pad", 1));
                }
                value = node(graph, op, List.of(value), "pool" + i, attrs);
            } else {
                throw new IllegalArgumentException(where + " cannot be written to ONNX");
            }
        }
        long[] dims = new long[inputShape.length + 1];
        dims[0] = -1;
        System.arraycopy(inputShape, 0, dims, 1, inputShape.length);
        graph.string(2, "rampart");
        graph.message(11, valueInfo("input", dims));
        graph.message(12, valueInfo(value, new long[] {-1, net.getLayer(n - 1).getParam("b").length()}));
        return new Proto().varint(1, 7).string(2, "rampart").message(7, graph)
                .message(8, new Proto().string(1, "").varint(2, 13)).bytes();
    }

    private static String activation(Proto graph, IActivation act, String value, int i, String where, boolean last) {
        String op;
        if (act == null || act instanceof ActivationIdentity) {
            return value;
        } else if (act instanceof ActivationReLU) {
            op = "Relu";
        } else if (act instanceof ActivationTanH) {
            op = "Tanh";
        } else if (act instanceof ActivationSigmoid) {
            op = "Sigmoid";
        } else if (act instanceof ActivationSoftmax && last) {
            return node(graph, "Softmax", List.of(value), "softmax" + i, new Proto().message(5, attrInt("axis", 1)));
        } else {
            throw new IllegalArgumentException(where + ": activation " + act + " cannot be written");
        }
        return node(graph, op, List.of(value), op.toLowerCase(java.util.Locale.ROOT) + i, null);
    }

    private static String node(Proto graph, String op, List<String> inputs, String out, Proto attrs) {
        Proto node = new Proto();
        for (String in : inputs) {
            node.string(1, in);
        }
        node.string(2, out).string(3, out).string(4, op);
        if (attrs != null) {
            node.append(attrs);
        }
        graph.message(1, node);
        return out;
    }

    /** DL4J's "same" mode pads as ONNX's SAME_UPPER does (the extra row and column at the end). */
    private static Proto padding(ConvolutionMode mode, int[] p) {
        Proto attr = new Proto();
        if (mode == ConvolutionMode.Same) {
            return attr.message(5, new Proto().string(1, "auto_pad").string(4, "SAME_UPPER").varint(20, 3));
        }
        return attr.message(5, attrInts("pads", new int[] {p[0], p[1], p[0], p[1]}));
    }

    private static Proto attrInt(String name, long v) {
        return new Proto().string(1, name).varint(3, v).varint(20, 2);
    }

    private static Proto attrInts(String name, int[] v) {
        Proto a = new Proto().string(1, name);
        for (int x : v) {
            a.varint(8, x);
        }
        return a.varint(20, 7);
    }

    private static Proto tensor(String name, INDArray a) {
        Proto t = new Proto();
        for (long d : a.shape()) {
            t.varint(1, d);
        }
        float[] v = a.castTo(DataType.FLOAT).dup('c').data().asFloat();
        ByteBuffer raw = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            raw.putFloat(f);
        }
        return t.varint(2, 1).string(8, name).raw(9, raw.array());
    }

    private static Proto valueInfo(String name, long[] dims) {
        Proto shape = new Proto();
        for (long d : dims) {
            shape.message(1, d < 0 ? new Proto().string(2, "batch") : new Proto().varint(1, d));
        }
        Proto tensorType = new Proto().varint(1, 1).message(2, shape);
        return new Proto().string(1, name).message(2, new Proto().message(1, tensorType));
    }

    /** A protocol-buffer message being written. */
    private static final class Proto {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        private void rawVarint(long v) {
            while ((v & ~0x7fL) != 0) {
                out.write((int) ((v & 0x7f) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
        }

        Proto varint(int field, long v) {
            rawVarint((long) field << 3);
            rawVarint(v);
            return this;
        }

        Proto raw(int field, byte[] b) {
            rawVarint(((long) field << 3) | 2);
            rawVarint(b.length);
            out.writeBytes(b);
            return this;
        }

        Proto string(int field, String s) {
            return raw(field, s.getBytes(StandardCharsets.UTF_8));
        }

        Proto message(int field, Proto m) {
            return raw(field, m.bytes());
        }

        Proto append(Proto other) {
            out.writeBytes(other.bytes());
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
