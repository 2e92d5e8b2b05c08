/**
 * Examples of adversarial-input detection.
 */
package dev.rampart.examples.detection;
