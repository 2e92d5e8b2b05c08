/** Files written safely (atomically, checked before the work) and file errors in words. */
package dev.rampart.core.io;
