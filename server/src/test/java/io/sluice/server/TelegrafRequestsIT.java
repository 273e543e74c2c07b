package io.sluice.server;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Telegraf's InfluxDB outputs, replayed request for request with the JDK's client: Telegraf has
 * no Debian package here, so it is not run itself (README "InfluxDB API" says so). The requests
 * are those of Telegraf's {@code plugins/outputs/influxdb/http.go} and
 * {@code plugins/outputs/influxdb_v2/http.go}: HTTP/1.1, {@code User-Agent: Telegraf/<version>
 * Go/<version>}, a body of unknown length (chunked), gzip when {@code content_encoding = "gzip"}.
 * <ul>
 *   <li>{@code outputs.influxdb} starts with {@code CREATE DATABASE "telegraf"}, a form POST to
 *       {@code /query}, and takes a 200 whose {@code results[0]} has no {@code error} as success;
 *       then {@code POST /write?db=telegraf} with nanosecond times and HTTP Basic credentials
 *       ({@code username}/{@code password}: the token as password); 204 is success.</li>
 *   <li>{@code outputs.influxdb_v2}: {@code POST /api/v2/write?bucket=...&org=...} with
 *       {@code Authorization: Token <t>}; any 2xx is success, a 4xx error body is read as
 *       {@code {"code","message"}}.</li>
 * </ul>
 */
class TelegrafRequestsIT {
    private static final String USER_AGENT = "Telegraf/1.36.1 Go/1.24.5";
    private static final String V1_TOKEN = "telegraf-v1-secret-0123456789";
    private static final String V2_TOKEN = "telegraf-v2-secret-0123456789";
    private static final String WRITE_ONLY = "telegraf-wo-secret-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient GO_LIKE = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path dir;
    static TestServer s;

    @BeforeAll
    static void start() throws Exception {
        Path tokens = dir.resolve("tokens.toml");
        Files.writeString(tokens, """
                [[token]]
                name = "telegraf-v1"
                secret = "%s"
                scopes = ["read", "write"]

                [[token]]
                name = "telegraf-v2"
                secret = "%s"
                scopes = ["write"]

                [[token]]
                name = "telegraf-write-only"
                secret = "%s"
                scopes = ["write"]
                """.formatted(V1_TOKEN, V2_TOKEN, WRITE_ONLY));
        s = TestServer.start("telegraf", Map.of("auth_tokens_file", tokens.toString()));
    }

    @AfterAll
    static void stop() {
        s.close();
        s = null; // the suite shares one JVM: a closed server held by a static field is memory kept
    }

    /** What Telegraf's influx serializer writes for an agent's inputs: integers, floats, a string, ns times. */
    private static String metrics(String host, long nanos) {
        return "cpu,cpu=cpu-total,host=" + host + " usage_idle=97.5,usage_user=1.25,usage_system=1.25 " + nanos + "\n"
                + "mem,host=" + host + " used=2147483648i,available_percent=62.5 " + nanos + "\n"
                + "system,host=" + host + " load1=0.42,n_cpus=2i,uptime_format=\"1 day,  2:03\" " + nanos + "\n";
    }

