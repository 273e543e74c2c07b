package io.sluice.codec.json;

/**
 * RFC 3339 section 5.6 {@code date-time} to epoch microseconds, read from Jackson's character
 * buffer without a String: {@code YYYY-MM-DD(T|t| )HH:MM:SS[.frac](Z|z|+HH:MM|-HH:MM)}.
 *
 * <p>The separator may be a space (section 5.6 NOTE). Fractions finer than microseconds are cut
 * (rounded down). A leap second (:60) is accepted, as section 5.7 allows, and lands on the next
 * second. Years 0000..9999.
 */
final class Rfc3339 {
    /** Returned for text that is not a date-time; no valid one maps there. */
    static final long INVALID = Long.MIN_VALUE;

    private static final int[] DAYS_IN_MONTH = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    private Rfc3339() {
    }

    static long parse(char[] c, int off, int len) {
        int e = off + len;
        if (len < 20) {
            return INVALID;
        }
        int year = digits(c, off, 4);
        int month = digits(c, off + 5, 2);
        int day = digits(c, off + 8, 2);
        int hour = digits(c, off + 11, 2);
        int minute = digits(c, off + 14, 2);
        int second = digits(c, off + 17, 2);
        char sep = c[off + 10];
        if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23
                || minute < 0 || minute > 59 || second < 0 || second > 60
                || c[off + 4] != '-' || c[off + 7] != '-' || c[off + 13] != ':' || c[off + 16] != ':'
                || (sep != 'T' && sep != 't' && sep != ' ')) {
            return INVALID;
        }
        if (day > DAYS_IN_MONTH[month - 1] && !(month == 2 && day == 29 && isLeap(year))) {
            return INVALID;
        }
        int p = off + 19;
        long micros = 0;
        if (c[p] == '.') {
            p++;
            int start = p;
            while (p < e && c[p] >= '0' && c[p] <= '9') {
                if (p - start < 6) {
                    micros = micros * 10 + (c[p] - '0');
                }
                p++;
            }
            if (p == start) {
                return INVALID;
            }
            for (int n = p - start; n < 6; n++) {
                micros *= 10;
            }
        }
        if (p == e) {
            return INVALID;
        }
        int offsetSeconds;
        char z = c[p];
        if ((z == 'Z' || z == 'z') && p + 1 == e) {
            offsetSeconds = 0;
        } else if ((z == '+' || z == '-') && p + 6 == e && c[p + 3] == ':') {
            int oh = digits(c, p + 1, 2);
            int om = digits(c, p + 4, 2);
            if (oh < 0 || oh > 23 || om < 0 || om > 59) {
                return INVALID;
            }
            offsetSeconds = (oh * 3600 + om * 60) * (z == '-' ? -1 : 1);
        } else {
            return INVALID;
        }
        long seconds = epochDay(year, month, day) * 86_400L + hour * 3600L + minute * 60L + second - offsetSeconds;
        return seconds * 1_000_000L + micros;
    }

    /** Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant, days_from_civil). */
    static long epochDay(int y, int m, int d) {
        y -= m <= 2 ? 1 : 0;
        long era = Math.floorDiv(y, 400);
        long yoe = y - era * 400;
        long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146_097 + doe - 719_468;
    }

    private static boolean isLeap(int y) {
        return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    }

    /** n ASCII digits as a number, or -1. */
    private static int digits(char[] c, int p, int n) {
        int v = 0;
        for (int i = 0; i < n; i++) {
            char ch = c[p + i];
            if (ch < '0' || ch > '9') {
                return -1;
            }
            v = v * 10 + (ch - '0');
        }
        return v;
    }
}
