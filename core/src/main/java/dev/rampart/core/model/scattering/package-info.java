/**
 * The wavelet scattering transform as a fixed, differentiable DL4J layer, and ScatterNet models
 * (a scattering front in front of a linear or small convolutional head).
 */
package dev.rampart.core.model.scattering;
