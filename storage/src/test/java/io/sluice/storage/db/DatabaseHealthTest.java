package io.sluice.storage.db;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The latest report wins; an outage has one id from its first failure to the next success. */
class DatabaseHealthTest {
    private final DatabaseHealth health = new DatabaseHealth(new DatabaseUrl("jdbc:postgresql://localhost:1/none", null, null));

    @Test
    void theLatestOutcomeWinsAndAnOutageKeepsItsIdUntilTheDatabaseAnswers() {
        assertThat(health.up()).isTrue();
        assertThat(health.outage()).isNull();
        health.failed(new java.sql.SQLException("refused", "08001"));
        assertThat(health.up()).isFalse();
        DatabaseHealth.Outage o = health.outage();
        assertThat(o.errorId()).matches("[0-9a-f]{12}");
        health.failed(new java.sql.SQLException("refused again", "08001"));
        assertThat(health.outage()).isSameAs(o);
        health.succeeded();
        assertThat(health.up()).isTrue();
        assertThat(health.outage()).isNull();
    }

    @Test
    void withNoReportForASecondTheDatabaseCountsAsDown() throws Exception {
        health.succeeded();
        Thread.sleep(DatabaseHealth.STALE_MS + 200); // a probe stuck waiting for an answer
        assertThat(health.up()).isFalse();
        health.succeeded();
        assertThat(health.up()).isTrue();
    }

    @Test
    void afterCloseAFailureIsNotAnOutage() {
        health.close();
        health.failed(new java.sql.SQLException("pool closed", "08003"));
        assertThat(health.outage()).isNull();
    }
}
