package io.sluice.codec.influx;

import java.nio.charset.StandardCharsets;

/**
 * Decimal floats from ASCII bytes, with results identical to {@link Double#parseDouble}.
 *
 * <p>Syntax: optional sign, digits with an optional '.', optional exponent ({@code e}/{@code E},
 * optional sign, digits); at least one digit before the exponent. No NaN, no Infinity, no hex.
 * Fast path (Clinger, 1990): a mantissa of at most 15 digits times a power of ten up to 10^22 is
 * exact in doubles and rounds once, so it equals the correctly rounded value. Anything else goes
 * to {@link Double#parseDouble} on a String: rare in metrics (long fractions, huge exponents).
 */
final class FloatParser {
    private static final double[] POW10 = new double[23];

    static {
        double p = 1;
        for (int i = 0; i < POW10.length; i++) {
            POW10[i] = p;
            p *= 10;
        }
    }

    private FloatParser() {
    }

    /** @return the value, or NaN when the bytes are not a float */
    static double parse(byte[] b, int s, int e) {
        int p = s;
        boolean neg = false;
        if (p < e && (b[p] == '-' || b[p] == '+')) {
            neg = b[p] == '-';
            p++;
        }
        long mantissa = 0;
        int digits = 0;         // significant digits kept in mantissa
        int dropped = 0;        // integer digits beyond what mantissa holds
        int fracDigits = 0;
        boolean anyDigit = false;
        boolean exact = true;
        while (p < e && b[p] >= '0' && b[p] <= '9') {
            anyDigit = true;
            if (mantissa == 0 && b[p] == '0') {
                p++;
                continue;
            }
            if (digits < 18) {
                mantissa = mantissa * 10 + (b[p] - '0');
                digits++;
            } else {
                dropped++;
                exact = false;
            }
            p++;
        }
        if (p < e && b[p] == '.') {
            p++;
            while (p < e && b[p] >= '0' && b[p] <= '9') {
                anyDigit = true;
                if (digits < 18) {
                    if (mantissa != 0 || b[p] != '0') {
                        digits++;
                    }
                    mantissa = mantissa * 10 + (b[p] - '0');
                    fracDigits++;
                } else {
                    exact = false;
                }
                p++;
            }
        }
        if (!anyDigit) {
            return Double.NaN;
        }
        int exp = 0;
        if (p < e && (b[p] == 'e' || b[p] == 'E')) {
            p++;
            boolean expNeg = false;
            if (p < e && (b[p] == '-' || b[p] == '+')) {
                expNeg = b[p] == '-';
                p++;
            }
            if (p == e) {
                return Double.NaN;
            }
            while (p < e && b[p] >= '0' && b[p] <= '9') {
                if (exp < 100_000) {
                    exp = exp * 10 + (b[p] - '0');
                }
                p++;
            }
            if (expNeg) {
                exp = -exp;
            }
        }
        if (p != e) {
            return Double.NaN;
        }
        int e10 = exp - fracDigits + dropped;
        if (exact && digits <= 15 && e10 >= -22 && e10 <= 22) {
            double v = mantissa;
            v = e10 >= 0 ? v * POW10[e10] : v / POW10[-e10];
            return neg ? -v : v;
        }
        return Double.parseDouble(new String(b, s, e - s, StandardCharsets.US_ASCII));
    }
}
