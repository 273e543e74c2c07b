package io.sluice.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;
import io.sluice.codec.Precision;
import io.sluice.codec.influx.LineProtocolParser;
import io.sluice.codec.json.JsonSampleParser;
import io.sluice.server.ingest.Ingest;
import io.sluice.server.ingest.IngestSink;

/**
 * The write endpoints: InfluxDB 1.x {@code POST /write}, 2.x {@code POST /api/v2/write}
 * (line protocol; {@code db}, {@code bucket}, {@code org}, {@code rp} accepted and ignored:
 * Sluice has one store) and native JSON {@code POST /v1/samples}. DESIGN.md §4.
 */
public final class WriteRoutes {
    private final Ingest ingest;
    private final WritePublisher publisher;
    private final FastThreadLocal<Decoders> decoders = new FastThreadLocal<>() {
        @Override
        protected Decoders initialValue() {
            return new Decoders(ingest);
        }
    };

    public WriteRoutes(Ingest ingest, WritePublisher publisher) {
        this.ingest = ingest;
        this.publisher = publisher;
    }

    public void register(Router router) {
        router.post("/write", this::lineProtocol);
        router.post("/api/v2/write", this::lineProtocol);
        router.post("/v1/samples", this::jsonSamples);
    }

    private void lineProtocol(Exchange ex) {
        String p = ex.query("precision");
        Precision precision = Precision.parse(p);
        if (precision == null) {
            throw new BadRequest("precision: '" + p + "' is not one of ns, us, ms, s (or n, u, m, h)");
        }
        Decoders d = decoders.get();
        byte[] body = d.bytes(ex.body());
        IngestSink sink = d.lineSink.begin();
        d.line.parse(body, 0, ex.body().readableBytes(), precision, sink);
        publisher.publish(ex, sink, "http_line");
    }

    private void jsonSamples(Exchange ex) {
        Decoders d = decoders.get();
        byte[] body = d.bytes(ex.body());
        IngestSink sink = d.jsonSink.begin();
        d.json.parse(body, 0, ex.body().readableBytes(), sink);
        publisher.publish(ex, sink, "http_json");
    }

    /** Per event loop: parsers, their sinks, and a body buffer (bounded by max_body_bytes). */
    private static final class Decoders {
        final LineProtocolParser line = new LineProtocolParser();
        final JsonSampleParser json = new JsonSampleParser();
        final IngestSink lineSink;
        final IngestSink jsonSink;
        private byte[] buf = new byte[64 * 1024];

        Decoders(Ingest ingest) {
            lineSink = ingest.newSink().lineSource(line::line);
            jsonSink = ingest.newSink().lineSource(json::element);
        }

        byte[] bytes(ByteBuf b) {
            int n = b.readableBytes();
            if (b.hasArray() && b.arrayOffset() + b.readerIndex() == 0) {
                return b.array();
            }
            if (buf.length < n) {
                buf = new byte[Math.max(n, buf.length * 2)];
            }
            b.getBytes(b.readerIndex(), buf, 0, n);
            return buf;
        }
    }
}
