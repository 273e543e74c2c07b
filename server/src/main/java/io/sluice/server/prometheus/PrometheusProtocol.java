package io.sluice.server.prometheus;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.FastThreadLocal;
import io.sluice.codec.prometheus.RemoteWriteParser;
import io.sluice.codec.prometheus.RemoteWriteParser.Version;
import io.sluice.codec.prometheus.RemoteWriteStats;
import io.sluice.codec.prometheus.SnappyBlock;
import io.sluice.server.config.Key;
import io.sluice.server.auth.Scope;
import io.sluice.server.http.Exchange;
import io.sluice.server.ingest.IngestSink;
import io.sluice.server.protocol.BodyBytes;
import io.sluice.server.protocol.Binding;
import io.sluice.server.protocol.Protocol;
import io.sluice.server.protocol.ProtocolCounters;

import java.util.List;
import java.util.Locale;

/**
 * Prometheus remote write 1.0 and 2.0 at {@code POST /api/v1/write} and {@code /api/v1/push}
 * (README "Prometheus remote write"): the message by {@code Content-Type}, snappy block bodies
 * bounded by {@code max_body_bytes}, answers in remote write's words ({@link RemoteWriteAnswer}).
 * Parsing and mapping in {@code codec/.../prometheus}.
 */
public final class PrometheusProtocol implements Protocol {
    static final String V1 = "prometheus.WriteRequest";
    static final String V2 = "io.prometheus.write.v2.Request";
    private static final String TRANSPORT = "http_promrw";

    @Override
    public String name() {
        return "prometheus";
    }

    @Override
    public List<Key> keys() {
        return List.of();
    }

    @Override
    public void bind(Binding b) {
        int maxBody = (int) Math.min(Integer.MAX_VALUE, b.config().maxBodyBytes());
        FastThreadLocal<PerLoop> perLoop = new FastThreadLocal<>() {
            @Override
            protected PerLoop initialValue() {
                return new PerLoop(b);
            }
        };
        for (String path : List.of("/api/v1/write", "/api/v1/push")) {
            b.router().post(path, Scope.WRITE, ex -> write(b, perLoop.get(), maxBody, ex));
            b.router().ownCoding(path, "snappy");
        }
    }

    private static void write(Binding b, PerLoop t, int maxBody, Exchange ex) {
        ProtocolCounters counters = b.counters();
        Version version = version(ex);
        if (version == null) {
            return; // answered 415
        }
        String coding = ex.request().headers().get(HttpHeaderNames.CONTENT_ENCODING);
        if (coding != null && !coding.trim().equalsIgnoreCase("snappy")) {
            unsupported(ex, "Content-Encoding '" + coding + "': remote write bodies are snappy block compressed"
                    + " (Content-Encoding: snappy)");
            return;
        }
        int len = ex.body().readableBytes();
        byte[] compressed = t.body.of(ex.body());
        int n = t.snappy.decode(compressed, 0, len, maxBody);
        if (n == SnappyBlock.TOO_LARGE) {
            refuse(ex, counters, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, t.snappy.reason() + " (max_body_bytes)");
            return;
        }
        if (n < 0) {
            refuse(ex, counters, HttpResponseStatus.BAD_REQUEST, "could not decode the body: " + t.snappy.reason());
            return;
        }
        IngestSink sink = t.sink.begin(ex.principal().writes()); // the token's tenant tags, whatever was sent
        t.parser.parse(t.snappy.output(), 0, n, version, sink);
        if (t.parser.malformed() != null) {
            String why = "could not decode the body: " + t.parser.malformed();
            t.sink.begin(); // what came before the damage is discarded: the request is refused whole
            refuse(ex, counters, HttpResponseStatus.BAD_REQUEST, why);
            return;
        }
        count(counters, t.parser.stats());
        if (sink.errorCount() > 0) {
            counters.badInput(ex.ctx().channel().remoteAddress(), sink.errors().get(0), sink.errorCount());
        }
        counters.received(sink.batch().size());
        b.publisher().publish(ex, sink, TRANSPORT, new RemoteWriteAnswer(version == Version.V2));
        if (n > 4 * 1024 * 1024) {
            t.snappy.trim(4 * 1024 * 1024); // an unusually large body does not keep its buffer
        }
    }

    /**
     * The message a body holds, from its {@code Content-Type} (2.0 spec, "Protocol"): none, or
     * {@code application/x-protobuf} alone, is 1.0; {@code ;proto=} names either message. Anything
     * else is answered 415, as the spec asks, naming what is supported.
     */
    private static Version version(Exchange ex) {
        String type = ex.request().headers().get(HttpHeaderNames.CONTENT_TYPE);
        if (type == null) {
            return Version.V1; // Prometheus always sends one; older senders did not
        }
        String[] parts = type.split(";");
        if (!parts[0].trim().equalsIgnoreCase("application/x-protobuf")) {
            unsupported(ex, "Content-Type '" + type + "': remote write is application/x-protobuf (proto=" + V1
                    + " or " + V2 + ")");
            return null;
        }
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim();
            if (p.toLowerCase(Locale.ROOT).startsWith("proto=")) {
                String proto = p.substring(6).trim().replace("\"", "");
                if (proto.equals(V1)) {
                    return Version.V1;
                }
                if (proto.equals(V2)) {
                    return Version.V2;
                }
                unsupported(ex, "proto=" + proto + " is not supported; send " + V1 + " or " + V2);
                return null;
            }
        }
        return Version.V1;
    }

    private static void count(ProtocolCounters c, RemoteWriteStats s) {
        add(c, "stale_marker", s.staleMarkers());
        add(c, "non_finite", s.nonFinite());
        add(c, "exemplar", s.exemplars());
        add(c, "native_histogram", s.histograms());
        add(c, "metadata", s.metadata());
    }

    private static void add(ProtocolCounters c, String what, int n) {
        if (n > 0) {
            c.skipped(what).add(n);
        }
    }

    private static void unsupported(Exchange ex, String message) {
        ex.header(HttpHeaderNames.ACCEPT_ENCODING, "snappy");
        ex.error(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported media type", message);
    }

    /** A request refused whole: a plain-text sentence, as Prometheus' own receiver answers, and one summarised log line. */
    private static void refuse(Exchange ex, ProtocolCounters counters, HttpResponseStatus status, String message) {
        counters.rejected("malformed").inc();
        counters.badInput(ex.ctx().channel().remoteAddress(), new io.sluice.codec.ParseError(1, 1, message, ""), 1);
        ex.text(status, "text/plain; charset=utf-8", message + "\n");
    }

    /** One event loop's decoder, parser, sink and body buffer. */
    private static final class PerLoop {
        final BodyBytes body = new BodyBytes();
        final SnappyBlock snappy = new SnappyBlock();
        final RemoteWriteParser parser = new RemoteWriteParser();
        final IngestSink sink;

        PerLoop(Binding b) {
            this.sink = b.ingest().newSink(b.counters()).lineSource(parser::line);
        }
    }
}
