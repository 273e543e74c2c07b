package io.sluice.server.protocol;

import io.netty.util.concurrent.FastThreadLocal;
import io.sluice.codec.Parser;
import io.sluice.codec.SampleSink;
import io.sluice.server.http.Exchange;
import io.sluice.server.ingest.IngestSink;

import java.util.function.Supplier;

/**
 * HTTP writes of a protocol whose messages are samples: each event loop parses request bodies
 * with its own parser into its own sink, and the write is answered through
 * {@link Binding#publisher()} once committed.
 *
 * @param <P> the protocol's parser
 */
public final class SampleWrites<P extends Parser<SampleSink>> {
    /** How one body is parsed, when the protocol needs more than the bytes (line protocol's precision). */
    public interface Parse<P> {
        void parse(P parser, byte[] buf, int len, IngestSink sink);
    }

    private final Binding binding;
    private final String transport;
    private final FastThreadLocal<PerLoop> perLoop;

    /** @param transport the {@code transport} label of {@code sluice_samples_received_total} */
    public SampleWrites(Binding binding, Supplier<P> parsers, String transport) {
        this.binding = binding;
        this.transport = transport;
        this.perLoop = new FastThreadLocal<>() {
            @Override
            protected PerLoop initialValue() {
                return new PerLoop(parsers.get());
            }
        };
    }

    /** Parses the body as the protocol's parser does by default, and publishes it. */
    public void write(Exchange ex) {
        write(ex, (p, buf, len, sink) -> p.parse(buf, 0, len, sink));
    }

    public void write(Exchange ex, Parse<P> parse) {
        PerLoop t = perLoop.get();
        int len = ex.body().readableBytes();
        byte[] body = t.body.of(ex.body());
        IngestSink sink = t.sink.begin(ex.principal().writes());
        parse.parse(t.parser, body, len, sink);
        binding.counters().received(sink.batch().size());
        binding.publisher().publish(ex, sink, transport);
    }

    /** One event loop's parser, sink and body buffer (bounded by max_body_bytes). */
    private final class PerLoop {
        final P parser;
        final IngestSink sink;
        final BodyBytes body = new BodyBytes();

        PerLoop(P parser) {
            this.parser = parser;
            this.sink = binding.ingest().newSink(binding.counters()).lineSource(parser::line);
        }
    }
}