    @Test
    void outputsInfluxdbCreatesItsDatabaseThenWritesGzipAndPlain() throws Exception {
        try (LogCapture logs = new LogCapture()) {
            String basic = "Basic " + Base64.getEncoder().encodeToString(("telegraf:" + V1_TOKEN).getBytes(StandardCharsets.UTF_8));
            HttpResponse<String> created = GO_LIKE.send(HttpRequest.newBuilder(s.uri("/query"))
                    .header("User-Agent", USER_AGENT).header("Authorization", basic)
                    .header("Content-Type", "application/x-www-form-urlencoded").header("Accept-Encoding", "gzip")
                    .POST(HttpRequest.BodyPublishers.ofString("q=CREATE+DATABASE+%22telegraf%22")).build(),
                    GUNZIP);
            assertThat(created.statusCode()).isEqualTo(200);
            JsonNode body = JSON.readTree(created.body());
            assertThat(body.at("/results/0/statement_id").asInt()).isZero();
            assertThat(body.at("/results/0/error").isMissingNode()).isTrue();

            long nanos = System.currentTimeMillis() * 1_000_000L;
            HttpResponse<String> gzip = write("/write?db=telegraf", basic, gzip(metrics("tg-gzip", nanos)), true);
            assertThat(gzip.statusCode()).as(gzip.body()).isEqualTo(204);
            HttpResponse<String> plain = write("/write?db=telegraf&rp=autogen&consistency=any", basic,
                    metrics("tg-plain", nanos).getBytes(StandardCharsets.UTF_8), false);
            assertThat(plain.statusCode()).as(plain.body()).isEqualTo(204);

            assertThat(s.count("SELECT count(*) FROM metrics WHERE metric = 'cpu_usage_idle' AND tags->>'host' IN ('tg-gzip', 'tg-plain')"
                    + " AND tags->>'cpu' = 'cpu-total'")).isEqualTo(2);
            assertThat(s.count("SELECT count(*) FROM metrics WHERE metric = 'mem_used' AND value = 2147483648"
                    + " AND tags->>'host' IN ('tg-gzip', 'tg-plain')")).isEqualTo(2);
            assertThat(s.count("SELECT count(*) FROM metrics WHERE metric = 'system_n_cpus'"
                    + " AND tags->>'host' IN ('tg-gzip', 'tg-plain')")).isEqualTo(2);
            assertThat(s.count("SELECT count(*) FROM metrics WHERE metric LIKE 'system_uptime%'")).as("string fields are not stored")
                    .isZero();
            assertThat(logs.events().stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))).isEmpty();
        }
    }

    @Test
    void outputsInfluxdbV2WritesWithItsToken() throws Exception {
        try (LogCapture logs = new LogCapture()) {
            long nanos = System.currentTimeMillis() * 1_000_000L;
            HttpResponse<String> r = write("/api/v2/write?bucket=telegraf&org=my-org", "Token " + V2_TOKEN,
                    gzip(metrics("tg-v2", nanos)), true);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
            assertThat(s.count("SELECT count(*) FROM metrics WHERE metric = 'cpu_usage_user' AND tags->>'host' = 'tg-v2'"))
                    .isEqualTo(1);
            // A refused line is a 400 whose body Telegraf reads as {"code","message"} and drops: the rest is stored.
            HttpResponse<String> bad = write("/api/v2/write?bucket=telegraf&org=my-org", "Token " + V2_TOKEN,
                    gzip("tgbad,host=tg-v2 value=1 " + nanos + "\ntgbad,host=tg-v2 value= " + nanos + "\n"), true);
            assertThat(bad.statusCode()).isEqualTo(400);
            JsonNode err = JSON.readTree(bad.body());
            assertThat(err.get("code").asText()).isEqualTo("invalid");
            assertThat(err.get("message").asText()).startsWith("partial write");
            assertThat(s.count("SELECT count(*) FROM metrics WHERE metric = 'tgbad'")).isEqualTo(1);
            assertThat(logs.events().stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.ERROR))).isEmpty();
        }
    }

    /**
     * A token with {@code write} alone may not run {@code /query}: Telegraf's CREATE DATABASE gets
     * InfluxDB's 403 with an {@code error}, which Telegraf logs once and does not retry; it writes
     * on. README: give its token {@code read} too, or set {@code skip_database_creation = true}.
     */
    @Test
    void aWriteOnlyTokensCreateDatabaseIsRefusedOnceAndItsWritesStillLand() throws Exception {
        String basic = "Basic " + Base64.getEncoder().encodeToString(("telegraf:" + WRITE_ONLY).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> created = GO_LIKE.send(HttpRequest.newBuilder(s.uri("/query"))
                .header("User-Agent", USER_AGENT).header("Authorization", basic)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("q=CREATE+DATABASE+%22telegraf%22")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(created.body()).get("error").asText()).contains("read");
        long nanos = System.currentTimeMillis() * 1_000_000L;
        assertThat(write("/write?db=telegraf", basic, gzip(metrics("tg-wo", nanos)), true).statusCode()).isEqualTo(204);
        assertThat(s.count("SELECT count(*) FROM metrics WHERE tags->>'host' = 'tg-wo'")).isEqualTo(7);
    }

    /** A write as Telegraf's Go client sends it: chunked (the body's length unknown), its headers. */
    private static HttpResponse<String> write(String target, String authorization, byte[] body, boolean gzip) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(s.uri(target)).timeout(Duration.ofSeconds(30))
                .header("User-Agent", USER_AGENT).header("Authorization", authorization)
                .header("Content-Type", "text/plain; charset=utf-8").header("Accept-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)));
        if (gzip) {
            b.header("Content-Encoding", "gzip");
        }
        return GO_LIKE.send(b.build(), GUNZIP);
    }

    /**
     * The body as Go's transport hands it to Telegraf: it asked for gzip itself, so it inflates an
     * answer sent with {@code Content-Encoding: gzip} (the JDK's client does not).
     */
    private static final HttpResponse.BodyHandler<String> GUNZIP = info -> HttpResponse.BodySubscribers.mapping(
            HttpResponse.BodySubscribers.ofByteArray(), bytes -> {
                boolean gz = info.headers().firstValue("Content-Encoding").filter("gzip"::equalsIgnoreCase).isPresent();
                try (java.io.InputStream in = gz ? new GZIPInputStream(new ByteArrayInputStream(bytes)) : new ByteArrayInputStream(bytes)) {
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });

    private static byte[] gzip(String text) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }
}
