package io.sluice.server;

import io.sluice.storage.TestDatabase;
import io.sluice.storage.db.DatabaseUrl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** SIGTERM to a real Sluice process drains the ring into the database before it exits. */
class ShutdownIT {
    @TempDir
    Path dir;

    @Test
    void sigtermDrainsEveryReceivedSampleToTheDatabase() throws Exception {
        DatabaseUrl db = TestDatabase.fresh("shutdown");
        int udp = TestServer.freeUdpPort();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path logFile = dir.resolve("sluice.log");
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "io.sluice.server.Main").redirectErrorStream(true).redirectOutput(logFile.toFile());
        pb.environment().put("SLUICE_DATABASE_URL", db.jdbcUrl() + "?user=postgres");
        pb.environment().put("SLUICE_HTTP_PORT", Integer.toString(TestServer.freeTcpPort()));
        pb.environment().put("SLUICE_UDP_LINE_PORT", Integer.toString(udp));
        pb.environment().put("SLUICE_UDP_JSON_PORT", "0");
        pb.environment().put("SLUICE_STATSD_PORT", "0"); // 8125 and 4318 may be taken by another run
        pb.environment().put("SLUICE_OTLP_HTTP_PORT", "0");
        // Writers hold partial batches for a while, so SIGTERM finds samples not yet written.
        pb.environment().put("SLUICE_WRITER_LINGER", "2s");
        pb.environment().put("SLUICE_WRITER_BATCH_SIZE", "100000");
        Process p = pb.start();
        try {
            for (int i = 0; i < 240 && !Files.readString(logFile).contains("Sluice started"); i++) {
                Thread.sleep(250);
            }
            assertThat(p.isAlive()).as(Files.readString(logFile)).isTrue();

            try (DatagramSocket sock = new DatagramSocket()) {
                for (int d = 0; d < 200; d++) {
                    StringBuilder sb = new StringBuilder();
                    for (int i = 0; i < 50; i++) {
                        sb.append("drain,host=h").append(i % 10).append(" value=").append(d * 50 + i).append('\n');
                    }
                    byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
                    sock.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), udp));
                }
            }
            Thread.sleep(300);
            p.destroy(); // SIGTERM
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly();
        }
        String log = Files.readString(logFile);
        Matcher m = Pattern.compile("stopped \\[received=(\\d+), written=(\\d+), rejected=(\\d+), dropped=(\\d+)").matcher(log);
        assertThat(m.find()).as("exit " + p.exitValue() + "\n" + log).isTrue();
        long received = Long.parseLong(m.group(1));
        long written = Long.parseLong(m.group(2));
        assertThat(received).as("datagrams reached the server").isPositive();
        assertThat(written).isEqualTo(received);
        assertThat(Long.parseLong(m.group(4))).isZero();
        assertThat(TestDatabase.count(db, "SELECT count(*) FROM metrics WHERE metric = 'drain'")).isEqualTo(received);
        assertThat(log).contains("ring drained [drained=true");
        assertThat(log).as("the readiness probe is stopped before the pool closes").doesNotContain("database unreachable");
    }
}
