/**
 * Reproducible training of the reference models.
 */
package dev.rampart.benchmarks.train;
