/**
 * Rampart's command-line tool, {@code ./rampart}: the {@code audit} and {@code train} commands,
 * their option checks and exit codes.
 */
package dev.rampart.cli;
