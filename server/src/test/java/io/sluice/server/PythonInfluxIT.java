package io.sluice.server;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.server.StoredRows.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Python's InfluxDB 1.x client, Debian's {@code python3-influxdb} 5.3.1 (which {@code .ci/run}
 * installs), unchanged against a real Sluice: the script {@code clients/influxdb_python.py} pings,
 * creates a database, writes 240 points with a global tag in batches of 50, queries a
 * {@code GROUP BY time(1m), "host"} and raw rows, lists the databases and writes over UDP. The
 * test checks what the script printed, the rows in PostgreSQL, and that neither side logged a
 * warning (the client's stderr stays empty).
 */
class PythonInfluxIT {
    /** Debian's interpreter, where Debian's module is; a python3 earlier on PATH (pyenv) may lack it. */
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    @Test
    void pythonsInfluxdbClientPingsCreatesWritesInBatchesAndQueries(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(PYTHON), "needs Debian's python3 and python3-influxdb (.ci/run installs them)");
        assumeTrue(new ProcessBuilder(PYTHON.toString(), "-c", "import influxdb").start().waitFor() == 0,
                "needs Debian's python3-influxdb: apt-get install -y python3-influxdb (.ci/run installs it)");
        Path script = dir.resolve("influxdb_python.py");
        try (InputStream in = PythonInfluxIT.class.getResourceAsStream("/clients/influxdb_python.py")) {
            Files.copy(in, script);
        }
        long minute = (System.currentTimeMillis() / 60_000 - 3) * 60_000; // three whole minutes ago
        try (TestServer s = TestServer.start("python", Map.of()); LogCapture logs = new LogCapture()) {
            Path out = dir.resolve("stdout");
            Path err = dir.resolve("stderr");
            Process p = new ProcessBuilder(PYTHON.toString(), script.toString(), Integer.toString(s.server.httpPort()),
                    Integer.toString(s.server.udpLinePort()), Long.toString(minute))
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("the python client did not finish in 120 s: " + Files.readString(out));
            }
            assertThat(p.exitValue()).as("python exit; stderr: " + Files.readString(err)).isZero();
            assertThat(Files.readString(err)).as("the client's stderr").isEmpty();
            Map<String, JsonNode> said = new HashMap<>();
            ObjectMapper json = new ObjectMapper();
            for (String line : Files.readAllLines(out)) {
                JsonNode n = json.readTree(line);
                said.put(n.get("step").asText(), n.get("value"));
            }
            assertThat(said.get("ping").asText()).isEqualTo("1.8.10");
            assertThat(said.get("databases").toString()).contains("{\"name\":\"pyit\"}", "{\"name\":\"sluice\"}");
            assertThat(said.get("written").asBoolean()).isTrue();
            // host a: load 0..59 in minute one (mean 29.5), 60..119 in minute two (mean 89.5); procs 100
            assertThat(said.get("host_a").toString()).isEqualTo("[{\"time\":" + minute + ",\"mean\":29.5,\"max\":100.0},"
                    + "{\"time\":" + (minute + 60_000) + ",\"mean\":89.5,\"max\":100.0}]");
            assertThat(said.get("host_b").toString()).isEqualTo("[{\"time\":" + minute + ",\"mean\":29.5,\"max\":101.0},"
                    + "{\"time\":" + (minute + 60_000) + ",\"mean\":89.5,\"max\":101.0}]");
            JsonNode raw = said.get("raw");
            assertThat(raw).hasSize(2);
            assertThat(raw.get(0).get("time").asLong()).isEqualTo(minute + 119_000);
            assertThat(raw.get(0).get("source").asText()).isEqualTo("python");
            assertThat(said.get("udp").asText()).isEqualTo("sent");

            List<Row> load = StoredRows.withPrefix(s.db, "py_cpu_load");
            assertThat(load).hasSize(240);
            assertThat(load).allSatisfy(r -> assertThat(r.tags()).containsEntry("source", "python").containsKey("host"));
            assertThat(StoredRows.withPrefix(s.db, "py_cpu_procs")).hasSize(240);
            await().atMost(Duration.ofSeconds(30)).until(() -> !StoredRows.withPrefix(s.db, "py_udp").isEmpty());
            assertThat(StoredRows.value(StoredRows.withPrefix(s.db, "py_udp"), "py_udp", Map.of("host", "a"))).isEqualTo(7.5);
            assertThat(logs.events().stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN)))
                    .as("Sluice's warnings and errors").isEmpty();
        }
    }
}
