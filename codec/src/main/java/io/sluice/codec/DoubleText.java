package io.sluice.codec;

import java.math.BigInteger;

/**
 * Writes a double as the shortest decimal that reads back to the same double, in the text
 * {@code Double.toString} gives from Java 19 on ({@code 50.0}, {@code 0.001}, {@code 1.0E-5},
 * {@code 1.2345678E7}), straight into a byte array: no {@code String} and no helper object per value.
 *
 * <p>Why it exists: a raw hour of one series is 3,000 values, and writing them through
 * {@code Double.toString} or Jackson's own writer made a {@code String} (and a converter object)
 * per value, over a third of what answering the query allocated. Java 17's {@code Double.toString}
 * is also not always the shortest ({@code 2.82879384806159E17} came out with 18 digits).
 *
 * <p>The digits come from R. Giulietti's Schubfach method ("The Schubfach way to render doubles",
 * 2020): scale the double's rounding interval by a 126-bit approximation of a power of ten, then
 * pick the shortest decimal inside it, of at least two digits. The powers of ten are computed
 * exactly with {@link BigInteger} when the class loads (617 of them, 10 KB).
 */
public final class DoubleText {
    /** The longest text written: {@code -2.2250738585072014E-308}. */
    public static final int MAX_LENGTH = 24;

    private static final int P = 53;                        // significand bits, with the hidden one
    private static final int Q_MIN = -1074;                 // exponent of the least subnormal
    private static final long C_MIN = 1L << (P - 1);        // least normal significand
    private static final long T_MASK = C_MIN - 1;
    private static final int BQ_MASK = 0x7FF;
    private static final int C_TINY = 3;                    // below it, subnormals need one more digit of c
    private static final int K_MIN = -324;                  // flog10pow2(Q_MIN)
    private static final int K_MAX = 292;                   // flog10pow2(971)
    private static final long MASK_63 = (1L << 63) - 1;

    /** For 10^e, e in [-K_MAX, -K_MIN]: g = floor(10^e * 2^-r) + 1 with 2^125 <= g < 2^126, split in 63-bit halves. */
    private static final long[] G = new long[2 * (K_MAX - K_MIN + 1)];
    private static final long[] POW10 = new long[19];

    static {
        POW10[0] = 1;
        for (int i = 1; i < POW10.length; i++) {
            POW10[i] = POW10[i - 1] * 10;
        }
        BigInteger mask63 = BigInteger.ONE.shiftLeft(63).subtract(BigInteger.ONE);
        for (int e = -K_MAX; e <= -K_MIN; e++) {
            BigInteger g;
            if (e >= 0) {
                BigInteger n = BigInteger.TEN.pow(e);
                int shift = n.bitLength() - 126;
                g = shift > 0 ? n.shiftRight(shift) : n.shiftLeft(-shift);
            } else {
                // 10^e = 1 / d; d is never a power of two, so 2^(125 + bits(d)) / d lies in (2^125, 2^126).
                BigInteger d = BigInteger.TEN.pow(-e);
                g = BigInteger.ONE.shiftLeft(125 + d.bitLength()).divide(d);
            }
            g = g.add(BigInteger.ONE);
            int i = 2 * (e + K_MAX);
            G[i] = g.shiftRight(63).longValueExact();
            G[i + 1] = g.and(mask63).longValueExact();
        }
    }

    private DoubleText() {
    }

    /**
     * Writes {@code v} at {@code out[at]}; the array needs {@link #MAX_LENGTH} bytes from there.
     * {@code NaN} and the infinities are written as Java names them.
     *
     * @return the index after the last byte written
     */
    public static int write(double v, byte[] out, int at) {
        long bits = Double.doubleToRawLongBits(v);
        long t = bits & T_MASK;
        int bq = (int) (bits >>> (P - 1)) & BQ_MASK;
        if (bq == BQ_MASK) {
            return ascii(t != 0 ? "NaN" : bits > 0 ? "Infinity" : "-Infinity", out, at);
        }
        if (bits < 0) {
            out[at++] = '-';
        }
        if (bq != 0) {
            int mq = -Q_MIN + 1 - bq;
            long c = C_MIN | t;
            if (0 < mq && mq < P) {
                long f = c >> mq;
                if (f << mq == c) { // a whole number below 2^53: its own digits
                    return text(f, 0, out, at);
                }
            }
            return shortest(-mq, c, 0, out, at);
        }
        if (t != 0) {
            return t < C_TINY ? shortest(Q_MIN, 10 * t, -1, out, at) : shortest(Q_MIN, t, 0, out, at);
        }
        return ascii("0.0", out, at);
    }

