package io.sluice.bench;

import picocli.CommandLine.Command;

/**
 * Prometheus remote write 1.0 (snappy protobuf, one sample per series as Prometheus sends a
 * scrape) to {@code /api/v1/write}, each request waiting for its 204 (sent after the commit).
 */
@Command(name = "promrw", description = "Prometheus remote write batches; durable-ack throughput beside the COPY ceiling.")
final class PromRwScenario extends ProtocolScenario {
    @Override
    String name() {
        return "prometheus remote write (204 = committed)";
    }

    @Override
    AckedPosts.Protocol protocol() {
        return new Fixed("bench_promrw", "/api/v1/write", "application/x-protobuf",
                "Content-Encoding: snappy\r\nX-Prometheus-Remote-Write-Version: 0.1.0\r\n", 204, ProtoBodies::remoteWrite);
    }
}
