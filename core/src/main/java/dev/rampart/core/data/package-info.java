/**
 * Dataset readers (IDX, CIFAR-10 binary, CSV) and the bundled Fashion-MNIST sample.
 */
package dev.rampart.core.data;
