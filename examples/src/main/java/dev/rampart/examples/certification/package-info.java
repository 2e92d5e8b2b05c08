/** Certified robustness: randomized smoothing's certificates, checked against attacks. */
package dev.rampart.examples.certification;
