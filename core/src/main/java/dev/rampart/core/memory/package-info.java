/**
 * ND4J workspaces for Rampart's loops, so that long runs keep flat resident memory.
 */
package dev.rampart.core.memory;
