package io.sluice.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Line-protocol request bodies, made before any clock starts so the generator's cost is never
 * measured: series dealt in turn ({@code host=h0 .. h<series-1>}), one field {@code value}, each
 * line 1 µs after the one before, every (series, time) new. The same bytes go to every system a
 * run compares. (Cycling a few bodies sent the same keys again and again, and index inserts into
 * old pages cost PostgreSQL more than the ceiling's appends.)
 */
final class LineBodies {
    private LineBodies() {
    }

    /**
     * @param baseNanos time of the first line, in nanoseconds since the epoch
     * @return {@code ceil(rows / batch)} bodies of {@code batch} lines (the last may be shorter)
     */
    static List<byte[]> build(String metric, long rows, int batch, int series, long baseNanos) {
        List<byte[]> bodies = new ArrayList<>();
        for (long from = 0; from < rows; from += batch) {
            bodies.add(body(metric, from, Math.min(rows, from + batch), series, baseNanos));
        }
        return bodies;
    }

    /** Lines {@code [from, to)}: line k is series {@code h<k % series>}, value {@code k / 2.0}, time base + k µs. */
    static byte[] body(String metric, long from, long to, int series, long baseNanos) {
        StringBuilder sb = new StringBuilder((int) (to - from) * (metric.length() + 40));
        for (long k = from; k < to; k++) {
            sb.append(metric).append(",host=h").append(k % series).append(" value=").append(k / 2)
                    .append(k % 2 == 0 ? ".0" : ".5").append(' ').append(baseNanos + k * 1000L).append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Bytes in all the bodies. */
    static long bytes(List<byte[]> bodies) {
        long n = 0;
        for (byte[] b : bodies) {
            n += b.length;
        }
        return n;
    }
}
