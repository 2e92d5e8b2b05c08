package dev.rampart.core.report;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.Properties;
import org.nd4j.linalg.factory.Nd4j;

/**
 * How a result was made: the Rampart, ND4J and Java versions, the ND4J backend and its native
 * build, the thread count and the time. Every attack result and report carries one.
 *
 * <pre>{@code
 * Provenance p = Provenance.current();
 * System.out.println(p.backend() + " " + p.nd4jVersion());
 * }</pre>
 *
 * @param rampartVersion version of Rampart
 * @param nd4jVersion version of ND4J
 * @param backend ND4J backend and native build, for example {@code CPU (linux-x86_64-onednn)}
 * @param threads the number of threads ND4J's native code uses
 * @param javaVersion the Java runtime version
 * @param createdAt when the provenance was taken
 */
public record Provenance(String rampartVersion, String nd4jVersion, String backend, int threads, String javaVersion,
        Instant createdAt) {

    private static final String UNKNOWN = "unknown";

    /** What does not change while the process runs; read once (ND4J's query allocates native memory). */
    private static volatile Provenance process;

    /** The provenance of this process, now. */
    public static Provenance current() {
        Provenance p = process;
        if (p == null) {
            var env = Nd4j.getExecutioner().getEnvironmentInformation();
            Object kind = env.getOrDefault("backend", UNKNOWN);
            Object omp = env.getOrDefault("omp.threads", 0);
            String backend = kind + " (" + nativeBuild() + ")";
            p = new Provenance(property("/dev/rampart/core/report/rampart.properties", "version"),
                    property("/META-INF/maven/org.nd4j/nd4j-api/pom.properties", "version"), backend,
                    Integer.parseInt(String.valueOf(omp)), System.getProperty("java.version"), Instant.now());
            process = p;
        }
        return new Provenance(p.rampartVersion(), p.nd4jVersion(), p.backend(), p.threads(), p.javaVersion(),
                Instant.now());
    }

    /** The directory the ND4J native library was loaded from names the platform and build variant. */
    private static String nativeBuild() {
        for (String path : org.bytedeco.javacpp.Loader.getLoadedLibraries().values()) {
            if (path != null && path.contains("nd4j") && (path.contains("nd4jcpu") || path.contains("nd4jcuda"))) {
                java.nio.file.Path parent = java.nio.file.Path.of(path).getParent();
                return parent == null ? path : parent.getFileName().toString();
            }
        }
        return org.bytedeco.javacpp.Loader.getPlatform();
    }

    private static String property(String resource, String key) {
        try (InputStream in = Provenance.class.getResourceAsStream(resource)) {
            if (in == null) {
                return UNKNOWN;
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty(key, UNKNOWN);
        } catch (IOException e) {
            return UNKNOWN;
        }
    }
}
