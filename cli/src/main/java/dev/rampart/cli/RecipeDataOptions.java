package dev.rampart.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options of a command that trains a model recipe on data: {@code --model}, {@code --data},
 * {@code --test} and {@code --data-format}, shared by {@code federate} and {@code privacy audit}.
 */
final class RecipeDataOptions {

    @Option(names = "--model", description = "the model's recipe: cnn, mlp, strided-cnn, tanh-cnn, scatter-linear, a DL4J"
            + " configuration or zip (default ${DEFAULT-VALUE})")
    String model = "mlp";
    @Option(names = "--data", paramLabel = "PATH", description = "training data (default: the bundled training sample)")
    Path data;
    @Option(names = "--test", paramLabel = "PATH", description = "test data (default: the bundled test sample, or"
            + " the test split of --data)")
    Path test;
    @Option(names = "--data-format", description = "auto, idx, cifar10, csv or images (default ${DEFAULT-VALUE})")
    String format = "auto";
}
