package io.sluice.server;

import io.sluice.storage.TestDatabase;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
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
 * (withdrawn at its ack timeout) the same key writes it.
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
}
