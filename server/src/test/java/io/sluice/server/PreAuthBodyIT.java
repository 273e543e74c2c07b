package io.sluice.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A request body is read only after its head passed the route's checks, and within the
 * process-wide {@code http_body_budget} (README "Connections"): a client without a valid token
 * gets its 401 before sending a byte of its body, never a {@code 100 Continue}, and Sluice holds
 * nothing of that body; large bodies past the budget are answered 503 with Retry-After, and the
 * budget comes back to zero once they are gone.
 */
class PreAuthBodyIT {
    static final int MIB = 1 << 20;
    /** The default max_body_bytes: one such body fits the budget below, two do not. */
    static final int LARGE = 16 * MIB;
    static final long BUDGET = 24L * MIB;
    static final String IN_FLIGHT = "sluice_http_body_bytes_in_flight";

    @TempDir
    static Path dir;
    static TestServer s;

    @BeforeAll
    static void start() throws Exception {
        Path tokens = dir.resolve("tokens.toml");
        Files.writeString(tokens, AuthIT.token("writer", AuthIT.WRITER, "\"write\"", "")
                + AuthIT.token("reader", AuthIT.READER, "\"read\"", ""));
        // A small ring: these tests write a few lines, and the test JVM's heap is shared by every IT.
        s = TestServer.start("preauth", Map.of("auth_tokens_file", tokens.toString(),
                "http_body_budget", Long.toString(BUDGET), "ring_size", "64"));
    }

    @AfterAll
    static void stop() {
        s.close();
        s = null; // the class stays loaded for the rest of the run: let the server's heap go
    }

    static byte[] largeHead(String target, String... headers) {
        String[] all = Arrays.copyOf(headers, headers.length + 2);
        all[headers.length] = "Content-Type: text/plain";
        all[headers.length + 1] = "Content-Length: " + LARGE;
        return RawHttp.request("POST", target, null, all);
    }

    @Test
    void noTokenWithExpectContinueIsRefusedAtOnceAndNeverInvitedToSendItsBody() throws Exception {
        try (RawHttp c = new RawHttp(s.server.httpPort())) {
            c.send(largeHead("/write", "Expect: 100-continue"));
            RawHttp.Response r = c.read(); // before any body byte: a 100 here would invite the upload
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.header("WWW-Authenticate")).contains("Bearer realm=\"sluice\"");
            assertThat(r.header("Connection")).isEqualTo("close");
            assertThat(r.body()).contains("\"code\":\"unauthorized\"").contains("a token is required");
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(s.metric(IN_FLIGHT)).isZero();
    }

    @Test
    void aWrongTokenIsRefusedBeforeItsBodyAndNothingOfTheBodyIsHeld() throws Exception {
        long before = s.metric("sluice_auth_failures_total", "reason", "invalid");
        try (RawHttp c = new RawHttp(s.server.httpPort())) {
            c.send(largeHead("/write", "Authorization: Token " + AuthIT.WRONG));
            RawHttp.Response r = c.read(); // the answer comes without the body being sent
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.header("WWW-Authenticate")).contains("Token realm=\"sluice\"");
            assertThat(r.header("Connection")).isEqualTo("close");
            assertThat(r.body()).contains("the token is not valid");
            // The client sends its 16 MiB anyway: Sluice drops it (and closes after 4 MiB or 2 s).
            AtomicLong most = new AtomicLong();
            CompletableFuture<Void> upload = CompletableFuture.runAsync(() -> {
                try {
                    byte[] piece = new byte[64 * 1024];
                    for (int sent = 0; sent < LARGE; sent += piece.length) {
                        c.send(piece);
                        most.accumulateAndGet(s.metric(IN_FLIGHT), Math::max);
                    }
                } catch (IOException closed) {
                    // the server closed once it had dropped enough
                }
            });
            upload.get();
            assertThat(most.get()).as("body bytes held while the refused body arrived").isZero();
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(s.metric("sluice_auth_failures_total", "reason", "invalid")).isEqualTo(before + 1); // counted once
    }

