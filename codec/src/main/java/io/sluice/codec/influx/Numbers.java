package io.sluice.codec.influx;

/**
 * Integers, booleans and UTF-8 checks straight from bytes. The integer parsers report through
 * {@link #status} rather than an exception or a boxed result, so one instance belongs to one parser.
 */
public final class Numbers {
    static final int OK = 0;
    static final int INVALID = 1;
    static final int OVERFLOW = 2;

    /** The outcome of the last parseLong or parseUnsigned. */
    int status;

    /**
     * A signed decimal long: optional '-', then digits (no '+': InfluxDB refuses it in integers
     * and timestamps).
     */
    long parseLong(byte[] b, int s, int e) {
        int p = s;
        boolean neg = p < e && b[p] == '-';
        if (neg) {
            p++;
        }
        if (p == e) {
            status = INVALID;
            return 0;
        }
        long v = 0;
        // Accumulate negatively so that Long.MIN_VALUE parses. Eighteen digits cannot overflow,
        // so they go without the bound check and its division (a nanosecond timestamp has 19).
        int unchecked = Math.min(e, p + 18);
        for (long eight; p + 8 <= unchecked && (eight = Digits8.value(b, p)) >= 0; p += 8) {
            v = v * 100_000_000 - eight;
        }
        for (; p < unchecked; p++) {
            int d = b[p] - '0';
            if (d < 0 || d > 9) {
                status = INVALID;
                return 0;
            }
            v = v * 10 - d;
        }
        for (; p < e; p++) {
            int d = b[p] - '0';
            if (d < 0 || d > 9) {
                status = INVALID;
                return 0;
            }
            if (v < (Long.MIN_VALUE + d) / 10) {
                status = scanRest(b, p + 1, e);
                return 0;
            }
            v = v * 10 - d;
        }
        if (!neg && v == Long.MIN_VALUE) {
            status = OVERFLOW;
            return 0;
        }
        status = OK;
        return neg ? v : -v;
    }

    /** An unsigned 64-bit decimal, returned as the nearest double. */
    double parseUnsigned(byte[] b, int s, int e) {
        if (s == e) {
            status = INVALID;
            return 0;
        }
        long v = 0;
        for (int p = s; p < e; p++) {
            int d = b[p] - '0';
            if (d < 0 || d > 9) {
                status = INVALID;
                return 0;
            }
            if (Long.compareUnsigned(v, Long.divideUnsigned(-1L - d, 10)) > 0) {
                status = scanRest(b, p + 1, e);
                return 0;
            }
            v = v * 10 + d;
        }
        status = OK;
        // Above 2^63 halve first; the low bit keeps round-to-nearest-even correct for the double.
        return v >= 0 ? v : ((v >>> 1) | (v & 1)) * 2.0;
    }

    /** Too many digits, unless a non-digit follows: then the text was not a number at all. */
    private static int scanRest(byte[] b, int p, int e) {
        for (; p < e; p++) {
            if (b[p] < '0' || b[p] > '9') {
                return INVALID;
            }
        }
        return OVERFLOW;
    }

    /** The spellings InfluxDB accepts: t T true True TRUE f F false False FALSE; 1, 0 or -1. */
    static int parseBoolean(byte[] b, int s, int e) {
        int n = e - s;
        byte c = b[s];
        if (n == 1) {
            return c == 't' || c == 'T' ? 1 : c == 'f' || c == 'F' ? 0 : -1;
        }
        if (equals(b, s, e, "true") || equals(b, s, e, "True") || equals(b, s, e, "TRUE")) {
            return 1;
        }
        if (equals(b, s, e, "false") || equals(b, s, e, "False") || equals(b, s, e, "FALSE")) {
            return 0;
        }
        return -1;
    }

    static boolean equals(byte[] b, int s, int e, String ascii) {
        if (e - s != ascii.length()) {
            return false;
        }
        for (int i = 0; i < ascii.length(); i++) {
            if (b[s + i] != ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** {@code lower} must be lower-case ASCII. */
    static boolean equalsIgnoreCase(byte[] b, int s, int e, String lower) {
        if (e - s != lower.length()) {
            return false;
        }
        for (int i = 0; i < lower.length(); i++) {
            if ((b[s + i] | 0x20) != lower.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Well-formed UTF-8 (RFC 3629): no overlongs, no surrogates, nothing past U+10FFFF. */
    public static boolean isUtf8(byte[] b, int p, int e) {
        while (p < e) {
            int c = b[p] & 0xFF;
            if (c < 0x80) {
                p++;
                continue;
            }
            int need;
            int min;
            if (c >= 0xC2 && c <= 0xDF) {
                need = 1;
                min = 0x80;
            } else if (c >= 0xE0 && c <= 0xEF) {
                need = 2;
                min = 0x800;
            } else if (c >= 0xF0 && c <= 0xF4) {
                need = 3;
                min = 0x10000;
            } else {
                return false;
            }
            if (p + need >= e) {
                return false;
            }
            int cp = c & (0x3F >> need);
            for (int i = 1; i <= need; i++) {
                int cc = b[p + i] & 0xFF;
                if ((cc & 0xC0) != 0x80) {
                    return false;
                }
                cp = (cp << 6) | (cc & 0x3F);
            }
            if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
                return false;
            }
            p += need + 1;
        }
        return true;
    }
}
