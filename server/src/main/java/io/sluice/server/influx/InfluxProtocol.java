package io.sluice.server.influx;

import io.sluice.codec.Precision;
import io.sluice.codec.influx.LineProtocolParser;
import io.sluice.server.auth.Scope;
import io.sluice.server.config.Key;
import io.sluice.server.http.BadRequest;
import io.sluice.server.http.Exchange;
import io.sluice.server.protocol.Binding;
import io.sluice.server.protocol.Protocol;
import io.sluice.server.protocol.SampleWrites;
import io.sluice.server.udp.SampleDatagrams;

import java.util.List;

/**
 * InfluxDB line protocol: {@code POST /write} (1.x) and {@code POST /api/v2/write} (2.x;
 * {@code db}, {@code bucket}, {@code org}, {@code rp} accepted and ignored: Sluice has one store),
 * and datagrams on {@code udp_line_port}; with what clients call around writing, {@code /ping} and
 * {@code /query} ({@link InfluxApi}). Grammar and mapping in {@code codec/.../influx}, the InfluxQL
 * subset in {@code codec/.../influxql}.
 */
public final class InfluxProtocol implements Protocol {
    private static final String UDP_PORT = "udp_line_port";

    @Override
    public String name() {
        return "influx";
    }

    @Override
    public List<Key> keys() {
        return List.of(Key.integer(UDP_PORT, 8089, 0, 65535, "UDP InfluxDB line protocol port (0 disables)"));
    }

    @Override
    public void bind(Binding b) throws Exception {
        SampleWrites<LineProtocolParser> writes = new SampleWrites<>(b, LineProtocolParser::new, "http_line");
        b.router().post("/write", Scope.WRITE, ex -> write(writes, ex));
        b.router().post("/api/v2/write", Scope.WRITE, ex -> write(writes, ex));
        new InfluxApi(b.queries(), b.config().retentionRaw()).register(b.router());
        b.udp("udp_line", b.config().integer(UDP_PORT),
                () -> new SampleDatagrams(b.ingest(), b.counters(), new LineProtocolParser(), "udp_line"));
    }

    private static void write(SampleWrites<LineProtocolParser> writes, Exchange ex) {
        String p = ex.query("precision");
        Precision precision = Precision.parse(p);
        if (precision == null) {
            throw new BadRequest("precision: '" + p + "' is not one of ns, us, ms, s (or n, u, m, h)");
        }
        writes.write(ex, (parser, buf, len, sink) -> parser.parse(buf, 0, len, precision, sink));
    }
}
