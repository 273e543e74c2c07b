package io.sluice.codec.prometheus;

import org.xerial.snappy.Snappy;

import java.io.IOException;
import java.util.Arrays;

/**
 * Decodes a snappy <em>block</em> (the format remote write mandates: "the block format MUST be
 * used -- the framed format MUST NOT be used", remote write 2.0 spec, "Protocol"), bounded by a
 * limit checked against the length the block declares before anything is decoded, so a small body
 * claiming gigabytes costs nothing. Keeps one output buffer, grown as needed and reused: one
 * instance per thread.
 *
 * <p>Failures are values: {@link #decode} returns a negative code and {@link #reason()} says why.
 */
public final class SnappyBlock {
    /** The block is not snappy, or is truncated or corrupt. */
    public static final int CORRUPT = -1;
    /** The declared length is over the limit. */
    public static final int TOO_LARGE = -2;

    private byte[] out = new byte[64 * 1024];
    private String reason;
    private long declared;

    /**
     * Decodes {@code in[off, off+len)} into {@link #output()}.
     *
     * @param max the longest output accepted (the server's {@code max_body_bytes})
     * @return the decoded length, or {@link #CORRUPT} or {@link #TOO_LARGE}
     */
    public int decode(byte[] in, int off, int len, int max) {
        reason = null;
        declared = declaredLength(in, off, len);
        if (declared < 0) {
            return corrupt("not a snappy block: its length header is missing or malformed");
        }
        if (declared > max) {
            reason = "snappy block declares " + declared + " bytes decoded, over the limit of " + max;
            return TOO_LARGE;
        }
        int n = (int) declared;
        if (out.length < n) {
            out = new byte[Math.max(n, Math.min(max, out.length * 2))];
        }
        try {
            if (!Snappy.isValidCompressedBuffer(in, off, len)) {
                return corrupt("corrupt snappy block (is it the framed format? remote write uses the block format)");
            }
            int got = Snappy.uncompress(in, off, len, out, 0);
            if (got != n) {
                return corrupt("snappy block decoded to " + got + " bytes, not the " + n + " it declares");
            }
            return got;
        } catch (IOException | RuntimeException e) {
            return corrupt("corrupt snappy block: " + e.getMessage());
        }
    }

    /** The decoded bytes of the last successful {@link #decode}, from index 0. */
    public byte[] output() {
        return out;
    }

    /** Why the last {@link #decode} failed, or null. */
    public String reason() {
        return reason;
    }

    /** Drops a buffer grown past {@code keep} bytes (after an unusually large body). */
    public void trim(int keep) {
        if (out.length > keep) {
            out = Arrays.copyOf(out, keep);
        }
    }

    private int corrupt(String why) {
        reason = why;
        return CORRUPT;
    }

    /**
     * The preamble: the uncompressed length as a little-endian varint of at most 32 bits
     * (snappy's format_description.txt, section 1).
     *
     * @return the length, or -1 when the varint is missing, longer than five bytes or over 2^32-1
     */
    static long declaredLength(byte[] b, int off, int len) {
        long v = 0;
        for (int i = 0; i < 5 && i < len; i++) {
            int x = b[off + i] & 0xFF;
            v |= (long) (x & 0x7F) << (7 * i);
            if ((x & 0x80) == 0) {
                return v > 0xFFFF_FFFFL ? -1 : v;
            }
        }
        return -1;
    }
}
