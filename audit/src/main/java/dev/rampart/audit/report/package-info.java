/**
 * The audit's reports: the console table, JSON (with a schema version), self-contained HTML and
 * JUnit XML; and the progress display of long runs.
 */
package dev.rampart.audit.report;
