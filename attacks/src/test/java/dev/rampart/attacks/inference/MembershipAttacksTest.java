package dev.rampart.attacks.inference;

/** Every membership attack through the membership contract. */
final class MembershipAttacksTest {

    private MembershipAttacksTest() {
    }

    /** The loss threshold, at the shadows' mean training loss. */
    static class LossThreshold extends MembershipAttackContract {
        @Override
        protected MembershipAttack make(ShadowModels shadows) {
            return LossThresholdAttack.fromShadows(shadows);
        }

        @Override
        protected Candidates candidates(ShadowModels shadows, int... idx) {
            return Candidates.of(Candidates.of(shadows, idx).data()); // any examples will do
        }
    }

    /** Shokri et al.'s attack models. */
    static class ShadowModelAttackTest extends MembershipAttackContract {
        @Override
        protected MembershipAttack make(ShadowModels shadows) {
            return ShadowModelAttack.fit(shadows);
        }
    }

    /** Online LiRA. */
    static class LiraOnline extends MembershipAttackContract {
        @Override
        protected MembershipAttack make(ShadowModels shadows) {
            return Lira.online(shadows);
        }
    }

    /** Offline LiRA with per-example variances. */
    static class LiraOffline extends MembershipAttackContract {
        @Override
        protected MembershipAttack make(ShadowModels shadows) {
            return Lira.offline(shadows).variance(Lira.Variance.PER_EXAMPLE);
        }
    }
}
