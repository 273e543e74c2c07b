package io.sluice.server.auth;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RateLimitTest {
    static final long S = 1_000_000_000L;

    @Test
    void aSecondsWorthPassesAtOnceThenOneUnitPerInterval() {
        RateLimit r = new RateLimit(10);
        long t = 5 * S;
        for (int i = 0; i < 10; i++) {
            assertThat(r.tryTake(1, t)).as("unit %d", i).isZero();
        }
        long wait = r.tryTake(1, t);
        assertThat(wait).isEqualTo(S / 10);
        assertThat(r.tryTake(1, t + wait - 1)).isPositive();
        assertThat(r.tryTake(1, t + wait)).isZero();
    }

    @Test
    void aRefusedTakeTakesNothing() {
        RateLimit r = new RateLimit(2);
        assertThat(r.tryTake(2, 0)).isZero();
        for (int i = 0; i < 5; i++) {
            assertThat(r.tryTake(1, 0)).isEqualTo(S / 2);
        }
    }

    @Test
    void aBatchLargerThanTheBurstGoesWhenNothingIsOwedAndTheNextWaitsForIt() {
        RateLimit r = new RateLimit(100);
        assertThat(r.tryTake(300, 0)).isZero();
        assertThat(r.tryTake(300, S)).isEqualTo(2 * S);
        assertThat(r.tryTake(300, 3 * S)).isZero();
    }

    @Test
    void chargedSamplesAreOwedAndWaitNanosSaysForHowLong() {
        RateLimit r = new RateLimit(1000);
        assertThat(r.waitNanos(0)).isZero();
        r.charge(500, 0);
        assertThat(r.waitNanos(0)).isZero();
        r.charge(3000, 0); // 3.5 s of samples taken in one write
        assertThat(r.waitNanos(0)).isEqualTo(2_500_000_000L);
        assertThat(r.waitNanos(2_500_000_000L)).isZero();
    }

    @Test
    void idleTimeDoesNotBankMoreThanTheBurst() {
        RateLimit r = new RateLimit(5);
        long later = 3600 * S;
        int passed = 0;
        while (r.tryTake(1, later) == 0) {
            passed++;
        }
        assertThat(passed).isEqualTo(5);
    }

    @Test
    void aRateMustBePositive() {
        assertThatThrownBy(() -> new RateLimit(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RateLimit(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }
}
