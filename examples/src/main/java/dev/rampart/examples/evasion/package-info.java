/**
 * Examples of evasion attacks.
 */
package dev.rampart.examples.evasion;