    @Test
    void routingAndScopeRefusalsComeBeforeTheBodyInTheirTurn() throws Exception {
        try (RawHttp c = new RawHttp(s.server.httpPort())) {
            // A request without a body first: its answer keeps its place ahead of the refusal.
            c.send(RawHttp.get("/ping"), largeHead("/write", "Authorization: Token " + AuthIT.READER));
            assertThat(c.read().status()).isEqualTo(204);
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(403);
            assertThat(r.body()).contains("does not hold the write scope");
            assertThat(r.header("Connection")).isEqualTo("close");
        }
        try (RawHttp c = new RawHttp(s.server.httpPort())) {
            c.send(largeHead("/no/such/path", "Expect: 100-continue"));
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.header("Connection")).isEqualTo("close");
        }
        try (RawHttp c = new RawHttp(s.server.httpPort())) {
            c.send(largeHead("/ping"));
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(405);
            assertThat(r.header("Allow")).contains("GET");
        }
    }

    @Test
    void aValidTokenIsInvitedToSendItsBodyAndWrites() throws Exception {
        byte[] line = "preauth value=1\n".getBytes(StandardCharsets.UTF_8);
        try (RawHttp c = new RawHttp(s.server.httpPort())) {
            c.send(RawHttp.request("POST", "/write", null, "Authorization: Token " + AuthIT.WRITER,
                    "Expect: 100-continue", "Content-Length: " + line.length));
            assertThat(c.read().status()).isEqualTo(100);
            c.send(line);
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(204);
            assertThat(r.header("Connection")).isNotEqualTo("close");
            c.send(RawHttp.get("/ping")); // the connection stays usable
            assertThat(c.read().status()).isEqualTo(204);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> s.metric(IN_FLIGHT) == 0);
    }

    @Test
    void largeBodiesPastTheBudgetAre503WithRetryAfterAndTheBudgetComesBack() throws Exception {
        String writer = "Authorization: Token " + AuthIT.WRITER;
        long refusedBefore = s.metric("sluice_http_requests_refused_total", "reason", "body_budget");
        try (RawHttp first = new RawHttp(s.server.httpPort())) {
            first.send(largeHead("/write", writer));
            first.send(new byte[MIB]); // under way, not finished
            await().atMost(Duration.ofSeconds(30)).until(() -> s.metric(IN_FLIGHT) == LARGE);

            try (RawHttp second = new RawHttp(s.server.httpPort())) {
                second.send(largeHead("/write", writer, "Expect: 100-continue"));
                RawHttp.Response r = second.read(); // at once, without 100 Continue
                assertThat(r.status()).isEqualTo(503);
                assertThat(r.header("Retry-After")).isEqualTo("1");
                assertThat(r.header("Connection")).isEqualTo("close");
                assertThat(r.body()).contains("http_body_budget");
            }
            assertThat(s.metric("sluice_http_requests_refused_total", "reason", "body_budget")).isEqualTo(refusedBefore + 1);

            // A small write still fits beside the large body, and gives its bytes back once answered.
            try (RawHttp small = new RawHttp(s.server.httpPort())) {
                small.send(RawHttp.post("/write", "budget value=1\n", writer));
                assertThat(small.read().status()).isEqualTo(204);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> s.metric(IN_FLIGHT) == LARGE);

            // A chunked body grows its share chunk by chunk, and is refused where it would pass the budget.
            try (RawHttp chunked = new RawHttp(s.server.httpPort())) {
                chunked.send(RawHttp.request("POST", "/write", null, writer, "Transfer-Encoding: chunked"));
                byte[] chunk = chunk(MIB);
                try {
                    for (int i = 0; i < 10; i++) { // refused past 8 MiB, the rest within what Sluice drops
                        chunked.send(chunk);
                    }
                } catch (IOException closed) {
                    // the server answered and closed before the last chunks
                }
                RawHttp.Response r = chunked.read();
                assertThat(r.status()).isEqualTo(503);
                assertThat(r.header("Retry-After")).isEqualTo("1");
            }
            assertThat(s.metric("sluice_http_requests_refused_total", "reason", "body_budget")).isEqualTo(refusedBefore + 2);
            await().atMost(Duration.ofSeconds(30)).until(() -> s.metric(IN_FLIGHT) == LARGE);
        }
        // The first client hung up mid-body: its bytes go back too, and nothing leaks.
        await().atMost(Duration.ofSeconds(30)).until(() -> s.metric(IN_FLIGHT) == 0);
    }

    /** One chunk of {@code size} bytes of a chunked body (RFC 9112 §7.1). */
    static byte[] chunk(int size) {
        byte[] head = (Integer.toHexString(size) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[head.length + size + 2];
        System.arraycopy(head, 0, all, 0, head.length);
        Arrays.fill(all, head.length, head.length + size, (byte) 'x');
        all[all.length - 2] = '\r';
        all[all.length - 1] = '\n';
        return all;
    }

    /**
     * A small gzip body that decodes large takes its decoded size from the budget as it inflates:
     * it used to take only its wire size, so many such bodies could hold far more than
     * http_body_budget. Beside a large body under way it is refused 503; alone it is stored.
     */
    @Test
    void aGzipBodyTakesItsDecodedSizeFromTheBudget() throws Exception {
        String writer = "Authorization: Token " + AuthIT.WRITER;
        // 12 MiB decoded (under max_body_bytes), a few KiB on the wire: 16 + 12 MiB pass the 24 MiB budget.
        ByteArrayOutputStream packed = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(packed)) {
            gz.write("gzbudget value=1\n".getBytes(StandardCharsets.US_ASCII));
            byte[] blank = new byte[12 * MIB];
            Arrays.fill(blank, (byte) '\n'); // empty lines: line protocol skips them
            gz.write(blank);
        }
        byte[] body = packed.toByteArray();
        long refusedBefore = s.metric("sluice_http_requests_refused_total", "reason", "body_budget");
        try (RawHttp first = new RawHttp(s.server.httpPort())) {
            first.send(largeHead("/write", writer));
            first.send(new byte[MIB]); // under way, not finished
            await().atMost(Duration.ofSeconds(30)).until(() -> s.metric(IN_FLIGHT) == LARGE);
            try (RawHttp bomb = new RawHttp(s.server.httpPort())) {
                bomb.send(RawHttp.request("POST", "/write", body, writer, "Content-Encoding: gzip"));
                RawHttp.Response r = bomb.read();
                assertThat(r.status()).as(r.body()).isEqualTo(503);
                assertThat(r.header("Retry-After")).isEqualTo("1");
                assertThat(r.body()).contains("http_body_budget");
            }
            assertThat(s.metric("sluice_http_requests_refused_total", "reason", "body_budget")).isEqualTo(refusedBefore + 1);
            // What it decoded went back to the budget.
            await().atMost(Duration.ofSeconds(30)).until(() -> s.metric(IN_FLIGHT) == LARGE);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> s.metric(IN_FLIGHT) == 0);
        try (RawHttp alone = new RawHttp(s.server.httpPort())) {
            alone.send(RawHttp.request("POST", "/write", body, writer, "Content-Encoding: gzip"));
            RawHttp.Response r = alone.read();
            assertThat(r.status()).as(r.body()).isEqualTo(204);
        }
        assertThat(s.count("SELECT count(*) FROM metrics WHERE metric LIKE 'gzbudget%'")).isEqualTo(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> s.metric(IN_FLIGHT) == 0);
    }
}
