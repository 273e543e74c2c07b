package io.sluice.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The README's table of metrics is the list of what Sluice exports: every metric name in the code
 * and every family a running server renders is in it, with its type and labels, and the table
 * names nothing that does not exist. And {@code GET /metrics} answers a Prometheus scrape.
 */
class MetricsDocumentedIT {
    /** Prometheus 2.x's scrape Accept header (scrape/scrape.go, 2.26 on; 2.42 is Debian's). */
    static final String PROMETHEUS_2 = "application/openmetrics-text;version=1.0.0,"
            + "application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    /** What Prometheus 2.5 to 2.25 sent. */
    static final String PROMETHEUS_2_OLD = "application/openmetrics-text; version=0.0.1,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Pattern ROW = Pattern.compile("^\\| `(sluice_[a-z0-9_]+)` \\| (counter|gauge|histogram) \\|(.*?)\\| .+ \\|$");
    static final Pattern LITERAL = Pattern.compile("\"(sluice_[a-z0-9_]+)\"");

    static TestServer s;

    @BeforeAll
    static void start() throws Exception {
        s = TestServer.start("metricsdoc", Map.of());
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    record Row(String type, Set<String> labels) {
    }

    static Map<String, Row> readmeTable() throws IOException {
        Map<String, Row> rows = new TreeMap<>();
        for (String line : Files.readAllLines(ROOT.resolve("README.md"))) {
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                Set<String> labels = new TreeSet<>();
                // Label names are the code spans not inside parentheses (those list values).
                Matcher l = Pattern.compile("`([a-z_]+)`").matcher(m.group(3).replaceAll("\\([^)]*\\)", ""));
                while (l.find()) {
                    labels.add(l.group(1));
                }
                assertThat(rows.put(m.group(1), new Row(m.group(2), labels))).as("listed twice: " + m.group(1)).isNull();
            }
        }
        assertThat(rows).as("the README's metrics table").isNotEmpty();
        return rows;
    }

    /** Every {@code "sluice_..."} string literal in the main sources of every module but the bench. */
    static Set<String> namesInCode() throws IOException {
        Set<String> names = namesInCode(ROOT);
        assertThat(names).as("metric names found in the code").contains("sluice_fields_skipped_total");
        return names;
    }

    /** The {@code "sluice_..."} literals in the main sources of the repository at {@code root} (its own files only). */
    static Set<String> namesInCode(Path root) throws IOException {
        Set<String> names = new TreeSet<>();
        for (Path f : RepositoryFiles.of(root)) {
            String p = root.relativize(f).toString().replace('\\', '/');
            if (p.endsWith(".java") && p.contains("/src/main/java/") && !p.startsWith("bench/")) {
                Matcher m = LITERAL.matcher(Files.readString(f));
                while (m.find()) {
                    names.add(m.group(1));
                }
            }
        }
        return names;
    }

    @Test
    void everyMetricNamedInTheCodeIsInTheReadmeTableAndNothingElseIs() throws Exception {
        Map<String, Row> table = readmeTable();
        Set<String> code = namesInCode();
        assertThat(table.keySet()).as("README metrics table (Operations)").containsAll(code);
        assertThat(code).as("metrics the README lists but the code never names").containsAll(table.keySet());
    }

    @Test
    void everyFamilyARunningServerExportsIsListedWithItsTypeAndLabels() throws Exception {
        // Traffic on each path, so label sets created on first use exist too.
        assertThat(s.post("/write", "doc,host=a value=1,s=\"text\"\nbad line").statusCode()).isEqualTo(400);
        try (DatagramSocket sock = new DatagramSocket()) {
            byte[] b = "doc,host=b value=2\n".getBytes(StandardCharsets.UTF_8);
            sock.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), s.server.udpLinePort()));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> s.metric("sluice_samples_written_total") >= 2);
        Map<String, Row> table = readmeTable();
        String text = s.get("/-/metrics").body();
        Map<String, String> types = new TreeMap<>();
        Matcher t = Pattern.compile("(?m)^# TYPE (\\S+) (\\S+)$").matcher(text);
        while (t.find()) {
            types.put(t.group(1), t.group(2));
        }
        assertThat(types).containsKeys("sluice_fields_skipped_total", "sluice_samples_received_total");
        for (Map.Entry<String, String> e : types.entrySet()) {
            assertThat(table).as("README metrics table lacks " + e.getKey()).containsKey(e.getKey());
            assertThat(table.get(e.getKey()).type()).as(e.getKey()).isEqualTo(e.getValue());
        }
        Matcher sample = Pattern.compile("(?m)^(sluice_[a-z0-9_]+)\\{([^}]*)\\} ").matcher(text);
        while (sample.find()) {
            String family = sample.group(1).replaceAll("_(bucket|sum|count)$", "");
            family = types.containsKey(family) ? family : sample.group(1);
            for (String pair : sample.group(2).split(",(?=[a-z_]+=\")")) {
                String label = pair.substring(0, pair.indexOf('='));
                if (!label.equals("le")) {
                    assertThat(table.get(family).labels()).as(family + " label " + label).contains(label);
                }
            }
        }
    }

    @Test
    void aPrometheusScrapeOfMetricsGetsSluicesOwnMetricsAndEveryoneElseTheJson() throws Exception {
        for (String accept : new String[] {PROMETHEUS_2, PROMETHEUS_2_OLD, "text/plain;version=0.0.4",
                "application/openmetrics-text; version=1.0.0; charset=utf-8"}) {
            HttpResponse<String> r = get("/metrics", accept);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type")).as(accept).hasValue("text/plain; version=0.0.4; charset=utf-8");
            assertThat(r.headers().firstValue("vary")).hasValue("accept");
            assertThat(r.body()).contains("# TYPE sluice_fields_skipped_total counter");
        }
        for (String accept : new String[] {null, "*/*", "application/json", "text/plain",
                "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
                "application/json, text/plain;version=0.0.4;q=0.5"}) {
            HttpResponse<String> r = get("/metrics", accept);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type")).as(String.valueOf(accept)).hasValue("application/json");
            assertThat(r.body()).startsWith("{\"metrics\":[");
        }
        // The A/B-test answer stays JSON whatever the Accept header says.
        HttpResponse<String> ab = get("/metrics?abTestName=x&metricName=y", PROMETHEUS_2);
        assertThat(ab.headers().firstValue("content-type")).hasValue("application/json");
    }

    static HttpResponse<String> get(String path, String accept) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(s.uri(path)).timeout(Duration.ofSeconds(30));
        if (accept != null) {
            b.header("Accept", accept);
        }
        return s.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
