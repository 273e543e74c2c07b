package io.sluice.codec.influx;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * Decimal floats from ASCII bytes, with results bit-identical to {@link Double#parseDouble}.
 *
 * <p>Syntax (InfluxDB line protocol, which takes Go's {@code strconv.ParseFloat} after its own
 * scan): optional '-', digits with an optional '.', optional exponent ({@code e}/{@code E},
 * optional sign, digits); at least one digit before the exponent. No leading '+', no NaN, no
 * Infinity, no hex, no underscores.
 *
 * <p>A plain decimal (at most 15 digits and one point, the common metric value) is read in one
 * pass and takes the first path below at once ({@link #plainRun}); anything else goes through
 * the general reader. Three paths, each exact:
 * <ol>
 *   <li>Clinger (1990): at most 15 significant digits times 10^-22..10^22 — both operands are exact
 *       doubles, so the one rounding of the multiplication or division is the correct one;</li>
 *   <li>Eisel-Lemire (Lemire, "Number Parsing at a Gigabyte per Second", 2021; the variant in Go's
 *       {@code strconv/eisel_lemire.go}): up to 19 significant digits and any normal result. It
 *       covers the 16 and 17 digit values that shortest-round-trip printers (Go's
 *       {@code FormatFloat(v, 'f', -1, 64)}, Telegraf, Java's {@code Double.toString}) write for
 *       computed metrics, so those create no garbage either;</li>
 *   <li>{@link Double#parseDouble} on a String, when Eisel-Lemire cannot decide (more than 19
 *       digits, subnormals, overflow, exact halfway ambiguity): rare in metrics.</li>
 * </ol>
 */
public final class FloatParser {
    private static final double[] POW10 = new double[23];
    private static final int MIN_E10 = -348;
    private static final int MAX_E10 = 347;
    /** 10^q normalised to 128 bits with the top bit set, rounded down; hi and lo halves. */
    private static final long[] POW_HI = new long[MAX_E10 - MIN_E10 + 1];
    private static final long[] POW_LO = new long[MAX_E10 - MIN_E10 + 1];

    static {
        double p = 1;
        for (int i = 0; i < POW10.length; i++) {
            POW10[i] = p;
            p *= 10;
        }
        // 10^q = 5^q * 2^q and the 2^q only moves the exponent: the table holds 5^q's top bits.
        BigInteger five = BigInteger.valueOf(5);
        for (int q = MIN_E10; q <= MAX_E10; q++) {
            BigInteger m;
            if (q >= 0) {
                BigInteger p5 = five.pow(q);
                int shift = 128 - p5.bitLength();
                m = shift >= 0 ? p5.shiftLeft(shift) : p5.shiftRight(-shift);
            } else {
                // 2^(127+L) / 5^n lies in (2^127, 2^128) when 5^n has L bits.
                BigInteger p5 = five.pow(-q);
                m = BigInteger.ONE.shiftLeft(127 + p5.bitLength()).divide(p5);
            }
            POW_HI[q - MIN_E10] = m.shiftRight(64).longValue();
            POW_LO[q - MIN_E10] = m.longValue();
        }
    }

    private FloatParser() {
    }

    /**
     * @return the value; NaN when the bytes are not a float; an infinity when the value is beyond
     * the double range (the caller rejects both)
     */
    public static double parse(byte[] b, int s, int e) {
        int p = s < e && b[s] == '-' ? s + 1 : s;
        long run = plainRun(b, p, e);
        if (run >= 0 && p + runLength(run) == e) {
            return plainValue(run, p > s);
        }
        return general(b, s, e);
    }

    /** {@link #parse} without its shortcut for plain decimals: every path above but the first's shortcut. */
    static double general(byte[] b, int s, int e) {
        int p = s;
        boolean neg = false;
        if (p < e && b[p] == '-') {
            neg = true;
            p++;
        }
        long mantissa = 0;      // unsigned: up to 19 significant digits
        int digits = 0;         // significant digits in mantissa (leading zeros skipped)
        int scale = 0;          // power of ten the mantissa is to be multiplied by
        boolean truncated = false;
        boolean anyDigit = false;
        // Eight digits at a time while all eight fit in the 19 kept (long decimals, Telegraf's 17);
        // not tried when the eighth byte already is no digit (a short value's point, or its end).
        for (long eight; digits <= 11 && p + 8 <= e && isDigit(b[p + 7]) && (eight = Digits8.value(b, p)) >= 0; p += 8) {
            digits = mantissa == 0 ? significant(eight) : digits + 8; // leading zeros are not kept
            mantissa = mantissa * 100_000_000 + eight;
            anyDigit = true;
        }
        while (p < e && isDigit(b[p])) {
            int d = b[p++] - '0';
            anyDigit = true;
            if (digits < 19) {
                if (mantissa != 0 || d != 0) {
                    mantissa = mantissa * 10 + d;
                    digits++;
                }
            } else {
                scale++;
                truncated |= d != 0;
            }
        }
        if (p < e && b[p] == '.') {
            p++;
            for (long eight; digits <= 11 && p + 8 <= e && isDigit(b[p + 7]) && (eight = Digits8.value(b, p)) >= 0; p += 8) {
                digits = mantissa == 0 ? significant(eight) : digits + 8;
                mantissa = mantissa * 100_000_000 + eight;
                scale -= 8;
                anyDigit = true;
            }
            while (p < e && isDigit(b[p])) {
                int d = b[p++] - '0';
                anyDigit = true;
                if (digits < 19) {
                    if (mantissa != 0 || d != 0) {
                        mantissa = mantissa * 10 + d;
                        digits++;
                    }
                    scale--;
                } else {
                    truncated |= d != 0;
                }
            }
        }
        if (!anyDigit) {
            return Double.NaN;
        }
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
            int exp = 0;
            while (p < e && isDigit(b[p])) {
                if (exp < 100_000) { // past any double's range; keep reading digits
                    exp = exp * 10 + (b[p] - '0');
                }
                p++;
            }
            scale += expNeg ? -exp : exp;
        }
        if (p != e) {
            return Double.NaN;
        }
        if (!truncated) {
            if (digits <= 15 && scale >= -22 && scale <= 22) {
                double v = mantissa;
                v = scale >= 0 ? v * POW10[scale] : v / POW10[-scale];
                return neg ? -v : v;
            }
            double v = eiselLemire(mantissa, scale, neg);
            if (!Double.isNaN(v)) {
                return v;
            }
        }
        return Double.parseDouble(new String(b, s, e - s, StandardCharsets.ISO_8859_1));
    }

    /**
     * The common metric value, read in one pass: from {@code b[p]} up to the first byte that is no
     * digit (or a second point) or {@code e}, at most 15 digits with at most one point. Its digits,
     * leading zeros included, fit the mantissa exactly and its scale is at most 15, so
     * {@link #plainValue} is the first path above (Clinger's) with the same operands and result.
     * A caller reads the value only when the run ends where the number does ({@link #runLength}).
     *
     * @return -1 when no digit or more than 15 come first, else the run: its mantissa, its length
     * in bytes and its digits after the point, packed (mantissa {@code << 10 | length << 5 | fraction})
     */
    static long plainRun(byte[] b, int p, int e) {
        long mantissa = 0;
        int digits = 0;
        int point = -1;
        int q = p;
        for (; q < e; q++) {
            int d = b[q] - '0';
            if (d >= 0 && d <= 9) {
                if (++digits > 15) {
                    return -1;
                }
                mantissa = mantissa * 10 + d;
            } else if (b[q] == '.' && point < 0) {
                point = q;
            } else {
                break;
            }
        }
        if (digits == 0) {
            return -1;
        }
        return mantissa << 10 | (long) (q - p) << 5 | (point < 0 ? 0 : q - 1 - point);
    }

    /** The bytes a {@link #plainRun} read. */
    static int runLength(long run) {
        return (int) (run >>> 5) & 0x1F;
    }

    /** The value of a {@link #plainRun}, negated when a minus came before it. */
    static double plainValue(long run, boolean negative) {
        double v = run >>> 10;
        int fraction = (int) run & 0x1F;
        v = fraction == 0 ? v : v / POW10[fraction];
        return negative ? -v : v;
    }

    /** Decimal digits of {@code v} without leading zeros: 0 for 0, up to 8. */
    private static int significant(long v) {
        int n = 0;
        while (v != 0) {
            v /= 10;
            n++;
        }
        return n;
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    /**
     * mantissa * 10^e10 correctly rounded, or NaN when this algorithm cannot tell (the caller then
     * falls back). Comments name the sections of https://nigeltao.github.io/blog/2020/eisel-lemire.html.
     */
    static double eiselLemire(long mantissa, int e10, boolean neg) {
        if (mantissa == 0) {
            return neg ? -0.0 : 0.0;
        }
        if (e10 < MIN_E10 || e10 > MAX_E10) {
            return Double.NaN;
        }
        // Normalization.
        int clz = Long.numberOfLeadingZeros(mantissa);
        long man = mantissa << clz;
        long retExp2 = ((217706L * e10) >> 16) + 64 + 1023 - clz;
        // Multiplication.
        int i = e10 - MIN_E10;
        long xHi = unsignedMultiplyHigh(man, POW_HI[i]);
        long xLo = man * POW_HI[i];
        // Wider approximation: the low bits are all ones, so the truncated table may matter.
        if ((xHi & 0x1FF) == 0x1FF && Long.compareUnsigned(xLo + man, man) < 0) {
            long yHi = unsignedMultiplyHigh(man, POW_LO[i]);
            long yLo = man * POW_LO[i];
            long mergedHi = xHi;
            long mergedLo = xLo + yHi;
            if (Long.compareUnsigned(mergedLo, xLo) < 0) {
                mergedHi++;
            }
            if ((mergedHi & 0x1FF) == 0x1FF && mergedLo + 1 == 0 && Long.compareUnsigned(yLo + man, man) < 0) {
                return Double.NaN;
            }
            xHi = mergedHi;
            xLo = mergedLo;
        }
        // Shifting to 54 bits.
        long msb = xHi >>> 63;
        long retMantissa = xHi >>> (int) (msb + 9);
        retExp2 -= 1 ^ msb;
        // Half-way ambiguity.
        if (xLo == 0 && (xHi & 0x1FF) == 0 && (retMantissa & 3) == 1) {
            return Double.NaN;
        }
        // From 54 to 53 bits.
        retMantissa += retMantissa & 1;
        retMantissa >>>= 1;
        if ((retMantissa >>> 53) > 0) {
            retMantissa >>>= 1;
            retExp2++;
        }
        // Subnormal or overflow: leave to Double.parseDouble.
        if (retExp2 <= 0 || retExp2 >= 0x7FF) {
            return Double.NaN;
        }
        long bits = retExp2 << 52 | retMantissa & 0x000F_FFFF_FFFF_FFFFL;
        return Double.longBitsToDouble(neg ? bits | 0x8000_0000_0000_0000L : bits);
    }

    /** The high 64 bits of the unsigned 128-bit product (Math.unsignedMultiplyHigh is Java 18). */
    private static long unsignedMultiplyHigh(long a, long b) {
        return Math.multiplyHigh(a, b) + ((a >> 63) & b) + ((b >> 63) & a);
    }
}
