/**
 * Provenance of results, and report output: JSON, console tables, progress bars.
 */
package dev.rampart.core.report;
