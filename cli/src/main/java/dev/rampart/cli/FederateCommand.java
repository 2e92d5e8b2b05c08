package dev.rampart.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.rampart.attacks.federated.ByzantineAttacks;
import dev.rampart.attacks.federated.ByzantineUpdates;
import dev.rampart.attacks.federated.ModelReplacement;
import dev.rampart.attacks.poisoning.BadNets;
import dev.rampart.attacks.poisoning.Trigger;
import dev.rampart.audit.source.DataSource;
import dev.rampart.core.data.LabeledData;
import dev.rampart.core.io.AtomicFiles;
import dev.rampart.core.model.TrainableModel;
import dev.rampart.defenses.federated.Aggregator;
import dev.rampart.defenses.federated.Aggregators;
import dev.rampart.defenses.federated.ClientData;
import dev.rampart.defenses.federated.DpFedAvg;
import dev.rampart.defenses.federated.Federation;
import dev.rampart.defenses.federated.LocalTraining;
import dev.rampart.spark.SparkChunkRunner;
import dev.rampart.spark.SparkFederation;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rampart federate}: a federated training simulation under attack. {@code --clients} clients
 * hold an IID or Dirichlet({@code --dirichlet}) split of the training data; each round {@code
 * --per-round} of them train the global {@code --model} locally; {@code --malicious} of them send
 * byzantine updates ({@code --attack sign-flip|gaussian|alie|ipm}, optionally {@code NAME:STRENGTH}) or run the model-replacement
 * backdoor ({@code --attack backdoor}: BadNets data, boosted by {@code --boost}); the server combines
 * the updates with {@code --aggregator}. Per-round accuracy (and attack success for the backdoor) is
 * printed and written as JSON and HTML.
 *
 * <pre>
 * ./rampart federate --clients 50 --malicious 10 --attack alie --aggregator krum --rounds 30 --out fl.json --html fl.html
 * </pre>
 */
@Command(name = "federate", mixinStandardHelpOptions = true, sortOptions = false, description = {"Simulate"
        + " federated training under attack: robust aggregation against byzantine and backdoor clients."})
