/**
 * The models the tool loads by name or file: bundled CNNs, DL4J zips of either kind, Keras HDF5
 * files; and how data is fed to them.
 */
package dev.rampart.audit.source;
