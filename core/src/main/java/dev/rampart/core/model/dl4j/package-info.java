/**
 * Adapters for DL4J MultiLayerNetwork and ComputationGraph, which compile the network into a program of libnd4j ops that gives exact inference-mode input gradients.
 */
package dev.rampart.core.model.dl4j;
