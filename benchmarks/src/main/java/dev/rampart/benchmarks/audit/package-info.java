/**
 * The robustness audit, Rampart's main job: {@link dev.rampart.benchmarks.audit.AuditCommand} is its command line.
 */
package dev.rampart.benchmarks.audit;
