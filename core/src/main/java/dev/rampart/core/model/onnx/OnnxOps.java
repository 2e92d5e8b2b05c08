package dev.rampart.core.model.onnx;

import dev.rampart.core.model.program.Stage;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * ONNX operators as functions of all their inputs (data and constants alike) with their
 * vector-Jacobian products. The translator binds each to the values it reads with {@link Bound};
 * the hot operators (convolution, dense products, pooling, batch normalization, ReLU) use the
 * shared {@link dev.rampart.core.model.program.Stages} instead.
 */
final class OnnxOps {

    private OnnxOps() {
    }

    /** An operator: its output for all inputs, and the gradient for each input that is {@code wanted}. */
    interface Op {
        INDArray forward(INDArray[] in);

        /** Gradients for the wanted inputs; {@code null} for the others and for inputs without one. */
        INDArray[] backward(INDArray[] in, INDArray out, INDArray g, boolean[] wanted);
    }

    /** An operator with one differentiable input, the first; the others are parameters. */
    abstract static class Unary implements Op {
        @Override
        public final INDArray[] backward(INDArray[] in, INDArray out, INDArray g, boolean[] wanted) {
            INDArray[] r = new INDArray[in.length];
            if (wanted[0]) {
                r[0] = grad(in, out, g);
            }
            return r;
        }

        abstract INDArray grad(INDArray[] in, INDArray out, INDArray g);
    }

    /**
     * An operator bound to its inputs: some are constants fixed at translation, the others are
     * program values, in the order the program passes them.
     */
    static final class Bound implements Stage {
        private final Op op;
        private final String what;
        private final INDArray[] constants;
        private final int[] slots;

        /**
         * @param constants every input slot, {@code null} where a program value goes
         * @param slots the slot of each program value
         */
        Bound(Op op, String what, INDArray[] constants, int[] slots) {
            this.op = op;
            this.what = what;
            this.constants = constants;
            this.slots = slots;
        }

        private INDArray[] full(INDArray[] in) {
            INDArray[] all = constants.clone();
            for (int k = 0; k < slots.length; k++) {
                all[slots[k]] = in[k];
            }
            return all;
        }

        @Override
        public INDArray forward(INDArray[] in) {
            return op.forward(full(in));
        }

        @Override
        public INDArray[] backward(INDArray[] in, INDArray out, INDArray gradOut) {
            INDArray[] all = full(in);
            boolean[] wanted = new boolean[all.length];
            for (int k = 0; k < slots.length; k++) {
                wanted[slots[k]] = in[k].dataType().isFPType();
            }
            INDArray[] g = op.backward(all, out, gradOut, wanted);
            INDArray[] r = new INDArray[slots.length];
            for (int k = 0; k < slots.length; k++) {
                r[k] = wanted[slots[k]] ? g[slots[k]] : null;
            }
            return r;
        }

        @Override
        public String describe() {
            return what;
        }
    }

    // ---- element-wise activations ----

    static final Op IDENTITY = new Unary() {
        @Override
        public INDArray forward(INDArray[] in) {
            return in[0];
        }

        @Override
        INDArray grad(INDArray[] in, INDArray out, INDArray g) {
            return g;
        }
    };

    static Op leakyRelu(double alpha) {
        return new Unary() {
            @Override
            public INDArray forward(INDArray[] in) {
                INDArray x = in[0];
                return Transforms.relu(x, true).subi(Transforms.relu(x.neg(), false).muli(alpha));
            }

            @Override
            INDArray grad(INDArray[] in, INDArray out, INDArray g) {
                INDArray pos = positive(in[0]);
                return g.mul(pos.mul(1 - alpha).addi(alpha));
            }
        };
    }

    /** {@code 1} where {@code x > 0}, else {@code 0}, in {@code x}'s type. */
    static INDArray positive(INDArray x) {
        return x.gt(0).castTo(x.dataType());
    }

