package io.sluice.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.influxdb.client.InfluxDBClient;
import com.influxdb.client.InfluxDBClientFactory;
import com.influxdb.client.domain.WritePrecision;
import com.influxdb.exceptions.UnauthorizedException;
import io.sluice.server.auth.Scope;
import io.sluice.server.auth.TokenFile;
import io.sluice.server.http.Router;
import org.assertj.core.api.SoftAssertions;
import org.influxdb.InfluxDB;
import org.influxdb.InfluxDBFactory;
import org.influxdb.dto.Point;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Tokens and scopes on a real Sluice (README "Tokens and scopes"): every route against no token,
 * a wrong token, a token without the route's scope and one with it; every way a client family
 * presents a token, with the real clients where they exist; rate limits; a reload of the file.
 */
class AuthIT {
    static final String WRITER = "writer-secret-0123456789";
    static final String READER = "reader-secret-0123456789";
    static final String ADMIN = "admin-secret-0123456789a";
    static final String BOTH = "both-secret-0123456789abc";
    static final String HASHED = "hashed-secret-0123456789";
    static final String SLOW = "slow-secret-0123456789abc";
    static final String FEW = "few-samples-secret-012345";
    static final String WRONG = "wrong-secret-0123456789ab";
    static final List<String> SECRETS = List.of(WRITER, READER, ADMIN, BOTH, HASHED, SLOW, FEW, WRONG);
    /** The routes open to anyone; any other route open without a token fails this test. */
    static final Set<String> OPEN = Set.of("GET /-/healthy", "GET /-/ready", "GET /health", "GET /ready", "GET /ping", "HEAD /ping",
            "GET /", "GET /swagger", "GET /assets/{file}", "GET /openapi.json");

    @TempDir
    static Path dir;
    static Path tokens;
    static TestServer s;
    static LogCapture logs;

    static String token(String name, String secret, String scopes, String extra) {
        return "[[token]]\nname = \"" + name + "\"\nsecret = \"" + secret + "\"\nscopes = [" + scopes + "]\n" + extra + "\n";
    }

    static String file() {
        return token("writer", WRITER, "\"write\"", "") + token("reader", READER, "\"read\"", "")
                + token("admin", ADMIN, "\"admin\"", "") + token("both", BOTH, "\"read\", \"write\"", "")
                + "[[token]]\nname = \"hashed\"\nsecret_sha256 = \"" + HexFormat.of().formatHex(TokenFile.sha256(HASHED))
                + "\"\nscopes = [\"read\"]\n"
                + token("slow", SLOW, "\"write\"", "requests_per_second = 0.1")
                + token("few", FEW, "\"write\"", "samples_per_second = 1");
    }

    @BeforeAll
    static void start() throws Exception {
        logs = new LogCapture();
        tokens = dir.resolve("tokens.toml");
        Files.writeString(tokens, file());
        s = TestServer.start("auth", Map.of("auth_tokens_file", tokens.toString()));
    }

    @AfterAll
    static void stop() {
        s.close();
        logs.close();
    }