public final class FederateCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin
    RecipeDataOptions in;
    @Option(names = "--clients", description = "default ${DEFAULT-VALUE}")
    int clients = 50;
    @Option(names = "--per-round", description = "clients sampled per round (default ${DEFAULT-VALUE})")
    int perRound = 10;
    @Option(names = "--rounds", description = "default ${DEFAULT-VALUE}")
    int rounds = 20;
    @Option(names = "--dirichlet", paramLabel = "ALPHA", description = "label skew by Dirichlet(ALPHA) (default: IID)")
    Double dirichlet;
    @Option(names = "--malicious", description = "malicious clients (default ${DEFAULT-VALUE})")
    int malicious;
    @Option(names = "--attack", description = "sign-flip, gaussian, alie, ipm (each optionally NAME:STRENGTH:"
            + " sign-flip's scale, gaussian's sigma, alie's fixed z, ipm's epsilon) or backdoor (default ${DEFAULT-VALUE})")
    String attack = "sign-flip";
    @Option(names = "--boost", description = "backdoor: the update's boost (default: --per-round)")
    Double boost;
    @Option(names = "--aggregator", description = "fedavg, median, trimmed-mean, krum, multi-krum, bulyan, norm-bound,"
            + " fltrust or dp-fedavg (default ${DEFAULT-VALUE})")
    String aggregator = "fedavg";
    @Option(names = "--f", paramLabel = "F", description = "malicious clients per round that krum and bulyan tolerate"
            + " (default: the expected number, rounded up)")
    Integer f;
    @Option(names = "--trim", description = "trimmed-mean's fraction (default ${DEFAULT-VALUE})")
    double trim = 0.2;
    @Option(names = "--bound", description = "norm-bound's and dp-fedavg's clip norm (default ${DEFAULT-VALUE})")
    double bound = 1.0;
    @Option(names = "--noise", description = "norm-bound's noise standard deviation, dp-fedavg's noise multiplier"
            + " (default ${DEFAULT-VALUE})")
    double noise;
    @Option(names = "--root", description = "fltrust: training examples the server holds as its root set (default"
            + " ${DEFAULT-VALUE})")
    int root = 100;
    @Option(names = "--local-epochs", description = "default ${DEFAULT-VALUE}")
    int localEpochs = 1;
    @Option(names = "--batch", description = "local batch size (default ${DEFAULT-VALUE})")
    int batch = 32;
    @Option(names = "--threads", description = "clients trained at once on threads (default ${DEFAULT-VALUE}: one"
            + " after the other); set OMP_NUM_THREADS=1 so that they do not share the cores twice")
    int threads = 1;
    @Option(names = "--spark", paramLabel = "MASTER", description = "train each round's clients as Spark tasks:"
            + " local[2], spark://host:7077, yarn (same rounds as a local run)")
    String sparkMaster;
    @Option(names = "--out", paramLabel = "FILE", description = "write the per-round figures as JSON")
    Path json;
    @Option(names = "--html", paramLabel = "FILE", description = "write them as HTML with the curves")
    Path html;
    @Option(names = "--seed", description = "default ${DEFAULT-VALUE}")
    long seed;
    @CommandLine.Mixin
    VerboseOption verbose;

    @Override
    public Integer call() throws Exception {
        List<String> p = new ArrayList<>();
        UsageException.positive(p, "--clients", clients);
        UsageException.positive(p, "--rounds", rounds);
        UsageException.positive(p, "--local-epochs", localEpochs);
        UsageException.positive(p, "--batch", batch);
        UsageException.positive(p, "--threads", threads);
        if (sparkMaster != null) {
            if (threads > 1) {
                p.add("--threads " + threads + " and --spark: choose one way to run the clients");
            }
            try {
                new SparkChunkRunner.Factory().check(sparkMaster);
            } catch (IllegalArgumentException e) {
                p.add(e.getMessage());
            }
        }
        // bounded by --clients: judged only when --clients itself is valid, so that one mistake is said once
        if (perRound < 1 || clients > 0 && perRound > clients) {
            p.add("--per-round must be in [1, --clients=" + clients + "], found " + perRound);
        }
        if (malicious < 0 || clients > 0 && malicious > clients) {
            p.add("--malicious must be in [0, --clients=" + clients + "], found " + malicious);
        }
        if (dirichlet != null && (!(dirichlet > 0) || !Double.isFinite(dirichlet))) {
            p.add("--dirichlet must be positive and finite, found " + dirichlet);
        }
        if (f != null && f < 0) {
            p.add("--f must not be negative, found " + f);
        }
        int tolerated = f != null ? Math.max(0, f) : (int) Math.ceil((double) Math.max(0, malicious) * perRound
                / Math.max(1, clients));
        Aggregator rule = null;
        try {
            rule = Aggregators.named(aggregator, new Aggregators.Settings(Math.max(1, perRound), Math.max(0, tolerated),
                    trim, bound, noise, seed));
        } catch (IllegalArgumentException e) {
            p.add("--aggregator " + aggregator + ": " + e.getMessage());
        }
        ByzantineUpdates byzantine = null;
        if (!attack.equals("backdoor")) {
            try {
                byzantine = ByzantineAttacks.parse(attack);
            } catch (IllegalArgumentException e) {
                p.add("--attack must be backdoor or a byzantine attack: " + e.getMessage());
            }
        }
        if (boost != null && (!(boost >= 1) || !Double.isFinite(boost))) {
            p.add("--boost must be finite and at least 1, found " + boost);
        }
        Recipe recipe = null;
        try {
            recipe = Recipe.parse(in.model);
        } catch (java.io.IOException e) {
            p.add("--model " + e.getMessage());
        }
        DataSource.Spec trainSpec = PoisoningOptions.spec(in.data, in.format, DataSource.Split.TRAIN, "--data", p);
        DataSource.Spec testSpec = PoisoningOptions.testSpec(in.test, in.data, in.format, p);
        OutputFiles outputs = new OutputFiles().output("--out", json).output("--html", html).input("--data", in.data)
                .input("--test", in.test);
        outputs.checkAll(p);
        if (!p.isEmpty()) {
            throw new UsageException(p);
        }
        DataSource.Loaded trainLoaded = DataSource.load(trainSpec, -1);
        DataSource.Loaded testLoaded = DataSource.load(testSpec, -1);
        LabeledData train = trainLoaded.data();
        LabeledData testData = testLoaded.data();
        PoisoningOptions.checkAgainst(testData, train, testLoaded.source(), "--test");
        if (train.size() < clients + (aggregator.equals("fltrust") ? root : 0)) {
            throw new UsageException(List.of("--clients " + clients + " exceeds the " + train.size()
                    + " training examples" + (aggregator.equals("fltrust") ? " (less the --root set)" : "")));
        }
        LabeledData rootSet = null;
        if (aggregator.equals("fltrust")) {
            rootSet = train.head(root);
            train = train.slice(root, train.size());
        }
        List<LabeledData> parts = dirichlet == null ? ClientData.iid(train, clients, seed)
                : ClientData.dirichlet(train, clients, dirichlet, seed);
        TrainableModel global;
        try {
            global = (TrainableModel) recipe.fresh(seed, train.exampleShape(), train.numClasses());
        } catch (IllegalArgumentException e) {
            throw new UsageException(List.of("--model " + e.getMessage()));
        }
        PrintWriter w = spec.commandLine().getOut();
        w.printf(Locale.ROOT, "federation: %d clients (%s) of %s, %d per round, %d rounds, %s; %d malicious (%s),"
                + " aggregator %s%n", clients, dirichlet == null ? "IID" : "Dirichlet " + dirichlet, trainLoaded.describe(),
                perRound, rounds, recipe.description(), malicious, malicious == 0 ? "none" : attack, rule.name());
        w.printf(Locale.ROOT, "clients trained %s%n", sparkMaster != null ? "as Spark tasks on " + sparkMaster
                : threads > 1 ? "on " + threads + " threads" : "one after the other");
        w.flush();
        Federation.Builder<TrainableModel> b = Federation.builder(global, parts, LocalTraining.epochs(localEpochs, batch))
                .aggregator(rule).clientsPerRound(perRound).rounds(rounds).evaluateOn(testData).seed(seed)
                .serverRoot(rootSet).onRound(r -> {
                    w.printf(Locale.ROOT, "round %3d  malicious sampled %2d  kept %2d  accuracy %.4f%s  (%.1f s)%n",
                            r.round() + 1, r.maliciousSampled(), r.kept().length, r.accuracy(),
                            Double.isNaN(r.attackSuccess()) ? "" : String.format(Locale.ROOT, "  attack success %.4f",
                                    r.attackSuccess()), r.seconds());
                    w.flush();
                });
        if (malicious > 0 && attack.equals("backdoor")) {
            BadNets badNets = BadNets.allToOne(Trigger.checkerboard(4, 0, 1, 23, 23), 0, 0.5, seed);
            b.backdoor(malicious, new ModelReplacement(badNets.poison(parts.get(0)).data(),
                    boost != null ? boost : perRound), badNets.attackTest(testData));
        } else if (malicious > 0) {
            b.malicious(malicious, byzantine);
        }
        Federation.Report report;
        if (sparkMaster != null) {
            try (JavaSparkContext sc = SparkChunkRunner.Factory.context(sparkMaster, "rampart-federate")) {
                report = b.runner(SparkFederation.runner(sc)).build().run();
            }
        } else {
            report = b.runner(threads > 1 ? Federation.ClientRunner.threads(threads) : Federation.ClientRunner.LOCAL)
                    .build().run();
        }
        w.printf(Locale.ROOT, "final accuracy %.4f%s%n", report.finalAccuracy(), Double.isNaN(report.finalAttackSuccess())
                ? "" : String.format(Locale.ROOT, ", attack success %.4f", report.finalAttackSuccess()));
        if (aggregator.equals("dp-fedavg") && noise > 0) {
            w.printf(Locale.ROOT, "client-level epsilon %.3f at delta 1e-5 (sampling rate %d / %d, %d rounds)%n",
                    DpFedAvg.epsilon((double) perRound / clients, noise, rounds, 1e-5), perRound, clients, rounds);
        }
        if (json != null) {
            AtomicFiles.writeString(json, json(report));
            w.println("JSON report: " + json.toAbsolutePath());
        }
        if (html != null) {
            AtomicFiles.writeString(html, html(report));
            w.println("HTML report: " + html.toAbsolutePath());
        }
        w.flush();
        return Rampart.OK;
    }

    private static String json(Federation.Report r) throws java.io.IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("tool", "rampart federate");
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("clients", r.config().clients());
        config.put("clientsPerRound", r.config().clientsPerRound());
        config.put("rounds", r.config().rounds());
        config.put("maliciousClients", r.config().maliciousClients());
        config.put("attack", r.config().attack());
        config.put("aggregator", r.config().aggregator());
        config.put("seed", r.config().seed());
        root.put("config", config);
        List<Object> rounds = new ArrayList<>();
        for (Federation.RoundFigures f : r.rounds()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("round", f.round());
            m.put("sampled", f.sampled());
            m.put("maliciousSampled", f.maliciousSampled());
            m.put("kept", f.kept());
            m.put("meanHonestNorm", f.meanHonestNorm());
            m.put("updateNorm", f.updateNorm());
            m.put("accuracy", f.accuracy());
            m.put("attackSuccess", Double.isNaN(f.attackSuccess()) ? null : f.attackSuccess());
            m.put("seconds", f.seconds());
            rounds.add(m);
        }
        root.put("rounds", rounds);
        root.put("provenance", String.valueOf(r.provenance()));
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root) + "\n";
    }

    private static String html(Federation.Report r) {
        StringBuilder h = new StringBuilder("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Rampart federate"
                + "</title></head><body style=\"font-family:sans-serif\">\n<h1>Rampart federate</h1>\n<p>");
        h.append(esc(r.config().aggregator())).append(" against ").append(esc(r.config().attack())).append(", ")
                .append(r.config().maliciousClients().length).append(" malicious of ").append(r.config().clients())
                .append(" clients</p>\n<svg width=\"540\" height=\"260\"><line x1=\"40\" y1=\"10\" x2=\"40\" y2=\"250\""
                        + " stroke=\"#888\"/><line x1=\"40\" y1=\"250\" x2=\"520\" y2=\"250\" stroke=\"#888\"/>");
        curve(h, r, false, "#06c");
        curve(h, r, true, "#c30");
        h.append("<text x=\"0\" y=\"16\" font-size=\"11\">100%</text><text x=\"8\" y=\"250\" font-size=\"11\">0%</text>"
                + "</svg>\n<p>blue: accuracy; red: attack success (backdoor)</p>\n<table border=\"1\">"
                + "<tr><th>round</th><th>malicious sampled</th><th>kept</th><th>accuracy</th><th>attack success</th></tr>\n");
        for (Federation.RoundFigures f : r.rounds()) {
            h.append(String.format(Locale.ROOT, "<tr><td>%d</td><td>%d</td><td>%d</td><td>%.4f</td><td>%s</td></tr>%n",
                    f.round() + 1, f.maliciousSampled(), f.kept().length, f.accuracy(),
                    Double.isNaN(f.attackSuccess()) ? "-" : String.format(Locale.ROOT, "%.4f", f.attackSuccess())));
        }
        return h.append("</table>\n<p>").append(esc(String.valueOf(r.provenance()))).append("</p></body></html>\n")
                .toString();
    }

    private static void curve(StringBuilder h, Federation.Report r, boolean attack, String color) {
        int n = r.rounds().size();
        StringBuilder pts = new StringBuilder();
        for (Federation.RoundFigures f : r.rounds()) {
            double v = attack ? f.attackSuccess() : f.accuracy();
            if (!Double.isNaN(v)) {
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", 40 + 480.0 * (f.round() + 1) / n, 10 + 240 * (1 - v)));
            }
        }
        if (pts.length() > 0) {
            h.append("<polyline fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"2\" points=\"")
                    .append(pts).append("\"/>");
        }
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
