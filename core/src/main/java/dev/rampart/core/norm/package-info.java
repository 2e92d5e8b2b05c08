/**
 * Perturbation norms: per-example norms, steepest-ascent steps, projection onto epsilon balls, random starts.
 */
package dev.rampart.core.norm;
