package io.sluice.server;

import io.sluice.server.config.Config;
import io.sluice.server.config.ConfigLoader;
import io.sluice.storage.TestDatabase;
import io.sluice.storage.db.DatabaseUrl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** A Sluice running in the test JVM on free ports, against its own fresh database. */
final class TestServer implements AutoCloseable {
    final SluiceServer server;
    final DatabaseUrl db;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private TestServer(SluiceServer server, DatabaseUrl db) {
        this.server = server;
        this.db = db;
    }

    static TestServer start(String name, Map<String, String> settings) throws Exception {
        DatabaseUrl db = TestDatabase.fresh(name);
        return start(db.jdbcUrl() + "?user=postgres", db, settings);
    }

    /**
     * Ports are found free, then bound by Sluice: another process may take one in between (the
     * machine is shared), so a start that finds its address in use is tried again on new ports.
     */
    static TestServer start(String jdbcUrl, DatabaseUrl db, Map<String, String> settings) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return startOnce(jdbcUrl, db, settings);
            } catch (Exception e) {
                if (attempt >= 5 || !addressInUse(e)) {
                    throw e;
                }
            }
        }
    }

    private static boolean addressInUse(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException || String.valueOf(t.getMessage()).contains("Address already in use")) {
                return true;
            }
        }
        return false;
    }

    private static TestServer startOnce(String jdbcUrl, DatabaseUrl db, Map<String, String> settings) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("SLUICE_DATABASE_URL", jdbcUrl);
        env.put("SLUICE_HTTP_PORT", Integer.toString(freeTcpPort()));
        env.put("SLUICE_UDP_LINE_PORT", Integer.toString(freeUdpPort()));
        env.put("SLUICE_UDP_JSON_PORT", Integer.toString(freeUdpPort()));
        env.put("SLUICE_STATSD_PORT", "0"); // StatsD tests ask for a port free for both UDP and TCP
        env.put("SLUICE_OTLP_HTTP_PORT", "0"); // OTLP tests ask for one: 4318 may be taken
        env.put("SLUICE_WRITER_LINGER", "0ms");
        settings.forEach((k, v) -> env.put("SLUICE_" + k.toUpperCase(), v));
        Config cfg = ConfigLoader.load(null, false, env);
        return new TestServer(SluiceServer.start(cfg), db);
    }

    static int freeTcpPort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int freeUdpPort() {
        try (DatagramSocket s = new DatagramSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + server.httpPort() + pathAndQuery);
    }

    HttpResponse<String> post(String pathAndQuery, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(pathAndQuery)).POST(HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(pathAndQuery)).GET().timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    long count(String sql) throws SQLException {
        return TestDatabase.count(db, sql);
    }

    long metric(String name, String... labels) {
        return server.metrics().value(name, labels);
    }

    @Override
    public void close() {
        server.close();
    }
}
