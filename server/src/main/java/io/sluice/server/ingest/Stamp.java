package io.sluice.server.ingest;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * Tags put on every sample of a write, replacing any the client sent under the same keys: a
 * tenant's tags (README "Tenants"). Held as bytes so that stamping a parser's key costs no
 * allocation.
 */
public final class Stamp {
    public static final Stamp NONE = new Stamp(Map.of());

    private final Map<String, String> tags;
    final byte[][] keys;
    final byte[][] values;

    private Stamp(Map<String, String> tags) {
        this.tags = Map.copyOf(tags);
        Map<String, String> sorted = new TreeMap<>(tags);
        keys = new byte[sorted.size()][];
        values = new byte[sorted.size()][];
        int i = 0;
        for (Map.Entry<String, String> e : sorted.entrySet()) {
            keys[i] = e.getKey().getBytes(StandardCharsets.UTF_8);
            values[i++] = e.getValue().getBytes(StandardCharsets.UTF_8);
        }
    }

    public static Stamp of(Map<String, String> tags) {
        return tags.isEmpty() ? NONE : new Stamp(tags);
    }

    public boolean isEmpty() {
        return keys.length == 0;
    }

    public Map<String, String> tags() {
        return tags;
    }
}
