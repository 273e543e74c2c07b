package io.sluice.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Answers to what goes wrong: the client's mistakes with their precise reason, Sluice's and the
 * database's faults with a stable message and an error id that the log line carries; request
 * bodies in codings Sluice does not read; malformed requests and clients hanging up, logged as one
 * rate-limited line without a stack trace.
 */
class HttpErrorsIT {
    static TestServer s;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        s = TestServer.start("http_errors", Map.of("max_body_bytes", "65536"));
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    static byte[] gzip(String text) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(text.getBytes());
        }
        return out.toByteArray();
    }

    static RawHttp.Response exchange(byte[] request) throws Exception {
        try (RawHttp c = new RawHttp(s.server.httpPort())) {
            return c.send(request).read();
        }
    }

    static String lines(String metric, int n) {
        long t = Instant.now().getEpochSecond();
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(metric).append(",i=").append(i).append(" value=").append(i).append(' ').append(t).append('\n');
        }
        return b.toString();
    }

    @Test
    void aTruncatedGzipBodyIs400AndStoresNothing() throws Exception {
        byte[] whole = gzip(lines("gz_cut", 1000));
        byte[] cut = Arrays.copyOf(whole, whole.length * 2 / 3);
        RawHttp.Response r = exchange(RawHttp.request("POST", "/write?precision=s", cut, "Content-Encoding: gzip"));
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.body()).contains("not valid gzip").contains("truncated");
        assertThat(s.count("SELECT count(*) FROM metrics WHERE metric = 'gz_cut'")).isZero();

        byte[] badCrc = whole.clone();
        badCrc[badCrc.length - 6] ^= 0x55;
        r = exchange(RawHttp.request("POST", "/write?precision=s", badCrc, "Content-Encoding: gzip"));
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(s.count("SELECT count(*) FROM metrics WHERE metric = 'gz_cut'")).isZero();

        r = exchange(RawHttp.request("POST", "/write?precision=s", whole, "Content-Encoding: gzip"));
        assertThat(r.status()).as(r.body()).isEqualTo(204);
        assertThat(s.count("SELECT count(*) FROM metrics WHERE metric = 'gz_cut'")).isEqualTo(1000);
    }

    @Test
    void gzipMembersOneAfterAnotherAreOneBody() throws Exception {
        ByteArrayOutputStream two = new ByteArrayOutputStream();
        two.write(gzip(lines("gz_two_a", 3)));
        two.write(gzip(lines("gz_two_b", 4)));
        RawHttp.Response r = exchange(RawHttp.request("POST", "/write?precision=s", two.toByteArray(),
                "Content-Encoding: x-gzip"));
        assertThat(r.status()).as(r.body()).isEqualTo(204);
        assertThat(s.count("SELECT count(*) FROM metrics WHERE metric LIKE 'gz_two_%'")).isEqualTo(7);
    }

    @Test
    void aBodyInAnUnsupportedCodingIs415NamingTheSupportedOnes() throws Exception {
        for (String coding : new String[] {"br", "zstd", "deflate", "snappy", "gzip, br", "compress"}) {
            RawHttp.Response r = exchange(RawHttp.post("/write?precision=s", lines("coding_x", 1), "Content-Encoding: " + coding));
            assertThat(r.status()).as(coding).isEqualTo(415);
            assertThat(r.header("accept-encoding")).isEqualTo("gzip, identity");
            JsonNode j = JSON.readTree(r.body());
            assertThat(j.get("message").asText()).contains(coding).contains("gzip, identity");
        }
        assertThat(s.count("SELECT count(*) FROM metrics WHERE metric = 'coding_x'")).isZero();
        RawHttp.Response r = exchange(RawHttp.post("/write?precision=s", lines("coding_id", 1), "Content-Encoding: identity"));
        assertThat(r.status()).isEqualTo(204);
    }

    @Test
    void anUnsupportedCodingKeepsTheConnectionAndItsOrder() throws Exception {
        try (RawHttp c = new RawHttp(s.server.httpPort())) {
            c.send(RawHttp.post("/write?precision=s", lines("coding_keep", 2)),
                    RawHttp.post("/write?precision=s", lines("coding_keep_br", 2), "Content-Encoding: br"),
                    RawHttp.get("/-/healthy"));
            assertThat(c.read().status()).isEqualTo(204);
            assertThat(c.read().status()).isEqualTo(415);
            assertThat(c.read().status()).isEqualTo(200);
        }
    }

    @Test
    void aBodyOverTheLimitIs413InItsTurnThenTheConnectionCloses() throws Exception {
        try (LogCapture logs = new LogCapture(); RawHttp c = new RawHttp(s.server.httpPort())) {
            c.send(RawHttp.post("/write?precision=s", lines("big_before", 1)),
                    RawHttp.post("/write", "x".repeat(70_000)));
            assertThat(c.read().status()).isEqualTo(204);
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(413);
            assertThat(r.body()).contains("max_body_bytes=65536");
            assertThat(c.closedByServer()).isTrue();
            byte[] bomb = gzip("y".repeat(200_000));
            r = exchange(RawHttp.request("POST", "/write", bomb, "Content-Encoding: gzip"));
            assertThat(r.status()).isEqualTo(413);
            assertThat(r.body()).contains("after gzip decoding");
            assertThat(logs.stackTraces()).isEmpty();
        }
    }

    @Test
    void malformedRequestsAreAnsweredWithTheirStatusAndLoggedWithoutAStackTrace() throws Exception {
        try (LogCapture logs = new LogCapture()) {
            RawHttp.Response r = exchange(RawHttp.get("/v1/query?metric=" + "a".repeat(10_000)));
            assertThat(r.status()).isEqualTo(414);
            r = exchange(RawHttp.request("GET", "/-/healthy", null, "X-Big: " + "b".repeat(20_000)));
            assertThat(r.status()).isEqualTo(431);
            r = exchange("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n".getBytes());
            assertThat(r.status()).isEqualTo(400);
            try (RawHttp c = new RawHttp(s.server.httpPort())) {
                c.send("NOT HTTP AT ALL\r\n\r\n".getBytes());
                r = c.read();
                assertThat(r.status()).isEqualTo(400);
                assertThat(c.closedByServer()).isTrue();
            }
            // A WebSocket upgrade without its key is the client's mistake too.
            r = exchange(RawHttp.request("GET", "/v1/live", null, "Upgrade: websocket", "Connection: Upgrade",
                    "Sec-WebSocket-Version: 13"));
            assertThat(r.status()).isBetween(400, 499);
            assertThat(logs.stackTraces()).isEmpty();
            assertThat(logs.containing("malformed HTTP request")).hasSizeLessThanOrEqualTo(1);
        }
    }

    @Test
    void aTargetThatIsNotAPathOrHasABadEscapeIs400NotAFailure() throws Exception {
        // Found by the HTTP fuzz: an empty path threw in the router, a bad escape in a handler (500).
        try (LogCapture logs = new LogCapture()) {
            for (String target : new String[] {"?x=1", "*", "x", "/v1/query?metric=%zz", "/v1/%zz"}) {
                RawHttp.Response r = exchange(RawHttp.get(target));
                assertThat(r.status()).as(target).isEqualTo(400);
                assertThat(JSON.readTree(r.body()).get("message").asText()).as(target).startsWith("request target: ");
            }
            assertThat(exchange(RawHttp.get("http://localhost/-/healthy")).status()).as("absolute form").isEqualTo(200);
            assertThat(logs.stackTraces()).isEmpty();
        }
    }

    @Test
    void clientsHangingUpMidBodyAreOneRateLimitedLineWithoutAStackTrace() throws Exception {
        try (LogCapture logs = new LogCapture()) {
            for (int i = 0; i < 30; i++) {
                try (RawHttp c = new RawHttp(s.server.httpPort())) {
                    // Host: localhost, so the head passes (Sluice without tokens answers only that name) and the body is awaited.
                    c.send("POST /write HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\nmem value=1\n".getBytes());
                }
            }
            try (RawHttp c = new RawHttp(s.server.httpPort())) {
                // Still serving.
                assertThat(c.send(RawHttp.get("/-/healthy")).read().status()).isEqualTo(200);
            }
            Thread.sleep(200); // the server notices the last hang-ups
            assertThat(logs.stackTraces()).isEmpty();
            assertThat(logs.containing("closed mid-request")).hasSize(1);
            assertThat(logs.containing("closed mid-request").get(0).getFormattedMessage()).contains("peer=/127.0.0.1:");
        }
    }

    @Test
    void aDatabaseFaultIs500WithAnErrorIdAndNoInternals() throws Exception {
        TestServer own = TestServer.start("http_errors_db", Map.of());
        try (LogCapture logs = new LogCapture()) {
            try (Connection c = io.sluice.storage.TestDatabase.connect(own.db); Statement st = c.createStatement()) {
                st.execute("ALTER TABLE servers RENAME TO servers_gone");
            }
            // An InfluxDB 1.x client sends its token as p=: the log line names the request without it.
            var r = own.get("/api/v1/servers?u=me&p=url-secret-0123456789&%70=encoded-secret-0123456789");
            assertThat(r.statusCode()).isEqualTo(500);
            JsonNode j = JSON.readTree(r.body());
            String id = j.get("error_id").asText();
            assertThat(id).matches("[0-9a-f]{12}");
            assertThat(j.get("message").asText()).contains(id);
            assertThat(r.body()).doesNotContain("servers").doesNotContain("relation").doesNotContain("PSQL")
                    .doesNotContain("Exception");
            assertThat(logs.containing("errorId=" + id)).hasSize(1);
            assertThat(logs.containing("errorId=" + id).get(0).getThrowableProxy()).isNotNull();
            assertThat(logs.containing("errorId=" + id).get(0).getFormattedMessage()).contains("uri=/api/v1/servers");
            assertThat(logs.events()).noneMatch(e -> e.getFormattedMessage().contains("secret-0123456789"));
        } finally {
            own.close();
        }
    }

    @Test
    void aValueTheDatabaseRefusesIsTheClients400NotA503() throws Exception {
        // PostgreSQL's jsonb cannot hold U+0000 (SQLSTATE 22P05, a data exception).
        var r = s.post("/api/v1/metrics/batch", "{\"metrics\":[{\"run_id\":\"r-nul\",\"metric_name\":\"loss\",\"step\":1,"
                + "\"value\":0.5,\"metadata\":{\"note\":\"a\\u0000b\"}}]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(r.headers().firstValue("retry-after")).isEmpty();
        JsonNode j = JSON.readTree(r.body());
        assertThat(j.get("message").asText()).contains("SQLSTATE 22").contains(j.get("error_id").asText());
    }

    @Test
    void aValueTheDatabaseRefusesInAWriteIsThatRequests400AndStoresNothingOfIt() throws Exception {
        TestServer own = TestServer.start("http_errors_check", Map.of());
        try (LogCapture logs = new LogCapture()) {
            // The database refuses a negative value as it refuses a value out of range (SQLSTATE 22003).
            io.sluice.storage.TestDatabase.refuseNegativeValues(own.db);
            long t = Instant.now().getEpochSecond();
            var r = own.post("/write?precision=s", "db_refused value=1 " + t + "\ndb_refused value=-1 " + (t + 1) + "\n");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
            String message = JSON.readTree(r.body()).get("message").asText();
            assertThat(message).contains("SQLSTATE 22003").contains("nothing of it was stored");
            assertThat(r.body()).doesNotContain("refused for the test").doesNotContain("PSQL");
            String id = message.replaceAll(".*error id ([0-9a-f]+).*", "$1");
            assertThat(logs.containing("errorId=" + id)).hasSize(1);
            assertThat(logs.containing("errorId=" + id).get(0).getFormattedMessage()).contains("refused for the test");

            r = own.post("/write?precision=s", "db_refused value=2 " + t + "\n");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
            assertThat(own.count("SELECT count(*) FROM metrics WHERE metric = 'db_refused'")).isEqualTo(1);
            assertThat(own.server.metrics().total("sluice_samples_dropped_total")).isEqualTo(2);
            assertThat(own.server.metrics().total("sluice_write_retries_total")).isZero();
        } finally {
            own.close();
        }
    }

    @Test
    void anExpectContinueOverTheBodyLimitIs413InRequestOrderAndTheConnectionEndsCleanly() throws Exception {
        long t = Instant.now().getEpochSecond();
        try (RawHttp c = new RawHttp(s.server.httpPort())) {
            // The first request's answer waits for its commit; the second is refused on its head alone.
            c.send(RawHttp.post("/write?precision=s", "expect_first value=1 " + t),
                    RawHttp.request("POST", "/write", null, "Content-Type: text/plain", "Expect: 100-continue",
                            "Content-Length: 65537"));
            RawHttp.Response r = c.read();
            assertThat(r.status()).as(r.body()).isEqualTo(204);
            r = c.read();
            assertThat(r.status()).as(r.body()).isEqualTo(413);
            assertThat(r.body()).contains("max_body_bytes=65536");
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(c.endedCleanly()).isTrue();
        }
        assertThat(s.count("SELECT count(*) FROM metrics WHERE metric = 'expect_first'")).isEqualTo(1);
    }

    @Test
    void aClientThatSendsTheBodyAfterA413ToItsExpectContinueGetsTheAnswerAndACleanEnd() throws Exception {
        byte[] body = new byte[200_000];
        Arrays.fill(body, (byte) 'x');
        try (RawHttp c = new RawHttp(s.server.httpPort())) {
            c.send(RawHttp.request("POST", "/write", null, "Content-Type: text/plain", "Expect: 100-continue",
                    "Content-Length: " + body.length));
            RawHttp.Response r = c.read();
            assertThat(r.status()).as(r.body()).isEqualTo(413);
            // RFC 9110 §10.1.1: a client may send the content anyway; the server drains it and closes.
            c.send(body);
            assertThat(c.endedCleanly()).isTrue();
        }
    }

    @Test
    void anExpectationOtherThan100ContinueIs417InRequestOrder() throws Exception {
        long t = Instant.now().getEpochSecond();
        try (RawHttp c = new RawHttp(s.server.httpPort())) {
            c.send(RawHttp.post("/write?precision=s", "expect_other value=1 " + t),
                    RawHttp.request("POST", "/write", "expect_other value=2".getBytes(), "Expect: something-else"));
            RawHttp.Response r = c.read();
            assertThat(r.status()).as(r.body()).isEqualTo(204);
            r = c.read();
            assertThat(r.status()).as(r.body()).isEqualTo(417);
            assertThat(r.body()).contains("100-continue");
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(c.endedCleanly()).isTrue();
        }
        assertThat(s.count("SELECT count(*) FROM metrics WHERE metric = 'expect_other'")).isEqualTo(1);
    }

    @Test
    void anExpectContinueWithinTheLimitGets100ThenItsAnswerAndTheConnectionStaysUsable() throws Exception {
        long t = Instant.now().getEpochSecond();
        byte[] body = ("expect_ok value=1 " + t + "\n").getBytes();
        try (RawHttp c = new RawHttp(s.server.httpPort())) {
            c.send(RawHttp.request("POST", "/write?precision=s", null, "Content-Type: text/plain", "Expect: 100-continue",
                    "Content-Length: " + body.length));
            assertThat(c.read().status()).isEqualTo(100);
            c.send(body);
            assertThat(c.read().status()).isEqualTo(204);
            c.send(RawHttp.get("/-/healthy"));
            assertThat(c.read().status()).isEqualTo(200);
        }
        assertThat(s.count("SELECT count(*) FROM metrics WHERE metric = 'expect_ok'")).isEqualTo(1);
    }

    @Test
    void aServerIdThatIsNotACanonicalUuidIs400() throws Exception {
        var r = s.post("/api/v1/ingest", "{\"server_id\":\"a848255-b74c-4c49-bc31-ad2eedc0b053\","
                + "\"metrics\":[{\"metric_type\":\"cpu\",\"metric_name\":\"usage\",\"value\":1}]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(r.body()).contains("server_id");
        assertThat(r.headers().firstValue("retry-after")).isEmpty();
    }

    @Test
    void anEmptyConnectionClosedByTheClientIsNotAnError() throws Exception {
        try (LogCapture logs = new LogCapture()) {
            try (RawHttp c = new RawHttp(s.server.httpPort())) {
                c.shutdownOutput();
                assertThat(c.closedByServer()).isTrue();
            } catch (EOFException ignored) {
                // closed: what we wanted
            }
            assertThat(logs.stackTraces()).isEmpty();
        }
    }
}
