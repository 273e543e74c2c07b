package io.sluice.server.live;

import io.netty.buffer.ByteBuf;
import io.sluice.codec.DoubleText;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** Small JSON writing helpers straight into a ByteBuf: fan-out encodes without Jackson trees. */
final class Json {
    private Json() {
    }

    static void string(ByteBuf b, String s) {
        b.writeByte('"');
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\' || c < 0x20) {
                b.writeCharSequence(s.substring(start, i), StandardCharsets.UTF_8);
                switch (c) {
                    case '"' -> b.writeCharSequence("\\\"", StandardCharsets.US_ASCII);
                    case '\\' -> b.writeCharSequence("\\\\", StandardCharsets.US_ASCII);
                    case '\n' -> b.writeCharSequence("\\n", StandardCharsets.US_ASCII);
                    default -> b.writeCharSequence(String.format("\\u%04x", (int) c), StandardCharsets.US_ASCII);
                }
                start = i + 1;
            }
        }
        b.writeCharSequence(s.substring(start), StandardCharsets.UTF_8);
        b.writeByte('"');
    }

    static void ascii(ByteBuf b, String s) {
        b.writeCharSequence(s, StandardCharsets.US_ASCII);
    }

    private static final ThreadLocal<byte[]> DIGITS = ThreadLocal.withInitial(() -> new byte[DoubleText.MAX_LENGTH]);

    /** Whole values (most counters, timings in ms) as integers; the rest as their shortest decimal. Neither makes a String. */
    static void number(ByteBuf b, double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            integer(b, (long) v);
        } else {
            byte[] digits = DIGITS.get();
            b.writeBytes(digits, 0, DoubleText.write(v, digits, 0));
        }
    }

    /** Epoch milliseconds, with a decimal fraction (no exponent) when the time has microseconds. */
    static void millis(ByteBuf b, long micros) {
        long ms = Math.floorDiv(micros, 1000);
        int frac = (int) Math.floorMod(micros, 1000);
        if (frac != 0 && ms < 0) {
            ascii(b, java.math.BigDecimal.valueOf(micros, 3).stripTrailingZeros().toPlainString());
            return;
        }
        integer(b, ms);
        if (frac != 0) {
            b.writeByte('.');
            b.writeByte('0' + frac / 100);
            if (frac % 100 != 0) {
                b.writeByte('0' + frac / 10 % 10);
                if (frac % 10 != 0) {
                    b.writeByte('0' + frac % 10);
                }
            }
        }
    }

    /** A long in decimal, digits written straight into the buffer. */
    static void integer(ByteBuf b, long v) {
        if (v < 0) {
            if (v == Long.MIN_VALUE) {
                ascii(b, "-9223372036854775808");
                return;
            }
            b.writeByte('-');
            v = -v;
        }
        int len = 1;
        for (long t = v; t >= 10; t /= 10) {
            len++;
        }
        b.ensureWritable(len);
        int start = b.writerIndex();
        for (int i = start + len - 1; i >= start; i--) {
            b.setByte(i, (int) ('0' + v % 10));
            v /= 10;
        }
        b.writerIndex(start + len);
    }

    static void rfc3339(ByteBuf b, long micros) {
        string(b, Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000).toString());
    }
}
