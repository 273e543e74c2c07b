package io.sluice.codec;

/** Units of a line protocol timestamp, as the {@code precision} query parameter names them. */
public enum Precision {
    NANOSECONDS(-1000),
    MICROSECONDS(1),
    MILLISECONDS(1_000),
    SECONDS(1_000_000),
    MINUTES(60_000_000L),
    HOURS(3_600_000_000L);

    /** Positive: multiply to get micros; negative: divide by its absolute value. */
    private final long factor;

    Precision(long factor) {
        this.factor = factor;
    }

    /**
     * Converts a timestamp in this unit to microseconds.
     *
     * @return the value, or {@link Long#MIN_VALUE} when it does not fit in 64-bit micros
     */
    public long toMicros(long t) {
        if (this == NANOSECONDS) {
            // A constant divisor: the JIT turns it into a multiplication (a division by a field
            // was 3 % of the parse of a nanosecond line).
            return Math.floorDiv(t, 1000L);
        }
        if (factor == 1) {
            return t;
        }
        long r = t * factor;
        // Overflow when the 128-bit product's high half is not the sign of its low half.
        if (Math.multiplyHigh(t, factor) != (r >> 63) || r == Long.MIN_VALUE) {
            return Long.MIN_VALUE;
        }
        return r;
    }

    /**
     * Parses the names InfluxDB 1.x and 2.x accept: n, ns, u, us, µ, ms, s, m, h.
     *
     * @return the precision, or null when the name is not one of them
     */
    public static Precision parse(String name) {
        if (name == null || name.isEmpty()) {
            return NANOSECONDS;
        }
        return switch (name) {
            case "n", "ns" -> NANOSECONDS;
            case "u", "us", "µ", "µs" -> MICROSECONDS;
            case "ms" -> MILLISECONDS;
            case "s" -> SECONDS;
            case "m" -> MINUTES;
            case "h" -> HOURS;
            default -> null;
        };
    }
}
