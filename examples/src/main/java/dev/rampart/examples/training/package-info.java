/**
 * Examples of adversarial training.
 */
package dev.rampart.examples.training;
