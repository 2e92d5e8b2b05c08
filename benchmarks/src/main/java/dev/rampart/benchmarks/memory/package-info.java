/**
 * Long-run programs that measure resident memory.
 */
package dev.rampart.benchmarks.memory;