    /**
     * PRelu: {@code x} where positive, {@code slope * x} elsewhere, the slope broadcast. A vector
     * slope of one value per channel that numpy rules cannot broadcast (older exporters) is applied
     * along dimension 1.
     */
    static final Op PRELU = new Op() {
        private INDArray slope(INDArray s, INDArray x) {
            INDArray t = same(s, x);
            if (t.rank() == 1 && t.length() > 1 && x.rank() > 2 && x.size(1) == t.length() && x.size(-1) != t.length()) {
                long[] shape = new long[x.rank() - 1];
                Arrays.fill(shape, 1);
                shape[0] = t.length();
                return t.reshape(shape);
            }
            return t;
        }

        @Override
        public INDArray forward(INDArray[] in) {
            INDArray x = in[0];
            INDArray pos = Transforms.relu(x, true);
            INDArray neg = x.sub(pos);
            return pos.addi(broadcastOp("multiply", neg, slope(in[1], x)));
        }

        @Override
        public INDArray[] backward(INDArray[] in, INDArray out, INDArray g, boolean[] wanted) {
            INDArray x = in[0];
            INDArray slope = slope(in[1], x);
            INDArray[] r = new INDArray[2];
            INDArray mask = positive(x);
            if (wanted[0]) {
                INDArray d = broadcastOp("multiply", mask.rsub(1), slope).addi(mask);
                r[0] = g.mul(d);
            }
            if (wanted[1]) {
                r[1] = unbroadcast(g.mul(x.sub(Transforms.relu(x, true))), slope.shape()).reshape(in[1].shape());
            }
            return r;
        }
    };

    static final Op SIGMOID = new Unary() {
        @Override
        public INDArray forward(INDArray[] in) {
            return Transforms.sigmoid(in[0], true);
        }

        @Override
        INDArray grad(INDArray[] in, INDArray out, INDArray g) {
            return g.mul(out.rsub(1).muli(out));
        }
    };

    static final Op TANH = new Unary() {
        @Override
        public INDArray forward(INDArray[] in) {
            return Transforms.tanh(in[0], true);
        }

        @Override
        INDArray grad(INDArray[] in, INDArray out, INDArray g) {
            return g.mul(out.mul(out).rsubi(1));
        }
    };

    static final Op EXP = new Unary() {
        @Override
        public INDArray forward(INDArray[] in) {
            return Transforms.exp(in[0], true);
        }

        @Override
        INDArray grad(INDArray[] in, INDArray out, INDArray g) {
            return g.mul(out);
        }
    };

    static final Op LOG = new Unary() {
        @Override
        public INDArray forward(INDArray[] in) {
            return Transforms.log(in[0], true);
        }

        @Override
        INDArray grad(INDArray[] in, INDArray out, INDArray g) {
            return g.div(in[0]);
        }
    };

    static final Op SQRT = new Unary() {
        @Override
        public INDArray forward(INDArray[] in) {
            return Transforms.sqrt(in[0], true);
        }

        @Override
        INDArray grad(INDArray[] in, INDArray out, INDArray g) {
            return g.div(out.mul(2));
        }
    };

    static final Op NEG = new Unary() {
        @Override
        public INDArray forward(INDArray[] in) {
            return in[0].neg();
        }

        @Override
        INDArray grad(INDArray[] in, INDArray out, INDArray g) {
            return g.neg();
        }
    };

    static final Op ABS = new Unary() {
        @Override
        public INDArray forward(INDArray[] in) {
            return Transforms.abs(in[0], true);
        }

        @Override
        INDArray grad(INDArray[] in, INDArray out, INDArray g) {
            return g.mul(Transforms.sign(in[0], true));
        }
    };

    static final Op RECIPROCAL = new Unary() {
        @Override
        public INDArray forward(INDArray[] in) {
            return in[0].rdiv(1);
        }

        @Override
        INDArray grad(INDArray[] in, INDArray out, INDArray g) {
            return g.mul(out.mul(out)).negi();
        }
    };

    /**
     * Clip to {@code [min, max]}; the gradient passes where {@code min < x < max}, as PyTorch's
     * ReLU6 and hardtanh, the usual sources of Clip in classifiers, have it.
     */
    static Op clip(double min, double max) {
        return new Unary() {
            @Override
            public INDArray forward(INDArray[] in) {
                return Transforms.max(Transforms.min(in[0], max, true), min, false);
            }

            @Override
            INDArray grad(INDArray[] in, INDArray out, INDArray g) {
                INDArray x = in[0];
                INDArray inside = x.gt(min).castTo(x.dataType()).muli(x.lt(max).castTo(x.dataType()));
                return g.mul(inside);
            }
        };
    }

