/**
 * Seeding: one seed fixes every random choice, independent of threads and backend.
 */
package dev.rampart.core.random;
