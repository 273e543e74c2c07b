package io.sluice.codec;

import java.util.Arrays;

/**
 * Cuts a byte stream (a TCP connection) into whole lines for a line-based parser, carrying a
 * partial line from one read to the next. Whole lines inside a read go to the parser straight
 * from the read's buffer, several at a time; only a line split across reads is copied. A line
 * longer than the limit is reported once and skipped up to its newline, so a client that never
 * sends one cannot make the carry grow. One per connection; not thread-safe.
 */
public final class LineFramer {
    /** Where the lines go. */
    public interface Lines {
        /** One or more whole lines, {@code buf[off, off+len)}, each ending with '\n' but perhaps the last. */
        void lines(byte[] buf, int off, int len);

        /** A line of {@code length} bytes or more was skipped: it passed the limit. */
        void tooLong(int length);
    }

    private final int maxLine;
    private byte[] carry = new byte[256];
    private int carryLen;
    /** Skipping the rest of a line that passed the limit; its length so far. */
    private boolean skipping;
    private int skipped;

    /** @param maxLine longest line in bytes, its newline not counted */
    public LineFramer(int maxLine) {
        if (maxLine < 1) {
            throw new IllegalArgumentException("maxLine must be at least 1, got " + maxLine);
        }
        this.maxLine = maxLine;
    }

    /** Feeds what one read brought. */
    public void feed(byte[] buf, int off, int len, Lines out) {
        int end = off + len;
        int p = off;
        if (skipping || carryLen > 0) {
            int nl = indexOf(buf, p, end);
            if (nl < 0) {
                hold(buf, p, end, out);
                return;
            }
            hold(buf, p, nl + 1, out);
            p = nl + 1;
            if (skipping) {
                skipping = false;
            } else {
                out.lines(carry, 0, carryLen);
            }
            carryLen = 0;
        }
        int last = lastIndexOf(buf, p, end);
        if (last >= 0) {
            // Lines passed on whole may be long ones: the parser applies the same limit to each.
            out.lines(buf, p, last + 1 - p);
            p = last + 1;
        }
        hold(buf, p, end, out);
    }

    /** The stream ended: a last line without a newline is still a line. */
    public void finish(Lines out) {
        if (carryLen > 0 && !skipping) {
            out.lines(carry, 0, carryLen);
        }
        carryLen = 0;
        skipping = false;
    }

    /** Bytes of a partial line held now. */
    public int held() {
        return carryLen;
    }

    /** Keeps {@code buf[s, e)}, part of a line not yet ended, unless the line is past the limit. */
    private void hold(byte[] buf, int s, int e, Lines out) {
        int n = e - s;
        if (skipping) {
            skipped += n;
            return;
        }
        int lineLen = carryLen + n - (n > 0 && buf[e - 1] == '\n' ? 1 : 0);
        if (lineLen > maxLine) {
            skipping = true;
            skipped = carryLen + n;
            carryLen = 0;
            out.tooLong(skipped);
            return;
        }
        if (carryLen + n > carry.length) {
            carry = Arrays.copyOf(carry, Math.max(carry.length * 2, carryLen + n));
        }
        System.arraycopy(buf, s, carry, carryLen, n);
        carryLen += n;
    }

    private static int indexOf(byte[] b, int s, int e) {
        for (int i = s; i < e; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static int lastIndexOf(byte[] b, int s, int e) {
        for (int i = e - 1; i >= s; i--) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
