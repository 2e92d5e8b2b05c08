/**
 * The test data the tool reads: IDX, CIFAR-10 binary, CSV, image folders, the bundled sample.
 */
package dev.rampart.benchmarks.data;
