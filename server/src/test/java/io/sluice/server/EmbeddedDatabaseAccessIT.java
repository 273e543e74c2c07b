package io.sluice.server;

import io.sluice.server.config.ConfigLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A newcomer reaches the embedded PostgreSQL from psql or Grafana: a fixed, configurable port on
 * localhost, and a start-up line with a psql command that works as printed. Before, a taken port
 * hung the start for good (the embedding library's readiness probe connected to whatever held it
 * and waited for an answer), hence the time limit.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class EmbeddedDatabaseAccessIT {
    static final Pattern PSQL = Pattern.compile("`(psql -h (\\S+) -p (\\d+) -U (\\S+) (\\S+))`");

    @TempDir
    Path dir;

    static SluiceServer start(Path dataDir, int pgPort) throws Exception {
        return SluiceServer.start(ConfigLoader.load(null, false, Map.of(
                "SLUICE_DATA_DIR", dataDir.toString(),
                "SLUICE_EMBEDDED_PG_PORT", Integer.toString(pgPort),
                "SLUICE_HTTP_PORT", Integer.toString(TestServer.freeTcpPort()),
                "SLUICE_UDP_LINE_PORT", "0", "SLUICE_UDP_JSON_PORT", "0",
                "SLUICE_STATSD_PORT", "0", "SLUICE_OTLP_HTTP_PORT", "0")));
    }

    /** Connects as the logged psql command would: its host, port, user and database, no password. */
    static long seriesCountThroughTheLoggedCommand(LogCapture logs, int expectedPort) throws Exception {
        List<String> lines = logs.containing("connect with `psql").stream().map(e -> e.getFormattedMessage()).toList();
        assertThat(lines).hasSize(1);
        Matcher m = PSQL.matcher(lines.get(0));
        assertThat(m.find()).as(lines.get(0)).isTrue();
        assertThat(m.group(1)).isEqualTo("psql -h 127.0.0.1 -p " + expectedPort + " -U postgres postgres");
        long count;
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + m.group(2) + ":" + m.group(3) + "/"
                + m.group(5), m.group(4), null); ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM series")) {
            rs.next();
            count = rs.getLong(1);
        }
        if (psqlInstalled()) { // .ci/run installs it; the command itself, as pasted, plus a query
            List<String> cmd = new java.util.ArrayList<>(List.of(m.group(1).split(" ")));
            cmd.addAll(List.of("-w", "-At", "-c", "SELECT count(*) FROM series"));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            assertThat(p.waitFor()).as(out).isZero();
            assertThat(out).isEqualTo(Long.toString(count));
        }
        return count;
    }

    static boolean psqlInstalled() {
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (java.nio.file.Files.isExecutable(Path.of(d, "psql"))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void theDefaultPortIs5433() throws Exception {
        assertThat(ConfigLoader.load(null, false, Map.of()).embeddedPgPort()).isEqualTo(5433);
    }

    @Test
    void theEmbeddedDatabaseListensOnItsPortAndLogsAPsqlCommandThatWorks() throws Exception {
        int port = TestServer.freeTcpPort();
        try (LogCapture logs = new LogCapture(); SluiceServer s = start(dir, port)) {
            assertThat(s.embeddedDatabase().port()).isEqualTo(port);
            assertThat(seriesCountThroughTheLoggedCommand(logs, port)).isZero();
        }
    }

    @Test
    void aTakenPortFallsBackToAFreeOneAndSaysSo() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             LogCapture logs = new LogCapture(); SluiceServer s = start(dir, taken.getLocalPort())) {
            int actual = s.embeddedDatabase().port();
            assertThat(actual).isNotEqualTo(taken.getLocalPort()).isPositive();
            assertThat(logs.containing("embedded PostgreSQL port taken")).singleElement().satisfies(e -> {
                assertThat(e.getLevel().toString()).isEqualTo("WARN");
                assertThat(e.getFormattedMessage()).contains("port=" + taken.getLocalPort(), "SLUICE_EMBEDDED_PG_PORT");
            });
            assertThat(seriesCountThroughTheLoggedCommand(logs, actual)).isZero();
        }
    }
}
