package io.sluice.bench;

/** The scenarios' request bodies for the JMH benchmarks (another package). */
public final class ProtoBodiesAccess {
    private ProtoBodiesAccess() {
    }

    public static byte[] remoteWrite(int rows) {
        return ProtoBodies.remoteWrite("bench_promrw", 0, rows, 100, 1_732_280_000_000_000L);
    }

    public static byte[] otlp(int rows) {
        return ProtoBodies.otlp("bench_otlp", 0, rows, 100, 1_732_280_000_000_000L);
    }
}
