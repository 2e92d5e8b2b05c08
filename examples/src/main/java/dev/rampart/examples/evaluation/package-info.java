/** Example: a reliable robust-accuracy evaluation with an attack ensemble and masking checks. */
package dev.rampart.examples.evaluation;
