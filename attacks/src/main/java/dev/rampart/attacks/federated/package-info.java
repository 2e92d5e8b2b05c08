/**
 * Attacks on federated learning by malicious clients' updates: SignFlipping, GaussianUpdates,
 * ALittleIsEnough and InnerProductManipulation (the byzantine updates robust aggregation must
 * withstand).
 */
package dev.rampart.attacks.federated;
