package io.sluice.server.protocol;

import io.sluice.server.influx.InfluxProtocol;
import io.sluice.server.json.JsonProtocol;
import io.sluice.server.otlp.OtlpProtocol;
import io.sluice.server.prometheus.PrometheusProtocol;
import io.sluice.server.statsd.StatsdProtocol;

import java.util.List;

/** Every ingest protocol Sluice speaks: the one place a new one is registered. */
public final class Protocols {
    public static final List<Protocol> ALL = List.of(
            new InfluxProtocol(),
            new JsonProtocol(),
            new StatsdProtocol(),
            new PrometheusProtocol(),
            new OtlpProtocol());

    private Protocols() {
    }
}
