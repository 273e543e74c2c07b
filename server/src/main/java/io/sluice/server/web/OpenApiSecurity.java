package io.sluice.server.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.server.auth.Scope;
import io.sluice.server.http.Router;

import java.util.List;
import java.util.Locale;

/**
 * Writes each route's scope into the OpenAPI document from the route table, the one place scopes
 * are declared (README "Tokens and scopes"): the ways a token may be presented as security
 * schemes, and on each operation which of them it takes and the scope they must hold (OpenAPI
 * 3.1, "Security Requirement Object": for schemes other than OAuth the list holds role names),
 * with its 401, 403 and 429 answers. An open route gets an empty requirement.
 */
final class OpenApiSecurity {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final String[] HEADER_SCHEMES = {"bearer", "token", "basic", "influxdb1", "clientCertificate"};

    private OpenApiSecurity() {
    }

    static JsonNode apply(JsonNode doc, List<Router.Entry> routes) {
        ObjectNode out = doc.deepCopy();
        ObjectNode components = out.withObjectProperty("components");
        components.set("securitySchemes", schemes());
        ObjectNode responses = components.withObjectProperty("responses");
        responses.set("Unauthorized", error("No token, or not a valid one (`WWW-Authenticate` says how to send one).",
                "WWW-Authenticate"));
        responses.set("Forbidden", error("The token does not hold the route's scope, or a page's origin is not allowed.", null));
        responses.set("TooManyRequests", error("The token is over its requests_per_second or samples_per_second on this"
                + " node; retry after `Retry-After` seconds.", "Retry-After"));
        for (Router.Entry e : routes) {
            JsonNode op = out.path("paths").path(e.pattern()).path(e.method().name().toLowerCase(Locale.ROOT));
            if (op instanceof ObjectNode o) {
                secure(o, e.scope());
            }
        }
        return out;
    }

    private static void secure(ObjectNode op, Scope scope) {
        ArrayNode security = F.arrayNode();
        op.put("x-sluice-scope", scope.label());
        op.set("security", security);
        if (scope == Scope.OPEN) {
            security.addObject(); // "{}": no credentials needed
            return;
        }
        boolean live = op.path("tags").toString().contains("\"live\"");
        for (String s : HEADER_SCHEMES) {
            security.addObject().putArray(s).add(scope.label());
        }
        if (live) {
            security.addObject().putArray("websocketToken").add(scope.label());
        }
        ObjectNode responses = op.withObjectProperty("responses");
        responses.putObject("401").put("$ref", "#/components/responses/Unauthorized");
        responses.putObject("403").put("$ref", "#/components/responses/Forbidden");
        responses.putObject("429").put("$ref", "#/components/responses/TooManyRequests");
    }

    private static ObjectNode schemes() {
        ObjectNode s = F.objectNode();
        s.putObject("bearer").put("type", "http").put("scheme", "bearer")
                .put("description", "`Authorization: Bearer <token>` (Prometheus, OTLP exporters, browsers, sluice agent).");
        s.putObject("token").put("type", "apiKey").put("in", "header").put("name", "Authorization")
                .put("description", "`Authorization: Token <token>` (InfluxDB 2.x clients, Telegraf).");
        s.putObject("basic").put("type", "http").put("scheme", "basic")
                .put("description", "HTTP Basic with the token as password (InfluxDB 1.x clients).");
        s.putObject("influxdb1").put("type", "apiKey").put("in", "query").put("name", "p")
                .put("description", "The token as the `p` query parameter, as InfluxDB 1.x clients send it (`u` is ignored).");
        s.putObject("websocketToken").put("type", "apiKey").put("in", "query").put("name", "token")
                .put("description", "On a WebSocket upgrade only: browsers cannot set headers on one.");
        s.putObject("clientCertificate").put("type", "mutualTLS")
                .put("description", "With tls_client_ca: a client certificate whose subject a token's client_cert_subject names.");
        return s;
    }

    private static ObjectNode error(String description, String header) {
        ObjectNode r = F.objectNode().put("description", description);
        if (header != null) {
            r.putObject("headers").putObject(header).putObject("schema").put("type",
                    header.equals("Retry-After") ? "integer" : "string");
        }
        r.putObject("content").putObject("application/json").putObject("schema").put("$ref", "#/components/schemas/Error");
        return r;
    }
}
