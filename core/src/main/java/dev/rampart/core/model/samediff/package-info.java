/**
 * Adapter for SameDiff graphs.
 */
package dev.rampart.core.model.samediff;
