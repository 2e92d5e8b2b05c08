/**
 * Examples of wrapping models.
 */
package dev.rampart.examples.model;
