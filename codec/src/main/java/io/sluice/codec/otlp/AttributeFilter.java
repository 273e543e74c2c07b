package io.sluice.codec.otlp;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;

/**
 * Which resource attributes become tags: all of them by default, only those allowed when an
 * allow list is given, never those denied. Resource attributes are where cardinality hides
 * ({@code process.pid}, {@code host.id}, {@code service.instance.id} change with every restart),
 * so operators choose. Names are compared as bytes, without a String per attribute.
 */
public final class AttributeFilter {
    /** Every resource attribute becomes a tag. */
    public static final AttributeFilter ALL = new AttributeFilter(java.util.List.of(), java.util.List.of());

    private final byte[][] allow;
    private final byte[][] deny;

    /** @param allow names to keep (empty: all); @param deny names to drop, whatever allow says */
    public AttributeFilter(Collection<String> allow, Collection<String> deny) {
        this.allow = bytes(allow);
        this.deny = bytes(deny);
    }

    public boolean keep(byte[] b, int off, int len) {
        if (allow.length > 0 && !contains(allow, b, off, len)) {
            return false;
        }
        return !contains(deny, b, off, len);
    }

    private static boolean contains(byte[][] names, byte[] b, int off, int len) {
        for (byte[] n : names) {
            if (Arrays.equals(n, 0, n.length, b, off, off + len)) {
                return true;
            }
        }
        return false;
    }

    private static byte[][] bytes(Collection<String> names) {
        return names.stream().map(s -> s.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
    }
}
