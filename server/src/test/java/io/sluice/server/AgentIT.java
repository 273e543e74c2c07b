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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code sluice agent} against a real Sluice on a real PostgreSQL, over real sockets. */
class AgentIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PATIENCE = Duration.ofSeconds(90);

    private static AgentOptions options(int port, AgentOptions.Format format, String hostname) {
        return new AgentOptions(URI.create("http://127.0.0.1:" + port), Duration.ofSeconds(1), Map.of("role", "it"),
                "secret-token", format, 100_000, hostname, Duration.ofSeconds(10), Duration.ofSeconds(2));
    }

    private static String serverId(Agent a) {
        return ((FleetFormat) a.format()).serverId();
    }

    private static long count(DataSource db, String sql, Object... args) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

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
}
