/**
 * Provenance of results: the Rampart, ND4J and Java versions, the backend and the threads.
 */
package dev.rampart.core.report;
