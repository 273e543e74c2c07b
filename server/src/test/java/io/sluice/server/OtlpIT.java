package io.sluice.server;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.UnknownFieldSet;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleGauge;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporterBuilder;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.Aggregation;
import io.opentelemetry.sdk.metrics.InstrumentSelector;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.View;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.sluice.server.StoredRows.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * OTLP/HTTP end to end: the OpenTelemetry Java SDK's own exporter, unchanged, in protobuf and in
 * JSON, against a real Sluice on its OTLP port; then golden and malformed requests built with
 * opentelemetry-proto's classes, answers decoded with them.
 */
class OtlpIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestServer s;
    private static int otlpPort;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        otlpPort = TestServer.freeTcpPort();
        s = TestServer.start("otlp", Map.of("otlp_http_port", Integer.toString(otlpPort), "max_body_bytes", "1MiB",
                "otlp_resource_attributes_deny", "telemetry.sdk.version, process.pid"));
        assertThat(s.server.port("otlp_http")).isEqualTo(otlpPort);
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    @Test
    void theSdkExportsACounterGaugeHistogramAndExponentialHistogramInProtobuf() throws Exception {
        exportWithTheSdk("sdk_pb", false);
    }

    @Test
    void theSdkExportsACounterGaugeHistogramAndExponentialHistogramInJson() throws Exception {
        exportWithTheSdk("sdk_json", true);
    }

    private void exportWithTheSdk(String prefix, boolean json) throws Exception {
        OtlpHttpMetricExporterBuilder b = OtlpHttpMetricExporter.builder()
                .setEndpoint("http://127.0.0.1:" + otlpPort + "/v1/metrics").setCompression("gzip");
        if (json) {
            // The SDK's JSON encoding is reached through its package-private switch (what its own
            // tests and the http/json protocol of other SDKs use); the exporter is otherwise unchanged.
            Method m = OtlpHttpMetricExporterBuilder.class.getDeclaredMethod("exportAsJson");
            m.setAccessible(true);
            m.invoke(b);
        }
        try (LogCapture logs = new LogCapture(); StoredRows.JulWarnings sdkLogs = new StoredRows.JulWarnings()) {
            SdkMeterProvider provider = SdkMeterProvider.builder()
                    .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(
                            AttributeKey.stringKey("service.name"), "otlp-it"))))
                    .registerMetricReader(PeriodicMetricReader.builder(b.build()).setInterval(Duration.ofHours(1)).build())
                    .registerView(InstrumentSelector.builder().setName(prefix + ".latency").build(),
                            View.builder().setAggregation(Aggregation.base2ExponentialBucketHistogram()).build())
                    .build();
            Meter meter = provider.get("io.sluice.it");
            Attributes route = Attributes.of(AttributeKey.stringKey("route"), "/a");
            LongCounter counter = meter.counterBuilder(prefix + ".requests").build();
            counter.add(5, route);
            counter.add(2, route);
            DoubleGauge gauge = meter.gaugeBuilder(prefix + ".temperature").build();
            gauge.set(21.5, Attributes.of(AttributeKey.stringKey("room"), "lab"));
            DoubleHistogram size = meter.histogramBuilder(prefix + ".size")
                    .setExplicitBucketBoundariesAdvice(List.of(1.0, 10.0, 100.0)).build();
            for (double v : new double[]{5, 50, 500}) {
                size.record(v);
            }
            DoubleHistogram latency = meter.histogramBuilder(prefix + ".latency").build();
            for (double v : new double[]{0.5, 3, 3, 40}) {
                latency.record(v);
            }
            CompletableResultCode flushed = provider.forceFlush().join(30, TimeUnit.SECONDS);
            assertThat(flushed.isSuccess()).as("the SDK's export succeeded").isTrue();
            provider.shutdown().join(10, TimeUnit.SECONDS);

            List<Row> rows = StoredRows.withPrefix(s.db, prefix + ".");
            Map<String, String> service = Map.of("service.name", "otlp-it", "telemetry.sdk.language", "java");
            assertThat(StoredRows.value(rows, prefix + ".requests", with(service, "route", "/a"))).isEqualTo(7);
            assertThat(rows).as("otlp_resource_attributes_deny").allSatisfy(r ->
                    assertThat(r.tags()).containsKey("telemetry.sdk.name").doesNotContainKey("telemetry.sdk.version"));
            assertThat(StoredRows.value(rows, prefix + ".temperature", with(service, "room", "lab"))).isEqualTo(21.5);
            assertThat(StoredRows.value(rows, prefix + ".size_bucket", Map.of("le", "1"))).isEqualTo(0);
            assertThat(StoredRows.value(rows, prefix + ".size_bucket", Map.of("le", "10"))).isEqualTo(1);
            assertThat(StoredRows.value(rows, prefix + ".size_bucket", Map.of("le", "100"))).isEqualTo(2);
            assertThat(StoredRows.value(rows, prefix + ".size_bucket", Map.of("le", "+Inf"))).isEqualTo(3);
            assertThat(StoredRows.value(rows, prefix + ".size_sum", service)).isEqualTo(555);
            assertThat(StoredRows.value(rows, prefix + ".size_count", service)).isEqualTo(3);
            assertThat(StoredRows.value(rows, prefix + ".size_min", service)).isEqualTo(5);
            assertThat(StoredRows.value(rows, prefix + ".size_max", service)).isEqualTo(500);
            assertThat(StoredRows.value(rows, prefix + ".latency_count", service)).isEqualTo(4);
            assertThat(StoredRows.value(rows, prefix + ".latency_sum", service)).isEqualTo(46.5);
            assertThat(StoredRows.value(rows, prefix + ".latency_bucket", Map.of("le", "+Inf"))).isEqualTo(4);
            // Cumulative: every exponential bucket from the one holding 3 up to 40's counts 0.5 and both 3s.
            long last = rows.stream().mapToLong(Row::timeMicros).max().orElseThrow();
            assertThat(rows.stream().filter(r -> r.timeMicros() == last && r.metric().equals(prefix + ".latency_bucket")
                    && !r.tags().get("le").equals("+Inf") && Double.parseDouble(r.tags().get("le")) >= 3
                    && Double.parseDouble(r.tags().get("le")) < 40).map(Row::value)).isNotEmpty().allMatch(v -> v == 3);
            assertThat(logs.events().stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))).isEmpty();
            assertThat(sdkLogs.messages()).isEmpty();
        }
    }

    @Test
    void aPartialSuccessNamesTheRefusedPointsAndStoresTheRest() throws Exception {
        ExportMetricsServiceRequest req = request(
                Metric.newBuilder().setName("otlp_partial").setGauge(Gauge.newBuilder()
                        .addDataPoints(point(1, "a")).addDataPoints(point(Double.NaN, "b")).addDataPoints(point(3, "c"))).build(),
                Metric.newBuilder().setName("").setGauge(Gauge.newBuilder().addDataPoints(point(4, "d"))).build());
        HttpResponse<byte[]> r = post(s.server.httpPort(), "application/x-protobuf", req.toByteArray(), null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/x-protobuf");
        ExportMetricsServiceResponse answer = ExportMetricsServiceResponse.parseFrom(r.body());
        assertThat(answer.getPartialSuccess().getRejectedDataPoints()).isEqualTo(2);
        assertThat(answer.getPartialSuccess().getErrorMessage()).contains("2 of 4 data point(s) rejected")
                .contains("not a finite number");
        assertThat(StoredRows.withPrefix(s.db, "otlp_partial")).extracting(Row::value).containsExactly(1.0, 3.0);
    }

    @Test
    void jsonIsAnsweredInJsonAndGzipBodiesAreRead() throws Exception {
        String doc = """
                {"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"curl"}}]},
                 "scopeMetrics":[{"metrics":[{"name":"otlp_json_gauge","gauge":{"dataPoints":[
                   {"asInt":"42","timeUnixNano":"%d"}]}}]}]}]}""".formatted(System.currentTimeMillis() * 1_000_000L);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(doc.getBytes());
        }
        HttpResponse<byte[]> r = post(s.server.httpPort(), "application/json", gz.toByteArray(), "gzip");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(JSON.readTree(r.body()).has("partialSuccess")).isFalse();
        assertThat(StoredRows.value(StoredRows.withPrefix(s.db, "otlp_json_gauge"), "otlp_json_gauge",
                Map.of("service.name", "curl"))).isEqualTo(42);
    }

    @Test
    void malformedBodiesAreA400StatusInTheRequestsEncoding() throws Exception {
        HttpResponse<byte[]> r = post(otlpPort, "application/x-protobuf", new byte[]{0x0A, 0x7F, 1}, null);
        assertThat(r.statusCode()).isEqualTo(400);
        // google.rpc.Status: code 1, message 2.
        UnknownFieldSet status = UnknownFieldSet.parseFrom(r.body());
        assertThat(status.getField(1).getVarintList()).containsExactly(3L);
        assertThat(status.getField(2).getLengthDelimitedList().get(0).toStringUtf8()).startsWith("could not decode the body: ").contains("ExportMetricsServiceRequest");
        HttpResponse<byte[]> j = post(otlpPort, "application/json", "{\"resourceMetrics\":".getBytes(), null);
        assertThat(j.statusCode()).isEqualTo(400);
        JsonNode body = JSON.readTree(j.body());
        assertThat(body.get("code").asInt()).isEqualTo(3);
        assertThat(body.get("message").asText()).contains("malformed JSON");
        HttpResponse<byte[]> t = post(otlpPort, "text/plain", "x".getBytes(), null);
        assertThat(t.statusCode()).isEqualTo(415);
        HttpResponse<byte[]> br = post(otlpPort, "application/x-protobuf", new byte[]{1, 2, 3}, "br");
        assertThat(br.statusCode()).isEqualTo(415);
    }

    @Test
    void gzipBombsStopAtMaxBodyBytes() throws Exception {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(new byte[4 << 20]); // 4 MiB of zeros, a few KiB gzipped; the limit here is 1 MiB
        }
        assertThat(gz.size()).isLessThan(64 * 1024);
        HttpResponse<byte[]> r = post(otlpPort, "application/x-protobuf", gz.toByteArray(), "gzip");
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(s.get("/-/healthy").statusCode()).isEqualTo(200);
    }

    @Test
    void theOtlpPortAnswersOnlyOtlp() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + otlpPort + "/v1/query"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(404);
    }

    private HttpResponse<byte[]> post(int port, String type, byte[] body, String encoding) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/metrics"))
                .header("Content-Type", type).timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (encoding != null) {
            b.header("Content-Encoding", encoding);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static ExportMetricsServiceRequest request(Metric... metrics) {
        return ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
                .addScopeMetrics(ScopeMetrics.newBuilder().addAllMetrics(List.of(metrics)))).build();
    }

    private static NumberDataPoint point(double v, String host) {
        return NumberDataPoint.newBuilder().setAsDouble(v).setTimeUnixNano(System.currentTimeMillis() * 1_000_000L)
                .addAttributes(KeyValue.newBuilder().setKey("host").setValue(AnyValue.newBuilder().setStringValue(host)))
                .build();
    }

    private static Map<String, String> with(Map<String, String> base, String k, String v) {
        Map<String, String> m = new java.util.HashMap<>(base);
        m.put(k, v);
        return m;
    }
}
