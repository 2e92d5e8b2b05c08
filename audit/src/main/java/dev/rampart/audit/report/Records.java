package dev.rampart.audit.report;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Configuration records as JSON-ready values: every component by its name, numbers, strings,
 * booleans and enums as they are, nested records as objects, empty optionals as null, arrays as
 * lists; an ND4J array as its shape, and any other object (a training routine) as its kind, so that a
 * report says how its result was made without dumping data.
 *
 * <pre>{@code
 * Map<String, Object> c = Records.toMap(detector.config());   // {"layer": "layer4", "dimensions": 10, ...}
 * }</pre>
 */
public final class Records {

    private Records() {
    }

    /** {@code record}'s components by name, in declaration order, each made JSON-ready. */
    public static Map<String, Object> toMap(Record record) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("kind", record.getClass().getName().substring(record.getClass().getPackageName().length() + 1)
                .replace('$', '.'));
        for (RecordComponent c : record.getClass().getRecordComponents()) {
            try {
                c.getAccessor().setAccessible(true);
                out.put(c.getName(), value(c.getAccessor().invoke(record)));
            } catch (ReflectiveOperationException e) {
                out.put(c.getName(), "unreadable");
            }
        }
        return out;
    }

    /** A value made JSON-ready (see the class comment). */
    public static Object value(Object v) {
        if (v == null || v instanceof Number || v instanceof String || v instanceof Boolean) {
            return v instanceof Double d && !Double.isFinite(d) ? null : v;
        }
        if (v instanceof Enum<?> e) {
            return e.name();
        }
        if (v instanceof Record r) {
            return toMap(r);
        }
        if (v instanceof Optional<?> o) {
            return o.map(Records::value).orElse(null);
        }
        if (v instanceof OptionalDouble o) {
            return o.isPresent() ? o.getAsDouble() : null;
        }
        if (v instanceof INDArray a) {
            return Map.of("shape", a.shape());
        }
        if (v instanceof Collection<?> c) {
            List<Object> out = new ArrayList<>();
            for (Object o : c) {
                out.add(value(o));
            }
            return out;
        }
        if (v instanceof double[] || v instanceof int[] || v instanceof long[] || v instanceof boolean[]) {
            return v;
        }
        return v.getClass().isSynthetic() || v.getClass().isAnonymousClass() ? "a " + kind(v) : kind(v);
    }

    private static String kind(Object v) {
        for (Class<?> i : v.getClass().getInterfaces()) {
            return i.getSimpleName();
        }
        return v.getClass().getSimpleName();
    }
}
