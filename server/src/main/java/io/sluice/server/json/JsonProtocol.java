package io.sluice.server.json;

import io.sluice.codec.json.JsonSampleParser;
import io.sluice.server.auth.Scope;
import io.sluice.server.config.Key;
import io.sluice.server.protocol.Binding;
import io.sluice.server.protocol.Protocol;
import io.sluice.server.protocol.SampleWrites;
import io.sluice.server.udp.SampleDatagrams;

import java.util.List;

/**
 * Native JSON samples: {@code POST /v1/samples}, and datagrams on {@code udp_json_port} (the API
 * performance monitor's among them). Shapes and mapping in {@code codec/.../json}.
 */
public final class JsonProtocol implements Protocol {
    private static final String UDP_PORT = "udp_json_port";

    @Override
    public String name() {
        return "json";
    }

    @Override
    public List<Key> keys() {
        return List.of(Key.integer(UDP_PORT, 8090, 0, 65535, "UDP JSON port (0 disables)"));
    }

    @Override
    public void bind(Binding b) throws Exception {
        SampleWrites<JsonSampleParser> writes = new SampleWrites<>(b, JsonSampleParser::new, "http_json");
        b.router().post("/v1/samples", Scope.WRITE, writes::write);
        b.udp("udp_json", b.config().integer(UDP_PORT),
                () -> new SampleDatagrams(b.ingest(), b.counters(), new JsonSampleParser(), "udp_json"));
    }
}
