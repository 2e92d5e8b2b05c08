/**
 * Cost measurements of differentially private training.
 */
package dev.rampart.benchmarks.privacy;
