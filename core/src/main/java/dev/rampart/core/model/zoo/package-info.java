/**
 * Reference models (the CNN and MLP of Rampart's tests and benchmarks), their training, bundled trained models and model-file loading.
 */
package dev.rampart.core.model.zoo;
