package dev.rampart.core.report;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A minimal JSON writer for reports: maps (keys in their iteration order), lists, arrays of
 * numbers, strings, numbers, booleans and null. Non-finite numbers are written as null, as JSON
 * has no NaN.
 *
 * <pre>{@code
 * String text = Json.write(Map.of("accuracy", 0.91, "epsilons", List.of(0.05, 0.1)));
 * }</pre>
 */
public final class Json {

    private Json() {
    }

    /** {@code value} as indented JSON text. */
    public static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, 0);
        return sb.append('\n').toString();
    }

    private static void write(StringBuilder sb, Object v, int indent) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String s) {
            string(sb, s);
        } else if (v instanceof Double d) {
            sb.append(Double.isFinite(d) ? number(d) : "null");
        } else if (v instanceof Float f) {
            sb.append(Float.isFinite(f) ? number(f) : "null");
        } else if (v instanceof Number || v instanceof Boolean) {
            sb.append(v);
        } else if (v instanceof Map<?, ?> m) {
            sb.append('{');
            Iterator<? extends Map.Entry<?, ?>> it = m.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<?, ?> e = it.next();
                newline(sb, indent + 1);
                string(sb, String.valueOf(e.getKey()));
                sb.append(": ");
                write(sb, e.getValue(), indent + 1);
                if (it.hasNext()) {
                    sb.append(',');
                }
            }
            if (!m.isEmpty()) {
                newline(sb, indent);
            }
            sb.append('}');
        } else if (v instanceof List<?> l) {
            sb.append('[');
            for (int i = 0; i < l.size(); i++) {
                sb.append(i == 0 ? "" : ", ");
                write(sb, l.get(i), indent + 1);
            }
            sb.append(']');
        } else if (v instanceof double[] a) {
            sb.append('[');
            for (int i = 0; i < a.length; i++) {
                sb.append(i == 0 ? "" : ", ").append(Double.isFinite(a[i]) ? number(a[i]) : "null");
            }
            sb.append(']');
        } else if (v instanceof int[] a) {
            sb.append(java.util.Arrays.toString(a));
        } else {
            string(sb, String.valueOf(v));
        }
    }

    private static String number(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d) : String.valueOf(d);
    }

    private static void newline(StringBuilder sb, int indent) {
        sb.append('\n');
        sb.append("  ".repeat(indent));
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    /** The provenance as a JSON-ready map. */
    public static Map<String, Object> of(Provenance p) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("rampart", p.rampartVersion());
        m.put("nd4j", p.nd4jVersion());
        m.put("backend", p.backend());
        m.put("threads", p.threads());
        m.put("java", p.javaVersion());
        m.put("createdAt", p.createdAt().toString());
        return m;
    }
}
