package io.sluice.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.sluice.server.http.Router;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /openapi.json} documents every route the running server's router has (so a route added
 * without its document fails here), and real answers of each kind match the document's schemas,
 * checked by a JSON Schema 2020-12 validator (the dialect of OpenAPI 3.1).
 */
class OpenApiIT {
    static TestServer s;
    static JsonNode doc;
    static final ObjectMapper JSON = new ObjectMapper();
    static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    static final String RUN = "6f1c2a3e-0000-4000-8000-00000000abcd";

    @BeforeAll
    static void start() throws Exception {
        s = TestServer.start("openapi", Map.of());
        HttpResponse<String> r = s.get("/openapi.json");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        doc = JSON.readTree(r.body());
        long now = System.currentTimeMillis();
        String lines = "oa_cpu,host=a,ab_test=feature_a usage=12.5 " + (now - 60_000) + "\n"
                + "oa_cpu,host=b,ab_test=feature_a usage=30 " + (now - 30_000) + "\n";
        assertThat(s.post("/write?precision=ms", lines).statusCode()).isEqualTo(204);
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    @Test
    void isOpenApi31() {
        assertThat(doc.get("openapi").asText()).isEqualTo("3.1.0");
        assertThat(doc.at("/info/title").asText()).isEqualTo("Sluice");
    }

    @Test
    void everyRouteOfTheRouterIsDocumentedAndEveryDocumentedOperationIsARoute() {
        Set<String> routes = new LinkedHashSet<>();
        for (Router.Entry e : s.server.routes()) {
            routes.add(e.method().name() + " " + e.pattern());
        }
        Set<String> documented = new LinkedHashSet<>();
        doc.get("paths").fields().forEachRemaining(p -> p.getValue().fieldNames().forEachRemaining(m -> {
            if (!m.equals("parameters") && !m.equals("summary") && !m.equals("description")) {
                documented.add(m.toUpperCase(Locale.ROOT) + " " + p.getKey());
            }
        }));
        assertThat(routes).as("routes without a path in openapi.yaml (README \"Adding a route\")")
                .isSubsetOf(documented);
        assertThat(documented).as("operations in openapi.yaml that no route answers").isSubsetOf(routes);
    }

    @Test
    void queryAnswersMatchTheirSchemas() throws Exception {
        check("GET", "/v1/query", "/v1/query?metric=oa_cpu_usage&start=15m", null);
        check("GET", "/v1/query", "/v1/query?metric=oa_cpu_usage&start=1h&step=1m&agg=max", null);
        check("GET", "/v1/query", "/v1/query?start=15m", null); // 400: metric missing
        check("GET", "/v1/series", "/v1/series?metric=oa_cpu_usage", null);
        check("GET", "/v1/names", "/v1/names?prefix=oa_", null);
        check("GET", "/v1/tags/{key}/values", "/v1/tags/host/values?metric=oa_cpu_usage", null);
        check("GET", "/v1/latest", "/v1/latest?metric=oa_cpu_usage", null);
        check("PUT", "/v1/metrics/{name}/meta", "/v1/metrics/oa_cpu_usage/meta", "{\"unit\":\"%\",\"description\":\"cpu\"}");
        check("GET", "/v1/metrics/{name}/meta", "/v1/metrics/oa_cpu_usage/meta", null);
        check("GET", "/v1/metrics/{name}/meta", "/v1/metrics/oa_nothing/meta", null); // 404
    }

    @Test
    void writeAndOperationsAnswersMatchTheirSchemas() throws Exception {
        check("POST", "/write", "/write?precision=s", "oa_w value=1 1732280000\noa_w value=oops\n"); // 400 partial
        check("POST", "/api/v2/write", "/api/v2/write?bucket=x", "oa_w value=2\n"); // 204
        check("POST", "/v1/samples", "/v1/samples", "{\"samples\":[{\"metric\":\"oa_s\",\"value\":1}]}");
        check("GET", "/health", "/health", null);
        check("GET", "/ready", "/ready", null);
        check("GET", "/ping", "/ping", null);
        check("GET", "/ping", "/ping?verbose=true", null);
        check("GET", "/query", "/query?q=SHOW%20DATABASES", null);
        check("GET", "/query", "/query?epoch=ms&q=SELECT%20mean(value)%20FROM%20oa_w%20WHERE%20time%20%3E%20now()%20-%201h"
                + "%20GROUP%20BY%20time(1m)%20fill(none)", null);
        check("GET", "/query", "/query?q=SELECT%20percentile(value,5)%20FROM%20oa_w", null); // 400: outside the subset
        check("GET", "/-/config", "/-/config", null);
        check("GET", "/-/healthy", "/-/healthy", null);
        check("GET", "/-/metrics", "/-/metrics", null);
        check("GET", "/v1/live", "/v1/live", null); // 426: not a WebSocket handshake
        check("GET", "/assets/{file}", "/assets/no-such-file.js", null); // 404
    }

    @Test
    void dropInAnswersMatchTheirSchemas() throws Exception {
        check("GET", "/metrics", "/metrics", null);
        check("GET", "/metrics", "/metrics?abTestName=feature_a&metricName=oa_cpu_usage&granularity=1m", null);
        check("POST", "/api/v1/metrics/batch", "/api/v1/metrics/batch", "{\"metrics\":[{\"run_id\":\"" + RUN
                + "\",\"metric_name\":\"loss\",\"step\":1,\"value\":0.5,\"metadata\":{\"lr\":0.1}}]}");
        check("GET", "/api/v1/runs/{run_id}/metrics", "/api/v1/runs/" + RUN + "/metrics", null);
        check("GET", "/api/v1/runs/{run_id}/metrics/{metric_name}", "/api/v1/runs/" + RUN + "/metrics/loss", null);
        check("GET", "/api/v1/runs/{run_id}/metrics/{metric_name}/latest", "/api/v1/runs/" + RUN + "/metrics/loss/latest", null);
        check("GET", "/api/v1/runs/{run_id}/metrics/{metric_name}/stats", "/api/v1/runs/" + RUN + "/metrics/loss/stats", null);
        check("GET", "/api/v1/runs/{run_id}/metrics/{metric_name}/stats", "/api/v1/runs/" + RUN + "/metrics/none/stats", null);
        JsonNode server = check("POST", "/api/v1/servers", "/api/v1/servers",
                "{\"hostname\":\"oa-host\",\"os\":\"linux\",\"labels\":{\"rack\":\"r1\"}}");
        check("GET", "/api/v1/servers", "/api/v1/servers", null);
        check("POST", "/api/v1/ingest", "/api/v1/ingest", "{\"server_id\":\"" + server.get("id").asText()
                + "\",\"metrics\":[{\"metric_type\":\"cpu\",\"metric_name\":\"usage\",\"value\":3}]}");
        check("GET", "/api/v1/metrics", "/api/v1/metrics?metric_type=cpu", null);
        check("GET", "/api/metrics/{metric_name}", "/api/metrics/oa_cpu_usage?start=1h&host=a", null);
        check("GET", "/api/metrics/{metric_name}/latest", "/api/metrics/oa_cpu_usage/latest?host=b", null);
        check("GET", "/api/hosts", "/api/hosts", null);
        check("GET", "/api/metrics", "/api/metrics", null);
    }

    @Test
    void aWrongAnswerFailsTheCheck() {
        // The check itself can fail: an answer missing a required field is caught.
        JsonNode missing = JSON.createObjectNode().put("metric", "x");
        assertThat(validate(schemaPointer("/v1/query", "get", "200"), missing)).isNotEmpty();
    }

    /**
     * Sends the request, checks its status is documented for the operation and, when the
     * document gives a JSON schema for that status, that the body matches it. Returns the body.
     */
    private JsonNode check(String method, String template, String pathAndQuery, String body) throws Exception {
        HttpRequest.Builder req = HttpRequest.newBuilder(s.uri(pathAndQuery)).timeout(Duration.ofSeconds(30));
        req.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = s.http.send(req.build(), HttpResponse.BodyHandlers.ofString());
        String status = Integer.toString(r.statusCode());
        String what = method + " " + pathAndQuery + " answered " + status + ": " + r.body();
        JsonNode op = doc.get("paths").get(template).get(method.toLowerCase(Locale.ROOT));
        assertThat(op).as("%s is documented", template).isNotNull();
        assertThat(op.get("responses").has(status)).as("status documented for " + what).isTrue();
        String pointer = schemaPointer(template, method.toLowerCase(Locale.ROOT), status);
        if (pointer == null) {
            return null;
        }
        assertThat(r.headers().firstValue("content-type").orElse("")).as(what).startsWith("application/json");
        JsonNode answer = JSON.readTree(r.body());
        assertThat(validate(pointer, answer)).as(what).isEmpty();
        return answer;
    }

    /** The JSON pointer of the JSON schema of one answer, following the document's {@code $ref}s; null if none. */
    private static String schemaPointer(String template, String method, String status) {
        String pointer = "/paths/" + escape(template) + "/" + method + "/responses/" + status;
        JsonNode response = doc.at(pointer);
        while (response.has("$ref")) {
            pointer = response.get("$ref").asText().substring(1);
            response = doc.at(pointer);
        }
        return response.at("/content/application~1json/schema").isMissingNode() ? null
                : pointer + "/content/application~1json/schema";
    }

    private static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    /** Validates against the schema at {@code pointer}: the document itself, entered by a {@code $ref}. */
    private static List<String> validate(String pointer, JsonNode instance) {
        ObjectNode root = JSON.createObjectNode();
        root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        root.put("$ref", "#" + pointer);
        root.set("paths", doc.get("paths")); // where the pointers lead (not keywords: ignored as such)
        root.set("components", doc.get("components"));
        Schema schema = SCHEMAS.getSchema(SchemaLocation.of("https://sluice.invalid/openapi.json"), root);
        List<String> problems = new ArrayList<>();
        for (Error e : schema.validate(instance)) {
            problems.add(e.toString());
        }
        return problems;
    }
}
