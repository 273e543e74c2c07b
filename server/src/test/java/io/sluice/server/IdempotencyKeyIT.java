package io.sluice.server;

import io.sluice.storage.TestDatabase;
import io.sluice.storage.db.DatabaseUrl;
import io.sluice.storage.writer.CommitCuttingProxy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Writes carrying an {@code Idempotency-Key} (README "What an answer guarantees"): the same write
 * sent again while the first is still committing gets 409 and stores nothing; once the first is
 * committed it is answered as committed and stores nothing; after a write that stored nothing
 * (withdrawn at its ack timeout) the same key writes it; after a write whose COMMIT went
 * unanswered and was given up on (500: stored whole or not at all) the key stays bound to that
 * batch, and the same write sent again is answered from what the database says it stored.
 */
class IdempotencyKeyIT {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    /** The samples' first second: the same body each time a write is sent again. */
    private static final long START = System.currentTimeMillis() / 1000 - 3_600;

    private static String body(String metric) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            b.append(metric).append(",i=").append(i).append(" value=").append(i).append(' ').append(START + i)
                    .append('\n');
        }
        return b.toString();
    }

    private static CompletableFuture<HttpResponse<String>> write(TestServer s, String metric, String key) {
        HttpRequest.Builder r = HttpRequest.newBuilder(s.uri("/write?precision=s")).timeout(PATIENCE)
                .POST(HttpRequest.BodyPublishers.ofString(body(metric)));
        if (key != null) {
            r.header("Idempotency-Key", key);
        }
        return s.http.sendAsync(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static long rows(TestServer s, String metric) throws Exception {
        return TestDatabase.count(s.db, "SELECT count(*) FROM metrics WHERE metric = '" + metric + "'");
    }

    @Test
    void aWriteSentAgainWithItsKeyIsStoredOnceWhetherTheFirstIsCommittingOrCommitted() throws Exception {
        try (TestServer s = TestServer.start("idempotency", Map.of("writers", "1", "http_ack_timeout", "1s"));
             Connection lock = TestDatabase.connect(s.db)) {
            lock.setAutoCommit(false);
            try (Statement st = lock.createStatement()) {
                st.execute("LOCK TABLE samples IN SHARE MODE"); // the writer's COPY waits
            }
            CompletableFuture<HttpResponse<String>> first = write(s, "idem_a", "\"a-1\"");
            await().atMost(PATIENCE).until(() -> s.metric("sluice_samples_received_total", "transport", "http_line") >= 50);
            // Behind it in the ring (one writer, busy): withdrawn at its ack timeout, nothing stored.
            HttpResponse<String> withdrawn = write(s, "idem_b", "b-1").get();
            assertThat(withdrawn.statusCode()).as(withdrawn.body()).isEqualTo(503);
            assertThat(withdrawn.body()).contains("\"queued\":0");

            HttpResponse<String> again = write(s, "idem_a", "a-1").get();
            assertThat(again.statusCode()).as(again.body()).isEqualTo(409);
            assertThat(again.headers().firstValue("Retry-After")).contains("1");
            assertThat(first).isNotDone(); // its commit is under way: it is answered when that ends

            lock.rollback();
            assertThat(first.get().statusCode()).isEqualTo(204);
            assertThat(write(s, "idem_a", "a-1").get().statusCode()).as("answered as committed").isEqualTo(204);
            assertThat(write(s, "idem_b", "b-1").get().statusCode()).as("the key of a write that stored nothing")
                    .isEqualTo(204);
            assertThat(rows(s, "idem_a")).isEqualTo(50);
            assertThat(rows(s, "idem_b")).isEqualTo(50);
            assertThat(write(s, "idem_a", null).get().statusCode()).as("no key: an ordinary write").isEqualTo(204);
            assertThat(rows(s, "idem_a")).isEqualTo(100);

            for (String bad : new String[] {"\"\"", "x".repeat(256)}) {
                HttpResponse<String> r = write(s, "idem_c", bad).get();
                assertThat(r.statusCode()).as(bad).isEqualTo(400);
                assertThat(r.body()).contains("Idempotency-Key");
            }
            assertThat(rows(s, "idem_c")).isZero();
        }
    }

    /**
     * A writer's COMMIT goes unanswered (a proxy cuts the connection: {@code committed} passes the
     * COMMIT on first, otherwise drops it), then its attempts to learn the outcome fail three times
     * (a trigger refuses the batch record), so the writer gives up: 500. The same write sent again
     * with its key is answered from the truth: 204 storing nothing if it committed, stored once if
     * not; while the database cannot say, 503 and nothing stored.
     */
    @ParameterizedTest(name = "committed={0}")
    @ValueSource(booleans = {true, false})
    void aWriteWhoseCommitWentUnansweredKeepsItsKeyUntilTheDatabaseSaysHowItEnded(boolean committed) throws Exception {
        DatabaseUrl direct = TestDatabase.fresh("idem_unknown");
        int pgPort = TestDatabase.server().getPort();
        try (CommitCuttingProxy proxy = new CommitCuttingProxy(pgPort)) {
            String viaProxy = direct.jdbcUrl().replace(":" + pgPort + "/", ":" + proxy.port() + "/")
                    + "?user=postgres&prepareThreshold=0";
            try (TestServer s = TestServer.start(viaProxy, direct, Map.of("writers", "1"));
                 Connection ctl = TestDatabase.connect(direct);
                 Statement st = ctl.createStatement()) {
                st.execute("CREATE TABLE test_ctl (fail int NOT NULL); INSERT INTO test_ctl VALUES (0);"
                        + " CREATE SEQUENCE test_fails;"
                        + " CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                        + " IF nextval('test_fails') <= (SELECT fail FROM test_ctl) THEN"
                        + " RAISE EXCEPTION 'batch record refused by the test'; END IF; RETURN NEW; END $$;"
                        + " CREATE TRIGGER test_refuse BEFORE INSERT ON sluice_write_batches"
                        + " FOR EACH ROW EXECUTE FUNCTION test_refuse()");
                proxy.forward = committed;
                proxy.onlyWriterCommits = true;
                proxy.onCut = () -> refuseRecords(direct, 3);
                proxy.toCut.set(1);

                HttpResponse<String> first = write(s, "idem_u", "u-1").get();
                assertThat(first.statusCode()).as(first.body()).isEqualTo(500);
                assertThat(proxy.cut.get()).isEqualTo(1);
                assertThat(rows(s, "idem_u")).as("the COMMIT cut").isEqualTo(committed ? 50 : 0);

                if (committed) {
                    // The database cannot say (the look-up is refused too): nothing stored, retry later.
                    refuseRecords(direct, 1_000);
                    HttpResponse<String> unsure = write(s, "idem_u", "u-1").get();
                    assertThat(unsure.statusCode()).as(unsure.body()).isEqualTo(503);
                    assertThat(unsure.headers().firstValue("Retry-After")).isPresent();
                    assertThat(rows(s, "idem_u")).isEqualTo(50);
                    refuseRecords(direct, 0);
                } else {
                    refuseRecords(direct, 0);
                    // The writer learns the outcome itself, in the transaction of its next batch.
                    assertThat(write(s, "idem_other", null).get().statusCode()).isEqualTo(204);
                }
                HttpResponse<String> again = write(s, "idem_u", "u-1").get();
                assertThat(again.statusCode()).as(again.body()).isEqualTo(204);
                assertThat(rows(s, "idem_u")).as("stored once").isEqualTo(50);
                assertThat(write(s, "idem_u", "u-1").get().statusCode()).as("answered as committed").isEqualTo(204);
                assertThat(rows(s, "idem_u")).isEqualTo(50);
            }
        }
    }

    /** The next {@code n} batch records (and look-ups) fail; 0 lets them all through. */
    private static void refuseRecords(DatabaseUrl db, int n) {
        try (Connection c = TestDatabase.connect(db); Statement st = c.createStatement()) {
            st.execute("SELECT setval('test_fails', 1, false); UPDATE test_ctl SET fail = " + n);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
