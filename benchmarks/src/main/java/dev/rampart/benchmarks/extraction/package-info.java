/** The model-extraction figures: probes, output defenses, PRADA and transfer attacks on full Fashion-MNIST. */
package dev.rampart.benchmarks.extraction;
