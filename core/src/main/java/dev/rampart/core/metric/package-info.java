/**
 * Metrics over per-example results: accuracy, shares of flagged examples.
 */
package dev.rampart.core.metric;