    /**
     * Softmax or log-softmax over {@code axis}; with {@code coerce2d} (opsets before 13) over all
     * dimensions from {@code axis} on, as one row per leading index.
     */
    static Op softmax(int axis, boolean coerce2d, boolean log) {
        return new Unary() {
            private INDArray rows(INDArray a, int ax) {
                long lead = 1;
                for (int d = 0; d < ax; d++) {
                    lead *= a.size(d);
                }
                return a.reshape('c', lead, a.length() / Math.max(lead, 1));
            }

            @Override
            public INDArray forward(INDArray[] in) {
                INDArray x = in[0];
                int ax = axis(axis, x.rank());
                if (coerce2d) {
                    return run(rows(x.dup('c'), ax), 1).reshape('c', x.shape());
                }
                return run(x, ax);
            }

            private INDArray run(INDArray x, int ax) {
                return Nd4j.exec(DynamicCustomOp.builder(log ? "log_softmax" : "softmax").addInputs(x)
                        .addIntegerArguments(ax).build())[0];
            }

            @Override
            INDArray grad(INDArray[] in, INDArray out, INDArray g) {
                int ax = axis(axis, in[0].rank());
                INDArray y = coerce2d ? rows(out.dup('c'), ax) : out;
                INDArray gg = coerce2d ? rows(g.dup('c'), ax) : g;
                int d = coerce2d ? 1 : ax;
                INDArray r;
                if (log) {
                    INDArray p = Transforms.exp(y, true);
                    r = gg.sub(broadcastOp("multiply", p, gg.sum(true, d)));
                } else {
                    INDArray dot = gg.mul(y).sum(true, d);
                    r = y.mul(broadcastOp("subtract", gg, dot));
                }
                return coerce2d ? r.reshape('c', in[0].shape()) : r;
            }
        };
    }

    // ---- broadcasting arithmetic ----

    /** {@code b} in {@code a}'s type when both are floating-point and differ (mixed-precision exports). */
    static INDArray same(INDArray b, INDArray a) {
        return b.dataType() != a.dataType() && a.dataType().isFPType() ? b.castTo(a.dataType()) : b;
    }

    /** A libnd4j broadcastable op ({@code add}, {@code subtract}, {@code multiply}, {@code divide}) with numpy rules. */
    static INDArray broadcastOp(String op, INDArray a, INDArray b) {
        return Nd4j.exec(DynamicCustomOp.builder(op).addInputs(a, same(b, a)).build())[0];
    }

    /** {@code g} summed down to {@code shape}, undoing numpy broadcasting. */
    static INDArray unbroadcast(INDArray g, long[] shape) {
        if (Arrays.equals(g.shape(), shape)) {
            return g;
        }
        int lead = g.rank() - shape.length;
        int[] dims = java.util.stream.IntStream.range(0, g.rank())
                .filter(d -> d < lead || (shape[d - lead] == 1 && g.size(d) != 1)).toArray();
        INDArray s = dims.length == 0 ? g : g.sum(true, dims);
        return s.reshape('c', shape);
    }

    /**
     * Add, Sub, Mul, Div with numpy broadcasting; with {@code legacyAxis >= 0} (opsets before 7),
     * B's dimensions are aligned with A's from that axis on.
     */
    static Op arithmetic(String opType, int legacyAxis) {
        String op = switch (opType) {
            case "Add" -> "add";
            case "Sub" -> "subtract";
            case "Mul" -> "multiply";
            case "Div" -> "divide";
            default -> throw new IllegalArgumentException(opType);
        };
        return new Op() {
            private INDArray aligned(INDArray a, INDArray b) {
                INDArray t = same(b, a);
                int ax = legacyAxis;
                if (ax < 0 || a.rank() - ax - t.rank() <= 0) {
                    return t;
                }
                long[] shape = Arrays.copyOf(t.shape(), a.rank() - ax);
                Arrays.fill(shape, t.rank(), shape.length, 1);
                return t.reshape(shape);
            }

            @Override
            public INDArray forward(INDArray[] in) {
                INDArray a = in[0];
                INDArray b = aligned(a, in[1]);
                if (op.equals("divide") && !a.dataType().isFPType()) {
                    // integer division truncates, as ONNX's does for shape arithmetic
                    return Nd4j.exec(DynamicCustomOp.builder("floordiv").addInputs(a, b).build())[0];
                }
                return broadcastOp(op, a, b);
            }

            @Override
            public INDArray[] backward(INDArray[] in, INDArray out, INDArray g, boolean[] wanted) {
                INDArray a = in[0];
                INDArray b = aligned(a, in[1]);
                INDArray[] r = new INDArray[2];
                switch (op) {
                    case "add" -> {
                        r[0] = wanted[0] ? unbroadcast(g, a.shape()) : null;
                        r[1] = wanted[1] ? unbroadcast(g, b.shape()) : null;
                    }
                    case "subtract" -> {
                        r[0] = wanted[0] ? unbroadcast(g, a.shape()) : null;
                        r[1] = wanted[1] ? unbroadcast(g.neg(), b.shape()) : null;
                    }
                    case "multiply" -> {
                        r[0] = wanted[0] ? unbroadcast(broadcastOp("multiply", g, b), a.shape()) : null;
                        r[1] = wanted[1] ? unbroadcast(broadcastOp("multiply", g, a), b.shape()) : null;
                    }
                    default -> {
                        r[0] = wanted[0] ? unbroadcast(broadcastOp("divide", g, b), a.shape()) : null;
                        r[1] = wanted[1] ? unbroadcast(broadcastOp("divide", broadcastOp("multiply", g, out), b).negi(),
                                b.shape()) : null;
                    }
                }
                if (r[1] != null) {
                    r[1] = r[1].reshape(in[1].shape());
                }
                return r;
            }
        };
    }

