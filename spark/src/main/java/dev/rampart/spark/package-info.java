/**
 * Rampart on Apache Spark: robustness evaluations split over a cluster's executors.
 * {@link dev.rampart.spark.DistributedAutoAttack} evaluates a model with the AutoAttack ensemble
 * on partitions of an evaluation set, the model shipped once as bytes
 * ({@link dev.rampart.audit.source.ShippedModel}); every example's result equals the single-machine run's,
 * whatever the number of partitions.
 */
package dev.rampart.spark;
