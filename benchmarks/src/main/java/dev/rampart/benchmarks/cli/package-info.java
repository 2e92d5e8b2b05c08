/**
 * Command-line option parsing shared by the benchmark and training programs.
 */
package dev.rampart.benchmarks.cli;