    /** Sum of any number of inputs, with broadcasting. */
    static final Op SUM = new Op() {
        @Override
        public INDArray forward(INDArray[] in) {
            INDArray s = in[0];
            for (int k = 1; k < in.length; k++) {
                s = broadcastOp("add", s, in[k]);
            }
            return in.length == 1 ? s.dup() : s;
        }

        @Override
        public INDArray[] backward(INDArray[] in, INDArray out, INDArray g, boolean[] wanted) {
            INDArray[] r = new INDArray[in.length];
            for (int k = 0; k < in.length; k++) {
                r[k] = wanted[k] ? unbroadcast(g, in[k].shape()).dup() : null;
            }
            return r;
        }
    };

    // ---- products ----

    /** {@code a b} with libnd4j's matmul, {@code a^T} and {@code b^T} as asked. */
    static INDArray matmul(INDArray a, INDArray b, boolean ta, boolean tb) {
        return Nd4j.exec(DynamicCustomOp.builder("matmul").addInputs(a, same(b, a))
                .addIntegerArguments(ta ? 1 : 0, tb ? 1 : 0).build())[0];
    }

    /**
     * MatMul of arrays of rank 2 or more: equal ranks multiply batch by batch; a rank-2 right side
     * is applied to every row of the left.
     */
    static final Op MATMUL = new Op() {
        @Override
        public INDArray forward(INDArray[] in) {
            INDArray a = in[0];
            INDArray b = in[1];
            if (a.rank() > 2 && b.rank() == 2) {
                long[] shape = a.shape().clone();
                shape[shape.length - 1] = b.size(1);
                return matmul(a.reshape('c', -1, a.size(-1)), b, false, false).reshape('c', shape);
            }
            return matmul(a, b, false, false);
        }

        @Override
        public INDArray[] backward(INDArray[] in, INDArray out, INDArray g, boolean[] wanted) {
            INDArray a = in[0];
            INDArray b = same(in[1], a);
            INDArray[] r = new INDArray[2];
            if (a.rank() > 2 && b.rank() == 2) {
                INDArray a2 = a.reshape('c', -1, a.size(-1));
                INDArray g2 = g.reshape('c', -1, g.size(-1));
                r[0] = wanted[0] ? matmul(g2, b, false, true).reshape('c', a.shape()) : null;
                r[1] = wanted[1] ? matmul(a2, g2, true, false) : null;
                return r;
            }
            r[0] = wanted[0] ? matmul(g, b, false, true) : null;
            r[1] = wanted[1] ? matmul(a, g, true, false) : null;
            return r;
        }
    };

