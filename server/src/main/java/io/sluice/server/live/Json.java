package io.sluice.server.live;

import io.netty.buffer.ByteBuf;

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

    static void number(ByteBuf b, double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            ascii(b, Long.toString((long) v));
        } else {
            ascii(b, Double.toString(v));
        }
    }

    /** Epoch milliseconds, with a fraction when the time has microseconds. */
    static void millis(ByteBuf b, long micros) {
        if (micros % 1000 == 0) {
            ascii(b, Long.toString(micros / 1000));
        } else {
            ascii(b, Double.toString(micros / 1000.0));
        }
    }

    static void rfc3339(ByteBuf b, long micros) {
        string(b, Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000).toString());
    }
}
