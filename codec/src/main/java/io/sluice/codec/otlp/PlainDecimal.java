package io.sluice.codec.otlp;

import io.sluice.codec.DoubleText;

/**
 * A double as the shortest decimal that reads back to it, without an exponent and without a
 * trailing {@code .0}: {@code 0.005}, {@code 10}, {@code 0.0001}, {@code +Inf}. This is the text
 * Prometheus' OTLP translation gives {@code le} and {@code quantile} labels (Go's
 * {@code FormatFloat(v, 'f', -1, 64)}), so a bucket reads the same whichever way it came in.
 * Magnitudes beyond 1e21 or below 1e-20 keep an exponent ({@code 1.0E300}): no bound is that.
 */
final class PlainDecimal {
    /** Longest text written: 21 integer digits or 20 zeros after the point, plus digits and sign. */
    static final int MAX_LENGTH = 48;

    private final byte[] tmp = new byte[DoubleText.MAX_LENGTH];
    private final byte[] digits = new byte[DoubleText.MAX_LENGTH];

    /** Writes {@code v} at {@code out[at]} (room for {@link #MAX_LENGTH} bytes); returns the end. */
    int write(double v, byte[] out, int at) {
        if (Double.isNaN(v)) {
            return ascii("NaN", out, at);
        }
        if (Double.isInfinite(v)) {
            return ascii(v > 0 ? "+Inf" : "-Inf", out, at);
        }
        int n = DoubleText.write(v, tmp, 0);
        int e = indexOf(tmp, n, (byte) 'E');
        if (e < 0) {
            if (n >= 2 && tmp[n - 2] == '.' && tmp[n - 1] == '0') {
                n -= 2;
            }
            System.arraycopy(tmp, 0, out, at, n);
            return at + n;
        }
        int exp = 0;
        boolean negative = tmp[e + 1] == '-';
        for (int i = negative ? e + 2 : e + 1; i < n; i++) {
            exp = exp * 10 + (tmp[i] - '0');
        }
        exp = negative ? -exp : exp;
        if (exp > 21 || exp < -20) {
            System.arraycopy(tmp, 0, out, at, n);
            return at + n;
        }
        return plain(tmp, e, exp, out, at);
    }

    /** {@code d.ddd} times 10^exp, from the mantissa text {@code m[0, end)}. */
    private int plain(byte[] m, int end, int exp, byte[] out, int at) {
        int p = 0;
        if (m[0] == '-') {
            out[at++] = '-';
            p = 1;
        }
        int nd = 0;
        for (int i = p; i < end; i++) {
            if (m[i] != '.') {
                digits[nd++] = m[i];
            }
        }
        while (nd > 1 && digits[nd - 1] == '0') {
            nd--;
        }
        int point = exp + 1; // digits before the decimal point
        if (point <= 0) {
            out[at++] = '0';
            out[at++] = '.';
            for (int z = point; z < 0; z++) {
                out[at++] = '0';
            }
            System.arraycopy(digits, 0, out, at, nd);
            return at + nd;
        }
        for (int i = 0; i < Math.max(point, nd); i++) {
            if (i == point) {
                out[at++] = '.';
            }
            out[at++] = i < nd ? digits[i] : (byte) '0';
        }
        return at;
    }

    private static int indexOf(byte[] b, int n, byte c) {
        for (int i = 0; i < n; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }

    private static int ascii(String s, byte[] out, int at) {
        for (int i = 0; i < s.length(); i++) {
            out[at++] = (byte) s.charAt(i);
        }
        return at;
    }
}