    /** The shortest decimal in the rounding interval of {@code c * 2^q}, written. */
    private static int shortest(int q, long c, int dk, byte[] out, int at) {
        long odd = c & 1; // with round-half-even reading, an odd c's interval excludes its ends
        long cb = c << 2;
        long cbr = cb + 2;
        long cbl;
        int k;
        if (c != C_MIN || q == Q_MIN) {
            cbl = cb - 2;
            k = flog10pow2(q);
        } else { // at a power of two the interval below is half as wide
            cbl = cb - 1;
            k = flog10ThreeQuartersPow2(q);
        }
        int h = q + flog2pow10(-k) + 2;
        int i = 2 * (-k + K_MAX);
        long g1 = G[i];
        long g0 = G[i + 1];
        long vb = scaled(g1, g0, cb << h);
        long vbl = scaled(g1, g0, cbl << h);
        long vbr = scaled(g1, g0, cbr << h);
        long s = vb >> 2;
        if (s >= 100) {
            long sp10 = 10 * Math.multiplyHigh(s, 115_292_150_460_684_698L << 4); // 10 * (s / 10)
            long tp10 = sp10 + 10;
            boolean upin = vbl + odd <= sp10 << 2;
            boolean wpin = (tp10 << 2) + odd <= vbr;
            if (upin != wpin) {
                return text(upin ? sp10 : tp10, k, out, at);
            }
        }
        long s1 = s + 1;
        boolean uin = vbl + odd <= s << 2;
        boolean win = (s1 << 2) + odd <= vbr;
        if (uin != win) {
            return text(uin ? s : s1, k + dk, out, at);
        }
        long cmp = vb - ((s + s1) << 1); // both in: the nearer, ties to even
        return text(cmp < 0 || cmp == 0 && (s & 1) == 0 ? s : s1, k + dk, out, at);
    }

    /** {@code g * cp / 2^127}, rounded to odd: the last bit says whether anything was dropped. */
    private static long scaled(long g1, long g0, long cp) {
        long x1 = Math.multiplyHigh(g0, cp);
        long y0 = g1 * cp;
        long y1 = Math.multiplyHigh(g1, cp);
        long z = (y0 >>> 1) + x1;
        long vbp = y1 + (z >>> 63);
        return vbp | (((z & MASK_63) + MASK_63) >>> 63);
    }

    /** Writes {@code f * 10^e} (f > 0) the way {@code Double.toString} lays it out. */
    private static int text(long f, int e, byte[] out, int at) {
        while (f % 10 == 0) {
            f /= 10;
            e++;
        }
        int n = 1;
        while (n < 18 && f >= POW10[n]) {
            n++;
        }
        int point = e + n; // the value is 0.<digits> * 10^point
        if (point > 0 && point <= 7) {
            if (n <= point) { // whole: digits, zeros, ".0"
                at = digits(f, n, out, at);
                for (int z = n; z < point; z++) {
                    out[at++] = '0';
                }
                out[at++] = '.';
                out[at++] = '0';
                return at;
            }
            return digitsWithPoint(f, n, point, out, at);
        }
        if (point <= 0 && point > -3) {
            out[at++] = '0';
            out[at++] = '.';
            for (int z = point; z < 0; z++) {
                out[at++] = '0';
            }
            return digits(f, n, out, at);
        }
        if (n == 1) {
            out[at++] = (byte) ('0' + f);
            out[at++] = '.';
            out[at++] = '0';
        } else {
            at = digitsWithPoint(f, n, 1, out, at);
        }
        out[at++] = 'E';
        int x = point - 1;
        if (x < 0) {
            out[at++] = '-';
            x = -x;
        }
        if (x >= 100) {
            out[at++] = (byte) ('0' + x / 100);
            x %= 100;
            out[at++] = (byte) ('0' + x / 10);
        } else if (x >= 10) {
            out[at++] = (byte) ('0' + x / 10);
        }
        out[at++] = (byte) ('0' + x % 10);
        return at;
    }

    private static int digits(long f, int n, byte[] out, int at) {
        for (int i = at + n - 1; i >= at; i--) {
            out[i] = (byte) ('0' + f % 10);
            f /= 10;
        }
        return at + n;
    }

    /** The n digits of f with a point after the first {@code whole} of them (0 < whole < n). */
    private static int digitsWithPoint(long f, int n, int whole, byte[] out, int at) {
        int end = at + n + 1;
        for (int i = end - 1; i > at + whole; i--) {
            out[i] = (byte) ('0' + f % 10);
            f /= 10;
        }
        out[at + whole] = '.';
        for (int i = at + whole - 1; i >= at; i--) {
            out[i] = (byte) ('0' + f % 10);
            f /= 10;
        }
        return end;
    }

    private static int ascii(String s, byte[] out, int at) {
        for (int i = 0; i < s.length(); i++) {
            out[at++] = (byte) s.charAt(i);
        }
        return at;
    }

    /** floor(q * log10(2)); DoubleTextTest checks it for every exponent a double has. */
    static int flog10pow2(int q) {
        return (int) ((q * 661_971_961_083L) >> 41);
    }

    /** floor(log10(3/4 * 2^q)); checked the same way. */
    static int flog10ThreeQuartersPow2(int q) {
        return (int) ((q * 661_971_961_083L - 274_743_187_321L) >> 41);
    }

    /** floor(e * log2(10)); checked for every power of ten the table holds. */
    static int flog2pow10(int e) {
        return (int) ((e * 913_124_641_741L) >> 38);
    }
}
