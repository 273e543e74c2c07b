package io.sluice.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * HTTP/1.1 pipelining over a raw socket: answers come back in request order whichever finishes
 * first (writes answer after their commit, queries from worker threads, the rest at once).
 */
class PipeliningIT {
    static TestServer s;
    static long now;

    @BeforeAll
    static void start() throws Exception {
        s = TestServer.start("pipelining", Map.of());
        now = Instant.now().getEpochSecond();
        StringBuilder lines = new StringBuilder();
        for (int m = 0; m < 5; m++) {
            for (int i = 0; i < 200 * (m + 1); i++) {
                lines.append("pipe_q").append(m).append(",host=h").append(i % 7).append(" value=").append(i)
                        .append(' ').append(now - i).append('\n');
            }
        }
        assertThat(s.post("/write?precision=s", lines.toString()).statusCode()).isEqualTo(204);
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    static byte[] query(int m) {
        return RawHttp.get("/v1/query?metric=pipe_q" + m + "&nocache=1&start=" + (now - 3000) + "&end=" + (now + 1));
    }

    @Test
    void writesQueriesAndInstantAnswersComeBackInRequestOrder() throws Exception {
        try (RawHttp c = new RawHttp(s.server.httpPort())) {
            c.send(RawHttp.post("/write?precision=s", "pipe_w,n=0 value=1 " + now),
                    query(4),
                    RawHttp.get("/-/healthy"),
                    RawHttp.post("/write", "this is not line protocol"),
                    RawHttp.get("/v1/series?metric=pipe_q1"),
                    RawHttp.post("/write?precision=s", "pipe_w,n=1 value=2 " + now),
                    query(0),
                    RawHttp.get("/nope"),
                    RawHttp.get("/-/healthy"));
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(204);
            r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).contains("\"metric\":\"pipe_q4\"");
            r = c.read();
            assertThat(r.body()).isEqualTo("Sluice is healthy.\n");
            r = c.read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.body()).contains("this is not line protocol");
            r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).contains("\"series\"").contains("pipe_q1");
            r = c.read();
            assertThat(r.status()).isEqualTo(204);
            r = c.read();
            assertThat(r.body()).contains("\"metric\":\"pipe_q0\"");
            r = c.read();
            assertThat(r.status()).isEqualTo(404);
            r = c.read();
            assertThat(r.body()).isEqualTo("Sluice is healthy.\n");
        }
        assertThat(s.count("SELECT count(*) FROM metrics WHERE metric = 'pipe_w'")).isEqualTo(2);
    }

    @Test
    void aValidWriteFollowedByAGarbageBodyIsAnswered204Then400() throws Exception {
        try (RawHttp c = new RawHttp(s.server.httpPort())) {
            for (int round = 0; round < 20; round++) {
                c.send(RawHttp.post("/write?precision=s", "pipe_g,round=" + round + " value=1 " + now),
                        RawHttp.post("/write", "\u0000garbage " + round));
                assertThat(c.read().status()).as("round %d", round).isEqualTo(204);
                RawHttp.Response bad = c.read();
                assertThat(bad.status()).isEqualTo(400);
                assertThat(bad.body()).contains("garbage " + round);
            }
        }
    }

    @Test
    void pipelinedQueriesOfDifferentCostsComeBackInOrder() throws Exception {
        try (RawHttp c = new RawHttp(s.server.httpPort())) {
            for (int round = 0; round < 10; round++) {
                // The costliest first: workers finish the cheap ones before it.
                c.send(query(4), query(3), query(2), query(1), query(0));
                for (int m = 4; m >= 0; m--) {
                    RawHttp.Response r = c.read();
                    assertThat(r.status()).isEqualTo(200);
                    assertThat(r.body()).as("round %d", round).contains("\"metric\":\"pipe_q" + m + "\"");
                }
            }
        }
    }

    @Test
    void manyPipelinedRequestsOnOneConnectionPastTheInFlightLimitAreAllAnsweredInOrder() throws Exception {
        int n = 400; // far more than http_max_pipelined (16): reading pauses and resumes
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int i = 0; i < n; i++) {
            all.write(i % 2 == 0 ? RawHttp.post("/write?precision=s", "pipe_many,i=" + i + " value=" + i + " " + now)
                    : RawHttp.post("/write", "bad line " + i));
        }
        List<String> seen = new ArrayList<>();
        try (RawHttp c = new RawHttp(s.server.httpPort())) {
            c.send(all.toByteArray());
            for (int i = 0; i < n; i++) {
                RawHttp.Response r = c.read();
                if (i % 2 == 0) {
                    assertThat(r.status()).as("answer %d", i).isEqualTo(204);
                } else {
                    assertThat(r.status()).as("answer %d", i).isEqualTo(400);
                    assertThat(r.body()).as("answer %d", i).contains("bad line " + i + "\"");
                }
                seen.add(Integer.toString(r.status()));
            }
        }
        assertThat(seen).hasSize(n);
        assertThat(s.count("SELECT count(*) FROM metrics WHERE metric = 'pipe_many'")).isEqualTo(n / 2);
    }
}
