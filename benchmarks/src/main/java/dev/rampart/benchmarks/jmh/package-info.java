/**
 * JMH benchmarks of the hot loops; see benchmarks/BENCHMARKS.md for recorded figures.
 */
package dev.rampart.benchmarks.jmh;
