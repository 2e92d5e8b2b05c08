package dev.rampart.audit;

import dev.rampart.attacks.evasion.Apgd;
import dev.rampart.attacks.evasion.BoundaryAttack;
import dev.rampart.attacks.evasion.CarliniWagner;
import dev.rampart.attacks.evasion.DeepFool;
import dev.rampart.attacks.evasion.EvasionAttack;
import dev.rampart.attacks.evasion.Fgsm;
import dev.rampart.attacks.evasion.HopSkipJump;
import dev.rampart.attacks.evasion.MiFgsm;
import dev.rampart.attacks.evasion.Pgd;
import dev.rampart.attacks.evasion.Square;
import dev.rampart.core.model.Classifier;
import dev.rampart.core.norm.Norm;
import java.io.Serializable;

/**
 * How the audit builds one of its attacks: the settings an executor needs to build it again
 * (serializable, without the configuration's files).
 *
 * @param kind the attack
 * @param norm the threat model
 * @param pgdSteps PGD's iterations
 * @param pgdRestarts PGD's restarts
 * @param squareQueries Square's query budget
 * @param batchSize examples per pass
 * @param seed of every random choice
 */
record AttackSettings(AuditConfig.AttackKind kind, Norm norm, int pgdSteps, int pgdRestarts, int squareQueries,
        int batchSize, long seed) implements Serializable {

    static AttackSettings of(AuditConfig.AttackKind kind, AuditConfig c) {
        return new AttackSettings(kind, c.norm(), c.pgdSteps(), c.pgdRestarts(), c.squareQueries(), c.batchSize(),
                c.seed());
    }

    /** The attack at budget {@code eps} on {@code model}. AutoAttack is an ensemble, not one attack. */
    EvasionAttack attack(Classifier model, double eps) {
        return switch (kind) {
            case FGSM -> Fgsm.builder(model).norm(norm).epsilon(eps).batchSize(batchSize).build();
            case PGD -> Pgd.builder(model).norm(norm).epsilon(eps).steps(pgdSteps).restarts(pgdRestarts)
                    .earlyStop(true).batchSize(batchSize).seed(seed).build();
            case MIFGSM -> MiFgsm.builder(model).norm(norm).epsilon(eps).steps(AuditConfig.MIFGSM_STEPS)
                    .batchSize(batchSize).build();
            case APGD_CE -> Apgd.builder(model).norm(norm).epsilon(eps).steps(AuditConfig.APGD_STEPS)
                    .batchSize(batchSize).seed(seed).build();
            case APGD_T -> Apgd.builder(model).norm(norm).epsilon(eps).steps(AuditConfig.APGD_STEPS)
                    .loss(Apgd.Loss.DLR).targetClasses(Math.min(9, model.numClasses() - 1))
                    .batchSize(batchSize).seed(seed).build();
            case CW -> CarliniWagner.builder(model).batchSize(batchSize).build();
            case DEEPFOOL -> DeepFool.builder(model).norm(norm).build();
            case SQUARE -> Square.builder(model).norm(norm).epsilon(eps).queries(squareQueries)
                    .batchSize(batchSize).seed(seed).build();
            case HSJ -> HopSkipJump.builder(model).epsilon(eps).queries(squareQueries).batchSize(batchSize).seed(seed)
                    .build();
            case BOUNDARY -> BoundaryAttack.builder(model).epsilon(eps).queries(squareQueries).batchSize(batchSize)
                    .seed(seed).build();
            case AUTOATTACK -> throw new IllegalStateException("AutoAttack is run as an ensemble");
            case IBP, CROWN_IBP, CROWN -> throw new IllegalStateException(kind + " is a certificate, not an attack");
        };
    }
}
