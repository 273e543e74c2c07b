package io.sluice.server.http;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static io.sluice.server.http.IdempotencyKeys.Claim.COMMITTED;
import static io.sluice.server.http.IdempotencyKeys.Claim.IN_PROGRESS;
import static io.sluice.server.http.IdempotencyKeys.Claim.NEW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IdempotencyKeysTest {
    @Test
    void aKeyIsInProgressUntilItsWriteEndsThenCommittedOrFree() {
        IdempotencyKeys keys = new IdempotencyKeys(10, TimeUnit.HOURS.toNanos(1));
        assertThat(keys.claim("a")).isEqualTo(NEW);
        assertThat(keys.claim("a")).isEqualTo(IN_PROGRESS);
        keys.committed("a");
        assertThat(keys.claim("a")).isEqualTo(COMMITTED);
        assertThat(keys.claim("b")).isEqualTo(NEW);
        keys.forget("b");
        assertThat(keys.claim("b")).as("stored nothing: a new write").isEqualTo(NEW);
    }

    @Test
    void committedKeysExpireAndTheOldestCommittedGoFirstPastTheBoundNeverOnesInProgress() throws Exception {
        IdempotencyKeys expiring = new IdempotencyKeys(10, 1);
        expiring.claim("a");
        expiring.committed("a");
        Thread.sleep(1);
        assertThat(expiring.claim("a")).isEqualTo(NEW);

        IdempotencyKeys bounded = new IdempotencyKeys(2, TimeUnit.HOURS.toNanos(1));
        bounded.claim("busy");
        bounded.claim("old");
        bounded.committed("old");
        bounded.claim("new");
        assertThat(bounded.size()).isEqualTo(2);
        assertThat(bounded.claim("busy")).isEqualTo(IN_PROGRESS);
        assertThat(bounded.claim("new")).isEqualTo(IN_PROGRESS);
        bounded.forget("new");
        assertThat(bounded.claim("old")).as("evicted: a new write").isEqualTo(NEW);
    }

    @Test
    void impossibleBoundsAreRefused() {
        assertThatThrownBy(() -> new IdempotencyKeys(0, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