    /** Gemm: {@code alpha A' B' + beta C}, primes marking optional transposes, C broadcast. */
    static Op gemm(double alpha, double beta, boolean ta, boolean tb) {
        return new Op() {
            @Override
            public INDArray forward(INDArray[] in) {
                INDArray y = matmul(in[0], in[1], ta, tb);
                if (alpha != 1) {
                    y.muli(alpha);
                }
                if (in.length > 2 && in[2] != null) {
                    INDArray c = same(in[2], y);
                    y = broadcastOp("add", y, beta == 1 ? c : c.mul(beta));
                }
                return y;
            }

            @Override
            public INDArray[] backward(INDArray[] in, INDArray out, INDArray g, boolean[] wanted) {
                INDArray a = in[0];
                INDArray b = same(in[1], a);
                INDArray ga = alpha == 1 ? g : g.mul(alpha);
                INDArray[] r = new INDArray[in.length];
                if (wanted[0]) {
                    // dA' = g B'^T; dA = dA'^T when A is transposed
                    r[0] = ta ? matmul(b, ga, tb, true) : matmul(ga, b, false, !tb);
                }
                if (wanted[1]) {
                    r[1] = tb ? matmul(ga, a, true, ta) : matmul(a, ga, !ta, false);
                }
                if (in.length > 2 && wanted[2]) {
                    r[2] = unbroadcast(g.mul(beta), in[2].shape());
                }
                return r;
            }
        };
    }

    // ---- shapes and layout ----

