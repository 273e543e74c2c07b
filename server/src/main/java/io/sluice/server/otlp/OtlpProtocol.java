package io.sluice.server.otlp;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.FastThreadLocal;
import io.sluice.codec.ParseError;
import io.sluice.codec.otlp.AttributeFilter;
import io.sluice.codec.otlp.OtlpJsonParser;
import io.sluice.codec.otlp.OtlpProtobufParser;
import io.sluice.codec.otlp.OtlpStats;
import io.sluice.server.config.Key;
import io.sluice.server.auth.Scope;
import io.sluice.server.http.Exchange;
import io.sluice.server.http.Router;
import io.sluice.server.protocol.BodyBytes;
import io.sluice.server.protocol.Binding;
import io.sluice.server.protocol.Protocol;
import io.sluice.server.protocol.ProtocolCounters;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * OpenTelemetry OTLP/HTTP metrics (README "OpenTelemetry"): {@code POST /v1/metrics} on the HTTP
 * port and on {@code otlp_http_port} (4318, OTLP's default), binary protobuf or JSON by
 * {@code Content-Type}, gzip bodies decoded by the HTTP pipeline, answers in OTLP's words
 * ({@link OtlpAnswer}). Parsing and mapping in {@code codec/.../otlp}.
 */
public final class OtlpProtocol implements Protocol {
    static final String PORT = "otlp_http_port";
    static final String ALLOW = "otlp_resource_attributes_allow";
    static final String DENY = "otlp_resource_attributes_deny";
    static final String PATH = "/v1/metrics";
    private static final String TRANSPORT = "http_otlp";

    @Override
    public String name() {
        return "otlp";
    }

    @Override
    public List<Key> keys() {
        return List.of(Key.integer(PORT, 4318, 0, 65535,
                        "OpenTelemetry OTLP/HTTP port, answering /v1/metrics only (0 disables; the HTTP port answers it too)"),
                Key.text(ALLOW, "", "resource attributes that become tags, comma-separated (empty: all)"),
                Key.text(DENY, "", "resource attributes that never become tags, comma-separated (process.pid, ...)"));
    }

    @Override
    public void bind(Binding b) throws Exception {
        AttributeFilter filter = new AttributeFilter(names(b.config().get(ALLOW)), names(b.config().get(DENY)));
        FastThreadLocal<PerLoop> perLoop = new FastThreadLocal<>() {
            @Override
            protected PerLoop initialValue() {
                return new PerLoop(b, filter);
            }
        };
        b.router().post(PATH, Scope.WRITE, ex -> export(b, perLoop.get(), ex));
        Router own = new Router();
        own.post(PATH, Scope.WRITE, ex -> export(b, perLoop.get(), ex));
        b.http("otlp_http", b.config().integer(PORT), own);
    }

    private static void export(Binding b, PerLoop t, Exchange ex) {
        ProtocolCounters counters = b.counters();
        String type = ex.request().headers().get(HttpHeaderNames.CONTENT_TYPE);
        String media = type == null ? "" : type.split(";")[0].trim().toLowerCase(Locale.ROOT);
        boolean json = media.equals("application/json");
        if (!json && !media.equals("application/x-protobuf")) {
            counters.rejected("malformed").inc();
            new OtlpAnswer(true, 0, 0).status(ex, HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, OtlpMessages.INVALID_ARGUMENT,
                    "Content-Type '" + type + "' is not supported: send application/x-protobuf or application/json",
                    Map.of());
            return;
        }
        int len = ex.body().readableBytes();
        byte[] body = t.body.of(ex.body());
        t.jsonActive = json;
        PointRejections sink = t.rejections.begin(ex.principal().writes()); // the token's tenant tags
        ParseError malformed;
        OtlpStats stats;
        if (json) {
            t.json.parse(body, 0, len, sink);
            malformed = t.json.malformed();
            stats = t.json.stats();
        } else {
            t.protobuf.parse(body, 0, len, sink);
            malformed = t.protobuf.malformed();
            stats = t.protobuf.stats();
        }
        if (malformed != null) {
            t.rejections.begin(); // what came before the damage is discarded: the request is refused whole
            counters.rejected("malformed").inc();
            counters.badInput(ex.ctx().channel().remoteAddress(), malformed, 1);
            new OtlpAnswer(json, 0, 0).status(ex, HttpResponseStatus.BAD_REQUEST, OtlpMessages.INVALID_ARGUMENT,
                    "could not decode the body: " + malformed, Map.of());
            return;
        }
        if (stats.noRecordedValue() > 0) {
            counters.skipped("no_recorded_value").add(stats.noRecordedValue());
        }
        if (stats.exemplars() > 0) {
            counters.skipped("exemplar").add(stats.exemplars());
        }
        if (sink.sink().errorCount() > 0) {
            counters.badInput(ex.ctx().channel().remoteAddress(),
                    sink.sink().errors().isEmpty() ? null : sink.sink().errors().get(0), sink.sink().errorCount());
        }
        counters.received(sink.sink().batch().size());
        b.publisher().publish(ex, sink.sink(), TRANSPORT, new OtlpAnswer(json, sink.rejectedPoints(), stats.points()));
    }

    /** A comma-separated list of names (a TOML array reads the same); blank entries dropped. */
    static List<String> names(Object value) {
        if (value == null) {
            return List.of();
        }
        String s = value.toString().trim();
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        return java.util.Arrays.stream(s.split(",")).map(String::trim).filter(n -> !n.isEmpty()).toList();
    }

    /** One event loop's parsers, sink and body buffer. */
    private static final class PerLoop {
        final BodyBytes body = new BodyBytes();
        final OtlpProtobufParser protobuf = new OtlpProtobufParser();
        final OtlpJsonParser json = new OtlpJsonParser();
        final PointRejections rejections;
        boolean jsonActive;

        PerLoop(Binding b, AttributeFilter filter) {
            protobuf.filter(filter);
            json.filter(filter);
            this.rejections = new PointRejections(b.ingest().newSink(b.counters()).lineSource(this::line), this::line);
        }

        /** The data point being read, by the parser of this request's encoding. */
        private int line() {
            return jsonActive ? json.line() : protobuf.line();
        }
    }
}
