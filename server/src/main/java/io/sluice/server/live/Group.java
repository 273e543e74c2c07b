package io.sluice.server.live;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.sluice.codec.SampleSink;
import io.sluice.codec.SeriesKey;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Viewers with the same filter and style: one member list, one buffer, and each flush encoded
 * once for all of them. Only the fan-out thread adds and flushes; viewers join and leave from
 * event loops under the hub's lock.
 */
final class Group {
    final String id;
    final Style style;
    final Filter filter;
    /** Members, copy-on-write: changed under the hub's lock, read by the fan-out thread. */
    private volatile Viewer[] members = new Viewer[0];
    private final int capacity;
    // Buffered samples, grown on demand up to capacity: a thousand groups of mostly a few samples
    // each stay small and cache-friendly. data holds time, value bits and step per sample.
    private SeriesKey[] keys;
    private long[] data;
    private int size;
    private long firstAtNanos;
    private long seen;

    Group(String id, Style style, Filter filter, int capacity) {
        this.id = id;
        this.style = style;
        this.filter = filter;
        this.capacity = capacity;
        int initial = Math.min(capacity, 16);
        this.keys = new SeriesKey[initial];
        this.data = new long[initial * 3];
    }

    /** @return true when the buffer is full and must be flushed now */
    boolean add(SeriesKey key, long time, double value, long step) {
        if (filter.every() > 1 && seen++ % filter.every() != 0) {
            return false;
        }
        if (size == 0) {
            firstAtNanos = System.nanoTime();
        }
        if (size == keys.length) {
            int n = Math.min(capacity, size * 2);
            keys = java.util.Arrays.copyOf(keys, n);
            data = java.util.Arrays.copyOf(data, n * 3);
        }
        keys[size] = key;
        data[size * 3] = time;
        data[size * 3 + 1] = Double.doubleToRawLongBits(value);
        data[size * 3 + 2] = step;
        return ++size == capacity;
    }

    private long time(int i) {
        return data[i * 3];
    }

    private double value(int i) {
        return Double.longBitsToDouble(data[i * 3 + 1]);
    }

    private long step(int i) {
        return data[i * 3 + 2];
    }

    boolean due(long now, long coalesceNanos) {
        return size > 0 && now - firstAtNanos >= coalesceNanos;
    }

    int size() {
        return size;
    }

    /**
     * Encodes what is buffered (one frame, or one per sample) and empties the buffer. Each frame
     * is a complete WebSocket text frame, header included, so every member gets the same bytes.
     */
    List<ByteBuf> drain(ByteBufAllocator alloc, Map<SeriesKey, Map<String, String>> tagCache,
                        Map<SeriesKey, byte[]> prefixCache) {
        List<ByteBuf> frames = new ArrayList<>(style.batched ? 1 : size);
        if (style.batched) {
            ByteBuf b = alloc.buffer(64 + size * 96);
            b.writerIndex(WsText.HEADER_ROOM);
            if (style == Style.NATIVE) {
                Json.ascii(b, "{\"type\":\"samples\",\"subscription\":");
                Json.string(b, id);
                Json.ascii(b, ",\"samples\":[");
            } else {
                Json.ascii(b, "{\"type\":\"metric\",\"payload\":{\"metrics\":[");
            }
            for (int i = 0; i < size; i++) {
                if (i > 0) {
                    b.writeByte(',');
                }
                if (style == Style.NATIVE) {
                    writeNative(b, i, tagCache, prefixCache);
                } else {
                    writeOne(b, i, tagCache);
                }
            }
            Json.ascii(b, style == Style.NATIVE ? "]}" : "]}}");
            frames.add(WsText.seal(b));
        } else {
            for (int i = 0; i < size; i++) {
                ByteBuf b = alloc.buffer(128);
                b.writerIndex(WsText.HEADER_ROOM);
                writeOne(b, i, tagCache);
                frames.add(WsText.seal(b));
            }
        }
        java.util.Arrays.fill(keys, 0, size, null);
        size = 0;
        return frames;
    }

    /**
     * A native sample: the series part ({@code {"metric":...,"tags":{...},"time":}) is encoded once
     * per series and copied after that. JFR put a third of the fan-out thread's time in
     * re-encoding each sample's names.
     */
    private void writeNative(ByteBuf b, int i, Map<SeriesKey, Map<String, String>> tagCache,
                             Map<SeriesKey, byte[]> prefixCache) {
        byte[] prefix = prefixCache.get(keys[i]);
        if (prefix == null) {
            ByteBuf p = io.netty.buffer.Unpooled.buffer(128);
            try {
                nativeHead(p, keys[i], tagCache.computeIfAbsent(keys[i], SeriesKey::tags));
                prefix = io.netty.buffer.ByteBufUtil.getBytes(p);
            } finally {
                p.release();
            }
            prefixCache.put(keys[i], prefix);
        }
        b.writeBytes(prefix);
        Json.millis(b, time(i));
        Json.ascii(b, ",\"value\":");
        Json.number(b, value(i));
        if (step(i) != SampleSink.NO_STEP) {
            Json.ascii(b, ",\"step\":");
            Json.ascii(b, Long.toString(step(i)));
        }
        b.writeByte('}');
    }

