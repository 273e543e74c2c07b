package io.sluice.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.sluice.agent.Agent;
import io.sluice.agent.AgentOptions;
import io.sluice.agent.send.FleetFormat;
import io.sluice.server.config.ConfigLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.sql.DataSource;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code sluice agent} against a real Sluice on a real PostgreSQL, over real sockets. */
class AgentIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PATIENCE = Duration.ofSeconds(90);

    private static AgentOptions options(int port, AgentOptions.Format format, String hostname) {
        return options(port, format, hostname, Duration.ofSeconds(10));
    }

    private static AgentOptions options(int port, AgentOptions.Format format, String hostname, Duration timeout) {
        return new AgentOptions(URI.create("http://127.0.0.1:" + port), Duration.ofSeconds(1), Map.of("role", "it"),
                "secret-token", format, 100_000, hostname, timeout, Duration.ofSeconds(2));
    }

    private static String serverId(Agent a) {
        return ((FleetFormat) a.format()).serverId();
    }

    private static long count(DataSource db, String sql, Object... args) throws Exception {
        return (long) number(db, sql, args);
    }

    /** The first column of the first row. */
    private static double number(DataSource db, String sql, Object... args) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getDouble(1);
            }
        }
    }

    /** Rows of one agent's server id in the metrics view. */
    private static final String MINE = " FROM metrics WHERE tags->>'server_id' = ?";

    @Test
    void afterTwoIntervalsTheHostIsRegisteredWithSaneCpuRamDiskAndNetworkReadings() throws Exception {
        try (TestServer s = TestServer.start("agent_fleet", Map.of());
             Agent agent = Agent.start(options(s.server.httpPort(), AgentOptions.Format.fleet, "agent-it-fleet"))) {
            DataSource db = s.server.storage().dataSource();
            await().atMost(PATIENCE).until(() -> serverId(agent) != null
                    && count(db, "SELECT count(DISTINCT tags->>'metric_type')" + MINE
                    + " AND tags->>'metric_type' IN ('cpu', 'ram', 'disk', 'network')", serverId(agent)) == 4);
            String id = serverId(agent);

            HttpResponse<String> servers = s.get("/api/v1/servers");
            JsonNode host = null;
            for (JsonNode n : JSON.readTree(servers.body())) {
                if (n.path("hostname").asText().equals("agent-it-fleet")) {
                    host = n;
                }
            }
            assertThat(host).as(servers.body()).isNotNull();
            assertThat(host.path("id").asText()).isEqualTo(id);
            assertThat(host.path("labels").path("role").asText()).isEqualTo("it");
            assertThat(host.path("os").asText()).isNotBlank();
            assertThat(host.path("ip_address").asText()).isNotBlank();
            assertThat(host.path("agent_version").asText()).isNotBlank();

            assertThat(number(db, "SELECT min(value)" + MINE + " AND (metric LIKE '%percent' OR metric LIKE 'cpu_usage_%')", id))
                    .isGreaterThanOrEqualTo(0.0);
            assertThat(number(db, "SELECT max(value)" + MINE + " AND (metric LIKE '%percent' OR metric LIKE 'cpu_usage_%')", id))
                    .isLessThanOrEqualTo(100.0);
            assertThat(number(db, "SELECT min(value)" + MINE, id)).as("every reading, rates included").isGreaterThanOrEqualTo(0.0);
            assertThat(number(db, "SELECT min(value)" + MINE + " AND metric = 'ram_total'", id)).isPositive();
            assertThat(count(db, "SELECT count(*)" + MINE + " AND metric = 'disk_used_percent' AND tags ?? 'path'", id)).isPositive();
            assertThat(count(db, "SELECT count(*)" + MINE + " AND metric = 'network_bytes_recv_per_sec' AND tags ?? 'interface'", id))
                    .isPositive();
            assertThat(count(db, "SELECT count(*)" + MINE + " AND metric = 'cpu_usage_idle' AND tags->>'cpu' = 'cpu0'", id))
                    .as("per core").isPositive();
            // The states of all CPUs add up to 100 % at each reading.
            assertThat(number(db, "SELECT max(abs(total - 100)) FROM (SELECT sum(value) AS total" + MINE
                    + " AND metric LIKE 'cpu_usage_%' AND tags->>'cpu' = 'cpu-total' GROUP BY time) t", id)).isLessThan(0.01);
            assertThat(count(db, "SELECT count(*)" + MINE + " AND metric = 'disk_read_bytes_per_sec'", id)).isPositive();
            assertThat(count(db, "SELECT count(*)" + MINE + " AND metric IN ('disk_read_bytes', 'network_bytes_recv')", id))
                    .as("raw counters are not for the fleet API").isZero();

            HttpResponse<String> metrics = s.get("/api/v1/metrics?server_id=" + id);
            assertThat(metrics.statusCode()).isEqualTo(200);
            Set<String> types = new HashSet<>();
            JSON.readTree(metrics.body()).forEach(m -> types.add(m.path("metric_type").asText()));
            assertThat(types).contains("cpu", "ram", "disk", "network", "system");

            HttpResponse<String> query = s.get("/v1/query?metric=ram_used_percent&server_id=" + id + "&start=15m");
            assertThat(JSON.readTree(query.body()).path("series").path(0).path("points").size()).as(query.body()).isPositive();
        }
    }

    /** Rows of the agent's host: by server id (fleet API) or by host tag (line protocol). */
    private static String rowsOf(AgentOptions.Format format, Agent agent, String hostname) {
        return format == AgentOptions.Format.fleet
                ? " FROM metrics WHERE tags->>'server_id' = '" + serverId(agent) + "'"
                : " FROM metrics WHERE tags->>'host' = '" + hostname + "'";
    }

    private static void assertEachSampleStoredOnce(DataSource db, String rows, Agent agent) throws Exception {
        await().atMost(PATIENCE).until(() -> count(db, "SELECT count(*)" + rows) >= agent.stats().sent.get());
        assertThat(count(db, "SELECT count(*) FROM (SELECT metric, tags, time" + rows
                + " GROUP BY metric, tags, time HAVING count(*) > 1) d")).as("samples stored twice").isZero();
        assertThat(agent.buffered()).isZero();
        assertThat(agent.dropped()).isZero();
        assertThat(agent.stats().sent.get()).isEqualTo(agent.collected());
        assertThat(count(db, "SELECT count(*)" + rows)).as("every sample collected, once").isEqualTo(agent.collected());
    }

    /** What a proxy between the agent and Sluice does with one request. */
    @FunctionalInterface
    private interface Mischief {
        /** Answers {@code ex} (or returns without answering: the connection closes). */
        void handle(HttpExchange ex, byte[] body, Forward sluice) throws Exception;
    }

    @FunctionalInterface
    private interface Forward {
        HttpResponse<byte[]> send(byte[] body) throws Exception;
    }

    /** A real HTTP proxy to {@code s} on a free port; it records each request's Authorization header. */
    private static HttpServer proxy(TestServer s, List<String> authorization, Mischief m) throws Exception {
        HttpClient forward = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpServer proxy = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        proxy.createContext("/", ex -> {
            try (ex) {
                authorization.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
                m.handle(ex, ex.getRequestBody().readAllBytes(), body -> forward.send(
                        HttpRequest.newBuilder(s.uri(ex.getRequestURI().toString())).method(ex.getRequestMethod(),
                                body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                        HttpResponse.BodyHandlers.ofByteArray()));
            } catch (Exception e) {
                throw new java.io.IOException(e);
            }
        });
        // A thread per request: a write held at Sluice does not hold up the agent's next request.
        proxy.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "agent-it-proxy");
            t.setDaemon(true);
            return t;
        }));
        proxy.start();
        return proxy;
    }

    private static void answer(HttpExchange ex, int status, byte[] body) throws java.io.IOException {
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        ex.getResponseBody().write(body);
    }

    /** The first two writes are stored, but the proxy closes the connection instead of answering. */
    @ParameterizedTest
    @EnumSource(AgentOptions.Format.class)
    void aWriteWhoseAnswerIsLostIsNotStoredTwice(AgentOptions.Format format) throws Exception {
        String hostname = "agent-it-lost-" + format;
        String writePath = format == AgentOptions.Format.fleet ? "/api/v1/ingest" : "/write";
        AtomicInteger writes = new AtomicInteger();
        List<String> authorization = new CopyOnWriteArrayList<>();
        try (TestServer s = TestServer.start("agent_lost_" + format, Map.of())) {
            HttpServer proxy = proxy(s, authorization, (ex, body, sluice) -> {
                HttpResponse<byte[]> r = sluice.send(body);
                if (ex.getRequestURI().getPath().equals(writePath) && r.statusCode() / 100 == 2
                        && writes.incrementAndGet() <= 2) {
                    return; // closed without an answer
                }
                answer(ex, r.statusCode(), r.body());
            });
            Agent agent = Agent.start(options(proxy.getAddress().getPort(), format, hostname));
            try {
                await().atMost(PATIENCE).until(() -> agent.stats().alreadyStored.get() > 0 && writes.get() > 4);
            } finally {
                agent.close();
                proxy.stop(0);
            }
            DataSource db = s.server.storage().dataSource();
            assertEachSampleStoredOnce(db, rowsOf(format, agent, hostname), agent);
            assertThat(authorization).isNotEmpty().allSatisfy(a -> assertThat(a).isEqualTo("Bearer secret-token"));
            if (format == AgentOptions.Format.line) {
                for (String metric : List.of("cpu_usage_user", "cpu_usage_iowait", "mem_used_percent", "swap_total",
                        "disk_used_percent", "disk_inodes_free", "diskio_read_bytes", "net_bytes_recv",
                        "net_drop_in", "system_load1", "system_uptime", "processes_total")) {
                    assertThat(count(db, "SELECT count(*)" + rowsOf(format, agent, hostname) + " AND metric = ?", metric))
                            .as(metric).isPositive();
                }
                HttpResponse<String> q = s.get("/v1/query?metric=mem_used_percent&host=" + hostname + "&start=15m");
                assertThat(JSON.readTree(q.body()).path("series").path(0).path("tags").path("role").asText())
                        .as(q.body()).isEqualTo("it");
            }
        }
    }

    /**
     * The second write is answered as Sluice answers when its ring stays full or a commit does not
     * come in time: 503 with {@code "queued":0}, nothing of it stored (here the proxy does not
     * forward it). The agent sends the same samples again without asking what is stored first.
     */
    @Test
    void aWriteSluiceAnswered503IsSentAgainWholeWithoutAsking() throws Exception {
        String hostname = "agent-it-503";
        AtomicInteger writes = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        try (TestServer s = TestServer.start("agent_503", Map.of())) {
            HttpServer proxy = proxy(s, new CopyOnWriteArrayList<>(), (ex, body, sluice) -> {
                if (ex.getRequestURI().getPath().equals("/api/v1/ingest") && writes.incrementAndGet() == 2) {
                    int n = JSON.readTree(body).path("metrics").size();
                    refused.set(n);
                    answer(ex, 503, JSON.writeValueAsBytes(Map.of("code", "unavailable", "message", "ingest buffer full",
                            "queued", 0, "not_queued", n)));
                    return;
                }
                HttpResponse<byte[]> r = sluice.send(body);
                answer(ex, r.statusCode(), r.body());
            });
            Agent agent = Agent.start(options(proxy.getAddress().getPort(), AgentOptions.Format.fleet, hostname));
            try {
                await().atMost(PATIENCE).until(() -> refused.get() > 0 && writes.get() > 4);
            } finally {
                agent.close();
                proxy.stop(0);
            }
            assertThat(agent.stats().failedRequests.get()).isPositive();
            assertThat(agent.stats().alreadyStored.get()).as("a 503 of Sluice's stored nothing: nothing to ask").isZero();
            assertEachSampleStoredOnce(s.server.storage().dataSource(), rowsOf(AgentOptions.Format.fleet, agent, hostname),
                    agent);
        }
    }

    /**
     * The interleaving behind a run that stored one interval twice: the agent gives up on a write
     * (its timeout) while Sluice's commit of it is still under way (a slow disk; here a lock holds
     * the COPY), asks which samples are stored before that commit ends, finds none, and sends them
     * again. Both copies were committed once the commit could go on. The agent now sends the same
     * samples with the same Idempotency-Key: Sluice answers 409 while the first is in progress and,
     * once it is committed, answers the retry without storing it again.
     */
    @ParameterizedTest
    @EnumSource(AgentOptions.Format.class)
    void aWriteStillCommittingWhenTheAgentGivesUpIsStoredOnce(AgentOptions.Format format) throws Exception {
        String hostname = "agent-it-slow-commit-" + format;
        try (TestServer s = TestServer.start("agent_slow_commit_" + format, Map.of("writers", "2"))) {
            Agent agent = Agent.start(options(s.server.httpPort(), format, hostname, Duration.ofSeconds(2)));
            try (Connection lock = io.sluice.storage.TestDatabase.connect(s.db)) {
                await().atMost(PATIENCE).until(() -> agent.stats().sent.get() > 0);
                // COPY into samples waits for this lock; reads (the agent's question) do not.
                lock.setAutoCommit(false);
                try (Statement st = lock.createStatement()) {
                    st.execute("LOCK TABLE samples IN SHARE MODE");
                }
                long failed = agent.stats().failedRequests.get();
                // A write times out, the agent asks, then sends the samples again, more than once.
                await().atMost(PATIENCE).until(() -> agent.stats().failedRequests.get() >= failed + 4);
                lock.rollback();
                await().atMost(PATIENCE).until(() -> agent.buffered() == 0);
            } finally {
                agent.close();
            }
            assertEachSampleStoredOnce(s.server.storage().dataSource(), rowsOf(format, agent, hostname), agent);
        }
    }

    /**
     * The interleaving behind a run of the test above that stored 97 samples twice: the agent gives
     * up on a write whose commit is held, and asks Sluice which of its samples are stored; for line
     * protocol that is one question per metric, and the commit lands between two of them. The
     * answers then name some samples of the write but not the others, although the write was
     * committed whole; the agent took the others for unsent and sent them under a new
     * Idempotency-Key, storing them twice. Here the proxy lets the commit land right after the
     * first question is answered.
     */
    @Test
    void aCommitLandingWhileTheAgentAsksWhatIsStoredIsStoredOnce() throws Exception {
        String hostname = "agent-it-ask-race";
        String rows = rowsOf(AgentOptions.Format.line, null, hostname);
        AtomicBoolean locked = new AtomicBoolean();
        AtomicBoolean landed = new AtomicBoolean();
        try (TestServer s = TestServer.start("agent_ask_race", Map.of("writers", "2"));
             Connection lock = io.sluice.storage.TestDatabase.connect(s.db)) {
            DataSource db = s.server.storage().dataSource();
            HttpServer proxy = proxy(s, new CopyOnWriteArrayList<>(), (ex, body, sluice) -> {
                HttpResponse<byte[]> r = sluice.send(body);
                if (ex.getRequestURI().getPath().equals("/v1/query") && locked.get() && landed.compareAndSet(false, true)) {
                    // This question was answered before the commit; the next ones are asked after it.
                    long before = count(db, "SELECT count(*)" + rows);
                    lock.rollback();
                    await().atMost(PATIENCE).until(() -> count(db, "SELECT count(*)" + rows) > before);
                }
                answer(ex, r.statusCode(), r.body());
            });
            // The proxy keeps its own connection to Sluice open when the agent gives up, so the
            // write is not withdrawn: its commit waits for the lock.
            Agent agent = Agent.start(options(proxy.getAddress().getPort(), AgentOptions.Format.line, hostname,
                    Duration.ofSeconds(2)));
            try {
                await().atMost(PATIENCE).until(() -> agent.stats().sent.get() > 0);
                lock.setAutoCommit(false);
                try (Statement st = lock.createStatement()) {
                    st.execute("LOCK TABLE samples IN SHARE MODE");
                }
                locked.set(true);
                await().atMost(PATIENCE).until(landed::get);
                await().atMost(PATIENCE).until(() -> agent.stats().alreadyStored.get() > 0 && agent.buffered() == 0);
            } finally {
                agent.close();
                proxy.stop(0);
            }
            assertEachSampleStoredOnce(db, rows, agent);
        }
    }

    @Test
    void samplesCollectedWhileSluiceIsDownArriveWhenItReturnsNoneTwice(@TempDir Path dir) throws Exception {
        int port = TestServer.freeTcpPort();
        Map<String, String> env = Map.of("SLUICE_DATA_DIR", dir.toString(), "SLUICE_HTTP_PORT", Integer.toString(port),
                "SLUICE_UDP_LINE_PORT", "0", "SLUICE_UDP_JSON_PORT", "0", "SLUICE_WRITER_LINGER", "0ms",
                "SLUICE_STATSD_PORT", "0", "SLUICE_OTLP_HTTP_PORT", "0");
        SluiceServer first = SluiceServer.start(ConfigLoader.load(null, false, env));
        Agent agent = Agent.start(options(port, AgentOptions.Format.fleet, "agent-it-restart"));
        SluiceServer second = null;
        long down;
        long up;
        try {
            await().atMost(PATIENCE).until(() -> agent.stats().sent.get() > 0);
            first.close();
            down = System.currentTimeMillis();
            long failedBefore = agent.stats().failedRequests.get();
            // Three intervals' worth at least wait in the buffer (each interval is about 90 samples here).
            await().atMost(PATIENCE).until(() -> agent.stats().failedRequests.get() > failedBefore + 1
                    && agent.buffered() > 250);
            second = SluiceServer.start(ConfigLoader.load(null, false, env));
            up = System.currentTimeMillis();
            await().atMost(PATIENCE).until(() -> agent.buffered() == 0);
        } finally {
            agent.close();
            first.close();
        }
        try {
            DataSource db = second.storage().dataSource();
            String rows = rowsOf(AgentOptions.Format.fleet, agent, "agent-it-restart");
            assertEachSampleStoredOnce(db, rows, agent);
            assertThat(count(db, "SELECT count(DISTINCT time)" + rows + " AND metric = 'ram_used_percent'"
                    + " AND time > to_timestamp(?::double precision / 1000) AND time < to_timestamp(?::double precision / 1000)",
                    down, up)).as("readings taken while Sluice was down").isGreaterThanOrEqualTo(3);
        } finally {
            second.close();
        }
    }
}
