/**
 * Federated learning's server side: aggregation rules that combine the clients' parameter updates
 * (FedAvg, and the robust CoordinateMedian, TrimmedMean, Krum and Multi-Krum, Bulyan,
 * NormBounding, FlTrust), all refusing non-finite or misshapen updates by client.
 */
package dev.rampart.defenses.federated;