    private static void nativeHead(ByteBuf b, SeriesKey k, Map<String, String> tags) {
        Json.ascii(b, "{\"metric\":");
        Json.string(b, k.metricString());
        Json.ascii(b, ",\"tags\":{");
        boolean first = true;
        for (Map.Entry<String, String> t : tags.entrySet()) {
            if (!first) {
                b.writeByte(',');
            }
            first = false;
            Json.string(b, t.getKey());
            b.writeByte(':');
            Json.string(b, t.getValue());
        }
        Json.ascii(b, "},\"time\":");
    }

    /** One sample in the shape of a drop-in service's stream (native samples use {@link #writeNative}). */
    private void writeOne(ByteBuf b, int i, Map<SeriesKey, Map<String, String>> tagCache) {
        SeriesKey k = keys[i];
        Map<String, String> tags = tagCache.computeIfAbsent(k, SeriesKey::tags);
        String metric = k.metricString();
        switch (style) {
            case API_PERF -> {
                Json.ascii(b, "{\"route\":");
                Json.string(b, tags.getOrDefault("route", ""));
                Json.ascii(b, ",\"method\":");
                Json.string(b, tags.getOrDefault("method", ""));
                Json.ascii(b, ",\"time\":");
                Json.number(b, value(i));
                Json.ascii(b, ",\"status\":");
                String status = tags.getOrDefault("status", "0");
                Json.ascii(b, status.matches("-?\\d{1,9}") ? status : "0");
                Json.ascii(b, ",\"timestamp\":");
                Json.rfc3339(b, time(i));
                b.writeByte('}');
            }
            case TRAINING -> {
                Json.ascii(b, "{\"run_id\":");
                Json.string(b, tags.getOrDefault("run_id", ""));
                Json.ascii(b, ",\"metric_name\":");
                Json.string(b, metric);
                Json.ascii(b, ",\"step\":");
                Json.ascii(b, step(i) == SampleSink.NO_STEP ? "null" : Long.toString(step(i)));
                Json.ascii(b, ",\"value\":");
                Json.number(b, value(i));
                Json.ascii(b, ",\"time\":");
                Json.rfc3339(b, time(i));
                b.writeByte('}');
            }
            case FLEET -> {
                Json.ascii(b, "{\"server_id\":");
                Json.string(b, tags.getOrDefault("server_id", ""));
                Json.ascii(b, ",\"metric_type\":");
                Json.string(b, tags.getOrDefault("metric_type", ""));
                Json.ascii(b, ",\"metric_name\":");
                Json.string(b, tags.getOrDefault("metric_name", metric));
                Json.ascii(b, ",\"value\":");
                Json.number(b, value(i));
                Json.ascii(b, ",\"timestamp\":");
                Json.rfc3339(b, time(i));
                b.writeByte('}');
            }
            case DASHBOARD -> {
                Json.ascii(b, "{\"metric_name\":");
                Json.string(b, metric);
                Json.ascii(b, ",\"host\":");
                Json.string(b, tags.getOrDefault("host", ""));
                Json.ascii(b, ",\"value\":");
                Json.number(b, value(i));
                Json.ascii(b, ",\"time\":");
                Json.rfc3339(b, time(i));
                b.writeByte('}');
            }
            default -> throw new IllegalStateException(style.name());
        }
    }

    Viewer[] members() {
        return members;
    }

    boolean isEmpty() {
        return members.length == 0;
    }

    /** Under the hub's lock. */
    void join(Viewer v) {
        Viewer[] m = members;
        for (Viewer x : m) {
            if (x == v) {
                return;
            }
        }
        Viewer[] n = java.util.Arrays.copyOf(m, m.length + 1);
        n[m.length] = v;
        members = n;
    }

    /** Under the hub's lock. */
    void leave(Viewer v) {
        Viewer[] m = members;
        for (int i = 0; i < m.length; i++) {
            if (m[i] == v) {
                Viewer[] n = new Viewer[m.length - 1];
                System.arraycopy(m, 0, n, 0, i);
                System.arraycopy(m, i + 1, n, i, m.length - i - 1);
                members = n;
                return;
            }
        }
    }
}
