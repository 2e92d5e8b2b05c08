package dev.rampart.core.model.onnx;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An ONNX graph ({@code GraphProto}): its nodes in the file's (topological) order, its
 * initializers (weights) by name, and its declared inputs, outputs and intermediate values.
 * Exporters before IR version 4 also list every initializer among the inputs;
 * {@link #dataInputs()} leaves those out.
 *
 * <pre>{@code
 * OnnxGraph g = OnnxReader.read(path).graph();
 * for (OnnxNode n : g.nodes()) System.out.println(n.opType());
 * }</pre>
 *
 * @param name the graph's name
 * @param nodes the operators, in order
 * @param initializers constant tensors by name
 * @param inputs declared inputs
 * @param outputs declared outputs
 * @param valueInfo declared intermediate values (often empty)
 */
public record OnnxGraph(String name, List<OnnxNode> nodes, Map<String, OnnxTensor> initializers,
        List<OnnxValueInfo> inputs, List<OnnxValueInfo> outputs, List<OnnxValueInfo> valueInfo) {

    /** Nesting deeper than this (subgraphs of subgraphs) is refused: no real model comes near it. */
    private static final int MAX_DEPTH = 32;

    static OnnxGraph parse(Wire w, int depth) throws OnnxFormatException {
        if (depth > MAX_DEPTH) {
            throw w.error("subgraphs nested more than " + MAX_DEPTH + " deep");
        }
        String name = "";
        List<OnnxNode> nodes = new ArrayList<>();
        Map<String, OnnxTensor> init = new LinkedHashMap<>();
        List<OnnxValueInfo> in = new ArrayList<>();
        List<OnnxValueInfo> out = new ArrayList<>();
        List<OnnxValueInfo> info = new ArrayList<>();
        while (w.more()) {
            int tag = w.tag();
            switch (tag >>> 3) {
                case 1 -> nodes.add(OnnxNode.parse(w.message(), depth));
                case 2 -> name = w.string();
                case 5 -> {
                    OnnxTensor t = OnnxTensor.parse(w.message());
                    init.put(t.name(), t);
                }
                case 11 -> in.add(OnnxValueInfo.parse(w.message()));
                case 12 -> out.add(OnnxValueInfo.parse(w.message()));
                case 13 -> info.add(OnnxValueInfo.parse(w.message()));
                default -> w.skip(tag);
            }
        }
        return new OnnxGraph(name, List.copyOf(nodes), Collections.unmodifiableMap(init), List.copyOf(in),
                List.copyOf(out), List.copyOf(info));
    }

    /** The inputs a caller feeds: the declared inputs that no initializer provides. */
    public List<OnnxValueInfo> dataInputs() {
        return inputs.stream().filter(v -> !initializers.containsKey(v.name())).toList();
    }

    /**
     * The node that computes {@code value}, looking through Identity and Dropout nodes (which pass
     * their input on), or {@code null} for a graph input, an initializer or an unknown name.
     */
    public OnnxNode producerThroughIdentity(String value) {
        String name = value;
        for (int hops = 0; hops <= nodes.size(); hops++) {
            OnnxNode p = null;
            for (OnnxNode n : nodes) {
                if (n.outputs().contains(name)) {
                    p = n;
                }
            }
            if (p == null || !(p.opType().equals("Identity") || p.opType().equals("Dropout")) || p.inputs().isEmpty()) {
                return p;
            }
            name = p.inputs().get(0);
        }
        return null; // a cycle of Identity nodes: no producer
    }

    /** The distinct op types of the nodes, in order of first use. */
    public List<String> opTypes() {
        return nodes.stream().map(OnnxNode::opType).distinct().toList();
    }
}