    static int axis(long axis, int rank) {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= Math.max(rank, 1)) {
            throw new IllegalArgumentException("axis " + axis + " is outside an array of rank " + rank);
        }
        return (int) a;
    }

    static final Op SHAPE_OF = new Unary() {
        @Override
        public INDArray forward(INDArray[] in) {
            return Nd4j.createFromArray(in[0].shape());
        }

        @Override
        INDArray grad(INDArray[] in, INDArray out, INDArray g) {
            return null;
        }
    };

    /** Reshapes to {@code shape(in)}, a function of the input and the (possibly computed) other inputs. */
    interface ShapeRule {
        long[] apply(INDArray[] in);
    }

    /** A reshape (Flatten, Reshape, Squeeze, Unsqueeze): the gradient is reshaped back. */
    static Op reshape(ShapeRule rule) {
        return new Unary() {
            @Override
            public INDArray forward(INDArray[] in) {
                long[] shape = rule.apply(in);
                if (java.util.Arrays.stream(shape).reduce(1, (p, q) -> p * q) != in[0].length()) {
                    throw new IllegalArgumentException("cannot reshape " + Arrays.toString(in[0].shape()) + " to "
                            + Arrays.toString(shape));
                }
                return in[0].reshape('c', shape);
            }

            @Override
            INDArray grad(INDArray[] in, INDArray out, INDArray g) {
                return g.reshape('c', in[0].shape());
            }
        };
    }

    /** ONNX Reshape's target: 0 copies the input's dimension (unless {@code allowZero}), -1 is inferred. */
    static long[] reshapeTarget(long[] input, long[] spec, boolean allowZero) {
        long[] out = spec.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == 0 && !allowZero) {
                if (i >= input.length) {
                    throw new IllegalArgumentException("Reshape copies dimension " + i + " of an array of rank "
                            + input.length);
                }
                out[i] = input[i];
            }
            if (out[i] == -1) {
                if (infer >= 0) {
                    throw new IllegalArgumentException("Reshape target " + Arrays.toString(spec) + " has two -1");
                }
                infer = i;
            } else if (out[i] < 0) {
                throw new IllegalArgumentException("Reshape target " + Arrays.toString(spec) + " has a negative size");
            } else {
                known *= out[i];
            }
        }
        if (infer >= 0) {
            long total = Arrays.stream(input).reduce(1, (p, q) -> p * q);
            out[infer] = known == 0 ? 0 : total / known;
        }
        return out;
    }

    static long[] flattenShape(long[] shape, long axis) {
        int ax = (int) (axis < 0 ? axis + shape.length : axis);
        if (ax < 0 || ax > shape.length) {
            throw new IllegalArgumentException("Flatten axis " + axis + " is outside rank " + shape.length);
        }
        long lead = 1;
        for (int d = 0; d < ax; d++) {
            lead *= shape[d];
        }
        long rest = 1;
        for (int d = ax; d < shape.length; d++) {
            rest *= shape[d];
        }
        return new long[] {lead, rest};
    }

    static Op transpose(long[] permOrNull) {
        return new Unary() {
            private int[] perm(int rank) {
                int[] p = new int[rank];
                for (int i = 0; i < rank; i++) {
                    p[i] = permOrNull == null ? rank - 1 - i : (int) permOrNull[i];
                }
                return p;
            }

            @Override
            public INDArray forward(INDArray[] in) {
                if (permOrNull != null && permOrNull.length != in[0].rank()) {
                    throw new IllegalArgumentException("Transpose perm " + Arrays.toString(permOrNull)
                            + " does not fit rank " + in[0].rank());
                }
                return in[0].permute(perm(in[0].rank())).dup('c');
            }

            @Override
            INDArray grad(INDArray[] in, INDArray out, INDArray g) {
                int[] p = perm(in[0].rank());
                int[] inv = new int[p.length];
                for (int i = 0; i < p.length; i++) {
                    inv[p[i]] = i;
                }
                return g.permute(inv).dup('c');
            }
        };
    }

    static Op concat(long axis) {
        return new Op() {
            @Override
            public INDArray forward(INDArray[] in) {
                int ax = axis(axis, in[0].rank());
                INDArray[] parts = new INDArray[in.length];
                for (int k = 0; k < in.length; k++) {
                    parts[k] = same(in[k], in[0]);
                }
                return parts.length == 1 ? parts[0].dup() : Nd4j.concat(ax, parts);
            }

            @Override
            public INDArray[] backward(INDArray[] in, INDArray out, INDArray g, boolean[] wanted) {
                int ax = axis(axis, in[0].rank());
                INDArray[] r = new INDArray[in.length];
                long start = 0;
                for (int k = 0; k < in.length; k++) {
                    long size = in[k].size(ax);
                    if (wanted[k]) {
                        INDArrayIndex[] idx = NDArrayIndex.allFor(g);
                        idx[ax] = NDArrayIndex.interval(start, start + size);
                        r[k] = g.get(idx).dup();
                    }
                    start += size;
                }
                return r;
            }
        };
    }

    /** Constant padding by {@code begin} and {@code end} per dimension (non-negative), filled with {@code value}. */
    static Op pad(long[] begin, long[] end, double value) {
        return new Unary() {
            private INDArrayIndex[] inner(INDArray x) {
                INDArrayIndex[] idx = new INDArrayIndex[x.rank()];
                for (int d = 0; d < x.rank(); d++) {
                    idx[d] = NDArrayIndex.interval(begin[d], begin[d] + x.size(d));
                }
                return idx;
            }

            @Override
            public INDArray forward(INDArray[] in) {
                INDArray x = in[0];
                if (begin.length != x.rank()) {
                    throw new IllegalArgumentException("Pad has pads for rank " + begin.length + ", the input has rank "
                            + x.rank());
                }
                long[] shape = new long[x.rank()];
                for (int d = 0; d < shape.length; d++) {
                    shape[d] = begin[d] + x.size(d) + end[d];
                }
                INDArray out = Nd4j.valueArrayOf(shape, value, x.dataType());
                out.get(inner(x)).assign(x);
                return out;
            }

            @Override
            INDArray grad(INDArray[] in, INDArray out, INDArray g) {
                return g.get(inner(in[0])).dup();
            }
        };
    }

    /** Slice with non-negative steps, already normalized to one interval per dimension. */
    interface SliceRule {
        INDArrayIndex[] apply(INDArray[] in);
    }

    static Op slice(SliceRule rule) {
        return new Unary() {
            @Override
            public INDArray forward(INDArray[] in) {
                return in[0].get(rule.apply(in)).dup();
            }

            @Override
            INDArray grad(INDArray[] in, INDArray out, INDArray g) {
                INDArray r = Nd4j.zeros(g.dataType(), in[0].shape());
                r.get(rule.apply(in)).assign(g);
                return r;
            }
        };
    }

    /** Gather along {@code axis} with indices of any rank (negative ones count from the end), as numpy's take. */
    static Op gather(long axis) {
        return new Op() {
            private long[] indices(INDArray x, INDArray idx, int ax) {
                long[] v = idx.castTo(DataType.LONG).reshape(-1).toLongVector();
                for (int i = 0; i < v.length; i++) {
                    long j = v[i] < 0 ? v[i] + x.size(ax) : v[i];
                    if (j < 0 || j >= x.size(ax)) {
                        throw new IllegalArgumentException("Gather index " + v[i] + " is outside dimension " + ax
                                + " of size " + x.size(ax));
                    }
                    v[i] = j;
                }
                return v;
            }

            /** {@code x}'s shape with dimension {@code ax} replaced by {@code middle}. */
            private long[] shape(long[] x, int ax, long[] middle) {
                long[] out = new long[x.length - 1 + middle.length];
                System.arraycopy(x, 0, out, 0, ax);
                System.arraycopy(middle, 0, out, ax, middle.length);
                System.arraycopy(x, ax + 1, out, ax + middle.length, x.length - ax - 1);
                return out;
            }

            @Override
            public INDArray forward(INDArray[] in) {
                INDArray x = in[0];
                int ax = axis(axis, x.rank());
                long[] v = indices(x, in[1], ax);
                INDArray out = Nd4j.exec(DynamicCustomOp.builder("gather").addInputs(x, Nd4j.createFromArray(v))
                        .addIntegerArguments(ax).build())[0];
                return out.reshape('c', shape(x.shape(), ax, in[1].shape()));
            }

            @Override
            public INDArray[] backward(INDArray[] in, INDArray out, INDArray g, boolean[] wanted) {
                INDArray[] r = new INDArray[2];
                if (wanted[0]) {
                    INDArray x = in[0];
                    int ax = axis(axis, x.rank());
                    long[] v = indices(x, in[1], ax);
                    INDArray gg = g.reshape('c', shape(x.shape(), ax, new long[] {v.length}));
                    INDArray acc = Nd4j.zeros(g.dataType(), x.shape());
                    for (int i = 0; i < v.length; i++) {
                        INDArrayIndex[] to = NDArrayIndex.allFor(acc);
                        to[ax] = NDArrayIndex.point(v[i]);
                        INDArrayIndex[] from = NDArrayIndex.allFor(gg);
                        from[ax] = NDArrayIndex.point(i);
                        acc.get(to).addi(gg.get(from));
                    }
                    r[0] = acc;
                }
                return r;
            }
        };
    }

    static Op cast(DataType to) {
        return new Unary() {
            @Override
            public INDArray forward(INDArray[] in) {
                return in[0].castTo(to);
            }

            @Override
            INDArray grad(INDArray[] in, INDArray out, INDArray g) {
                return to.isFPType() ? g.castTo(in[0].dataType()) : null;
            }
        };
    }

    /** Mean or sum over {@code axes} (all when null), keeping the reduced dimensions as 1 when asked. */
    static Op reduce(boolean mean, long[] axes, boolean keepDims) {
        return new Unary() {
            private int[] dims(INDArray x) {
                if (axes == null || axes.length == 0) {
                    return java.util.stream.IntStream.range(0, x.rank()).toArray();
                }
                return Arrays.stream(axes).mapToInt(a -> axis(a, x.rank())).sorted().distinct().toArray();
            }

            @Override
            public INDArray forward(INDArray[] in) {
                INDArray x = in[0];
                int[] d = dims(x);
                INDArray r = mean ? x.mean(true, d) : x.sum(true, d);
                return keepDims ? r : r.reshape('c', dropped(x.shape(), d));
            }

            @Override
            INDArray grad(INDArray[] in, INDArray out, INDArray g) {
                INDArray x = in[0];
                int[] d = dims(x);
                long[] kept = x.shape().clone();
                long count = 1;
                for (int k : d) {
                    count *= kept[k];
                    kept[k] = 1;
                }
                INDArray b = g.reshape('c', kept).broadcast(x.shape());
                return mean ? b.divi(count) : b;
            }
        };
    }

    private static long[] dropped(long[] shape, int[] dims) {
        return java.util.stream.IntStream.range(0, shape.length).filter(i -> Arrays.stream(dims).noneMatch(d -> d == i))
                .mapToLong(i -> shape[i]).toArray();
    }

    /** Global average pooling over every dimension after the channel. */
    static final Op GLOBAL_AVERAGE = reduceSpatial();

    private static Op reduceSpatial() {
        return new Unary() {
            private int[] dims(INDArray x) {
                return java.util.stream.IntStream.range(2, x.rank()).toArray();
            }

            @Override
            public INDArray forward(INDArray[] in) {
                return in[0].mean(true, dims(in[0]));
            }

            @Override
            INDArray grad(INDArray[] in, INDArray out, INDArray g) {
                INDArray x = in[0];
                long count = x.length() / (x.size(0) * x.size(1));
                return g.broadcast(x.shape()).divi(count);
            }
        };
    }
}
