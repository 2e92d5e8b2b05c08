/**
 * The robustness audit, Rampart's main job: {@link dev.rampart.audit.AuditCommand} is its command line.
 */
package dev.rampart.audit;
