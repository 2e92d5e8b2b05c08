/** Model extraction: stealing the bundled model, an output defense, and the PRADA monitor. */
package dev.rampart.examples.extraction;