    static HttpResponse<String> call(String method, String pathAndQuery, String authorization, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(s.uri(pathAndQuery)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return s.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String concrete(String pattern) {
        return pattern.replace("{run_id}", "6f1c2a3e-0000-4000-8000-00000000abcd").replace("{x}", "cpu")
                .replaceAll("\\{[a-z_]+}", "x");
    }

    /** A token with the scope, and one without it. */
    static String holding(Scope scope) {
        return switch (scope) {
            case READ -> READER;
            case WRITE -> WRITER;
            case ADMIN -> ADMIN;
            case OPEN -> null;
        };
    }

    static String lacking(Scope scope) {
        return switch (scope) {
            case READ -> WRITER;
            case WRITE -> READER;
            case ADMIN -> BOTH;
            case OPEN -> null;
        };
    }

    @Test
    void everyRouteDeclaresAScopeAndOnlyTheHealthRoutesThePageAndPingAreOpen() {
        List<Router.Entry> routes = s.server.routes();
        assertThat(routes).hasSizeGreaterThan(20);
        for (Router.Entry e : routes) {
            assertThat(e.scope()).as(e.method() + " " + e.pattern()).isNotNull();
            String route = e.method().name() + " " + e.pattern();
            assertThat(e.scope() == Scope.OPEN).as(route + " is open").isEqualTo(OPEN.contains(route));
        }
    }

    @Test
    void theApiDocumentGivesEachOperationItsScopeFromTheRouteTable() throws Exception {
        JsonNode doc = new ObjectMapper().readTree(call("GET", "/openapi.json", null, null).body());
        assertThat(doc.at("/components/securitySchemes")).isNotNull();
        List<String> schemes = new java.util.ArrayList<>();
        doc.at("/components/securitySchemes").fieldNames().forEachRemaining(schemes::add);
        assertThat(schemes).contains("bearer", "token", "basic", "influxdb1", "websocketToken", "clientCertificate");
        for (Router.Entry e : s.server.routes()) {
            JsonNode op = doc.path("paths").path(e.pattern()).path(e.method().name().toLowerCase(java.util.Locale.ROOT));
            assertThat(op.path("x-sluice-scope").asText()).as(e.method() + " " + e.pattern()).isEqualTo(e.scope().label());
            if (e.scope() == Scope.OPEN) {
                assertThat(op.path("security").toString()).isEqualTo("[{}]");
            } else {
                assertThat(op.path("security").toString()).contains("{\"bearer\":[\"" + e.scope().label() + "\"]}");
                assertThat(op.at("/responses/401/$ref").asText()).isEqualTo("#/components/responses/Unauthorized");
            }
        }
    }

    @Test
    void everyRouteAgainstNoTokenAWrongOneAWrongScopeAndTheRightScope() throws Exception {
        SoftAssertions soft = new SoftAssertions();
        for (Router.Entry e : s.server.routes()) {
            String route = e.method() + " " + e.pattern();
            String path = concrete(e.pattern());
            String m = e.method().name();
            if (e.scope() == Scope.OPEN) {
                for (String auth : new String[] {null, "Token " + WRONG}) {
                    soft.assertThat(call(m, path, auth, null).statusCode()).as(route + " with " + auth).isNotIn(401, 403);
                }
                continue;
            }
            HttpResponse<String> none = call(m, path, null, null);
            soft.assertThat(none.statusCode()).as(route + " without a token").isEqualTo(401);
            soft.assertThat(none.headers().firstValue("WWW-Authenticate")).as(route).hasValueSatisfying(
                    v -> assertThat(v).contains("Bearer realm=\"sluice\"").contains("Token realm=\"sluice\""));
            soft.assertThat(none.body()).as(route).contains("\"code\":\"unauthorized\"");
            soft.assertThat(call(m, path, "Token " + WRONG, null).statusCode()).as(route + " with a wrong token").isEqualTo(401);
            HttpResponse<String> scope = call(m, path, "Token " + lacking(e.scope()), null);
            soft.assertThat(scope.statusCode()).as(route + " without its scope").isEqualTo(403);
            soft.assertThat(scope.body()).as(route).contains("does not hold the " + e.scope().label() + " scope");
            soft.assertThat(call(m, path, "Token " + holding(e.scope()), null).statusCode())
                    .as(route + " with its scope").isNotIn(401, 403, 429);
        }
        soft.assertAll();
        assertThat(s.metric("sluice_auth_failures_total", "reason", "missing")).isPositive();
        assertThat(s.metric("sluice_auth_failures_total", "reason", "invalid")).isPositive();
        assertThat(s.metric("sluice_auth_failures_total", "reason", "scope")).isPositive();
        // Logged at most once a minute per peer, never once per refusal.
        assertThat(logs.containing("request refused")).hasSizeLessThanOrEqualTo(3);
    }

    @Test
    void tokenAndBearerHeadersBasicAndTheInfluxDb1QueryParameters() throws Exception {
        String line = "forms,via=%s value=1\n";
        assertThat(call("POST", "/write", "Token " + WRITER, line.formatted("token")).statusCode()).isEqualTo(204);
        assertThat(call("POST", "/write", "Bearer " + WRITER, line.formatted("bearer")).statusCode()).isEqualTo(204);
        String basic = Base64.getEncoder().encodeToString(("me:" + WRITER).getBytes(StandardCharsets.UTF_8));
        assertThat(call("POST", "/write", "Basic " + basic, line.formatted("basic")).statusCode()).isEqualTo(204);
        assertThat(call("POST", "/write?db=x&u=me&p=" + WRITER, null, line.formatted("query")).statusCode()).isEqualTo(204);
        assertThat(call("GET", "/v1/series?metric=forms", "Token " + HASHED, null).body())
                .contains("\"via\":\"token\"").contains("\"via\":\"bearer\"").contains("\"via\":\"basic\"").contains("\"via\":\"query\"");
        assertThat(call("GET", "/v1/series?metric=forms&token=" + READER, null, null).statusCode())
                .as("?token= is for WebSocket upgrades only").isEqualTo(401);
    }

    @Test
    void influxDb1JavaClientWithUsernameAndPassword() throws Exception {
        try (InfluxDB influx = InfluxDBFactory.connect("http://127.0.0.1:" + s.server.httpPort(), "telegraf", WRITER)) {
            influx.write("db", "autogen", Point.measurement("influx1").tag("host", "a").addField("value", 1.5)
                    .time(System.currentTimeMillis(), TimeUnit.MILLISECONDS).build());
        }
        assertThat(s.count("SELECT count(*) FROM metrics WHERE metric = 'influx1'")).isEqualTo(1);
        try (InfluxDB influx = InfluxDBFactory.connect("http://127.0.0.1:" + s.server.httpPort(), "telegraf", WRONG)) {
            assertThatThrownBy(() -> influx.write("db", "autogen", Point.measurement("influx1").addField("value", 2).build()))
                    .hasMessageContaining("token is not valid");
        }
    }

    @Test
    void influxDb2JavaClientWithAToken() {
        try (InfluxDBClient c = InfluxDBClientFactory.create("http://127.0.0.1:" + s.server.httpPort(), WRITER.toCharArray(),
                "org", "bucket")) {
            c.getWriteApiBlocking().writeRecord(WritePrecision.MS, "influx2,host=a value=2.5 " + System.currentTimeMillis());
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> s.count("SELECT count(*) FROM metrics WHERE metric = 'influx2'") == 1);
        try (InfluxDBClient c = InfluxDBClientFactory.create("http://127.0.0.1:" + s.server.httpPort(), WRONG.toCharArray(),
                "org", "bucket")) {
            assertThatThrownBy(() -> c.getWriteApiBlocking().writeRecord(WritePrecision.MS, "influx2 value=3"))
                    .isInstanceOf(UnauthorizedException.class);
        }
    }

    @Test
    void aWebSocketPresentsItsTokenAsAQueryParameter() throws Exception {
        try (WsClient ws = new WsClient(HttpClient.newHttpClient(),
                URI.create("ws://127.0.0.1:" + s.server.httpPort() + "/v1/live?token=" + READER), true)) {
            ws.send("{\"type\":\"subscribe\",\"id\":\"a\",\"metrics\":[\"wsauth\"]}");
            ws.next("subscribed");
            assertThat(call("POST", "/write", "Token " + WRITER, "wsauth value=7\n").statusCode()).isEqualTo(204);
            assertThat(ws.next("samples").toString()).contains("\"value\":7");
        }
        for (String q : new String[] {"", "?token=" + WRONG, "?token=" + WRITER}) {
            assertThatThrownBy(() -> new WsClient(HttpClient.newHttpClient(),
                    URI.create("ws://127.0.0.1:" + s.server.httpPort() + "/v1/live" + q), true))
                    .as(q).isInstanceOf(ExecutionException.class).cause().isInstanceOf(WebSocketHandshakeException.class)
                    .satisfies(c -> assertThat(((WebSocketHandshakeException) c).getResponse().statusCode())
                            .isEqualTo(q.contains(WRITER) ? 403 : 401));
        }
    }

    @Test
    void overItsRequestRateAWriteIs429WithRetryAfter() throws Exception {
        assertThat(call("POST", "/write", "Token " + SLOW, "rate value=1\n").statusCode()).isEqualTo(204);
        HttpResponse<String> r = call("POST", "/write", "Token " + SLOW, "rate value=2\n");
        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(r.headers().firstValue("Retry-After").map(Integer::parseInt)).hasValueSatisfying(v -> assertThat(v).isBetween(1, 10));
        assertThat(r.body()).contains("requests_per_second=0.1").doesNotContain(SLOW);
        assertThat(s.metric("sluice_rate_limited_total", "limit", "requests")).isPositive();
    }

    @Test
    void overItsSampleRateTheNextWriteIs429UntilTheSamplesArePaidFor() throws Exception {
        StringBuilder fifty = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            fifty.append("few,i=").append(i).append(" value=1\n");
        }
        assertThat(call("POST", "/write", "Token " + FEW, fifty.toString()).statusCode()).isEqualTo(204);
        HttpResponse<String> r = call("POST", "/write", "Token " + FEW, "few value=2\n");
        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(r.headers().firstValue("Retry-After").map(Integer::parseInt)).hasValueSatisfying(v -> assertThat(v).isBetween(30, 50));
        assertThat(s.metric("sluice_rate_limited_total", "limit", "samples")).isPositive();
        assertThat(s.count("SELECT count(*) FROM metrics WHERE metric = 'few'")).isEqualTo(50);
    }

    @Test
    void aChangedTokenFileIsInForceWithoutARestart() throws Exception {
        String added = "added-secret-0123456789ab";
        assertThat(call("GET", "/v1/names", "Token " + added, null).statusCode()).isEqualTo(401);
        Files.writeString(tokens, file() + token("added", added, "\"read\"", ""));
        await().atMost(Duration.ofSeconds(20)).until(() -> call("GET", "/v1/names", "Token " + added, null).statusCode() == 200);
        assertThat(call("GET", "/v1/names", "Token " + READER, null).statusCode()).isEqualTo(200);
    }

    @Test
    void noSecretAppearsInTheLogOrInSluicesOwnMetrics() throws Exception {
        call("GET", "/v1/names?u=x&p=" + WRONG, null, null);
        call("GET", "/v1/names", "Token " + WRONG, null);
        String exposition = call("GET", "/-/metrics", "Token " + READER, null).body();
        String config = call("GET", "/-/config", "Token " + ADMIN, null).body();
        for (String secret : SECRETS) {
            assertThat(exposition).doesNotContain(secret);
            assertThat(config).doesNotContain(secret);
            assertThat(logs.events()).noneMatch(e -> e.getFormattedMessage().contains(secret));
        }
    }
}
