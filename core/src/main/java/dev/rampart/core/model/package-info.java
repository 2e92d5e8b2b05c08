/**
 * The model abstraction attacks and defenses use: {@link dev.rampart.core.model.Classifier} (queries), with the capabilities {@link dev.rampart.core.model.GradientClassifier} (inference-mode input gradients), {@link dev.rampart.core.model.ActivationModel} and {@link dev.rampart.core.model.TrainableModel}, and the black-box adapter.
 */
package dev.rampart.core.model;
