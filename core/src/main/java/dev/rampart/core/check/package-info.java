/** Rampart's preconditions: the one place where values are checked and messages are worded. */
package dev.rampart.core.check;
