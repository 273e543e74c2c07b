package io.sluice.bench;

import picocli.CommandLine.Command;

/**
 * OpenTelemetry OTLP/HTTP metrics in protobuf (one gauge, a data point per row, as an SDK
 * exports) to {@code /v1/metrics}, each request waiting for its 200 (sent after the commit).
 */
@Command(name = "otlp", description = "OTLP/HTTP protobuf exports; durable-ack throughput beside the COPY ceiling.")
final class OtlpScenario extends ProtocolScenario {
    @Override
    String name() {
        return "otlp protobuf (200 = committed)";
    }

    @Override
    AckedPosts.Protocol protocol() {
        return new Fixed("bench_otlp", "/v1/metrics", "application/x-protobuf", "", 200, ProtoBodies::otlp);
    }
}
