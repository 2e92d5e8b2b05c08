/**
 * Rampart's command-line tool, {@code ./rampart}: one class per command (audit, train, privacy,
 * the integrity commands, scan, sanitize, vet), their option checks and exit codes.
 */
package dev.rampart.cli;
