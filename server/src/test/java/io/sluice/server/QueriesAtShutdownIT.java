package io.sluice.server;

import ch.qos.logback.classic.Level;
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
 * A query under way when Sluice stops (README "Shutdown") finishes and is answered before the
 * pool closes; it used to fail when the pool aborted its connection, with a WARN line.
 */
class QueriesAtShutdownIT {
    @Test
    void aQueryUnderWayAtAStopIsAnsweredAndNothingIsLoggedAsAWarning() throws Exception {
        TestServer s = TestServer.start("queries_at_shutdown", Map.of("ring_size", "64"));
        try (Connection lock = TestDatabase.connect(s.db); LogCapture logs = new LogCapture()) {
            assertThat(s.post("/write", "stopq,host=a value=1").statusCode()).isEqualTo(204);
            lock.setAutoCommit(false);
            try (Statement st = lock.createStatement()) {
                st.execute("LOCK TABLE series IN ACCESS EXCLUSIVE MODE"); // the query below waits on it
            }
            CompletableFuture<HttpResponse<String>> query = s.http.sendAsync(HttpRequest.newBuilder(
                    s.uri("/v1/series?metric=stopq")).timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
            await().atMost(Duration.ofSeconds(60)).until(() -> TestDatabase.count(s.db, "SELECT count(*) FROM pg_stat_activity"
                    + " WHERE wait_event_type = 'Lock' AND query LIKE '%FROM series%'") > 0);
            CompletableFuture<Void> stop = CompletableFuture.runAsync(s::close);
            // The stop waits for the query; the query waits for the lock.
            Thread.sleep(1000);
            assertThat(stop).isNotDone();
            lock.rollback();
            HttpResponse<String> r = query.get();
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).contains("stopq");
            stop.get();
            assertThat(logs.events().stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                    .map(e -> e.getLoggerName() + ": " + e.getFormattedMessage())).isEmpty();
        } finally {
            s.close();
        }
    }
}
