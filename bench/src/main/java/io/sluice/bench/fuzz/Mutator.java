package io.sluice.bench.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

/**
 * Makes fuzz inputs from golden ones: a few byte-level edits (flips, deletions, duplications,
 * truncation, splices from another golden input) and tokens that have broken parsers before
 * (quotes, escapes, huge and non-finite numbers, NUL, lone surrogates, bad UTF-8, deep nesting,
 * long names); now and then plain random bytes. Deterministic for a given {@link Random}.
 */
public final class Mutator {
    private static final byte[] INTERESTING_BYTES = {
            '"', '\\', ',', '=', ' ', '\n', '\r', '\t', '{', '}', '[', ']', ':', '#', '|', '@', '0', '-', '.', 'e',
            'i', 'u', 't', 'f', 0, 0x7F, (byte) 0x80, (byte) 0xC0, (byte) 0xE2, (byte) 0xF0, (byte) 0xFF};
    private static final byte[][] TOKENS = tokens(
            "\"", "\\", "\\\"", "\\\\", "\\n", "1e309", "-1e309", "1e-400", "NaN", "Infinity", "-0",
            "9223372036854775807", "9223372036854775808", "9223372036854775808i", "18446744073709551616u",
            "-9223372036854775809i", "0.1e", "1_000", "0x10", "\\u0000", "\u0000", "\\ud800", "\"\\udfff\"",
            "\u00e9", "\ud83d\ude42", "null", "true", "false", "{}", "[]", ",,", "==", "  ", "\r\n", "\n\n",
            "\"samples\":", "\"metric\":", "\"value\":", "\"tags\":{", "\"time\":", "\"step\":", "\"metrics\":[",
            "2026-13-45T25:61:61Z", "1970-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999+14:00",
            "a".repeat(300), "[".repeat(40), "{\"a\":".repeat(40), ",t=v".repeat(70), "f=1,".repeat(1100),
            "|c", "|ms|@0.5", "|#a:b,c", "|g", "|s", "_e{1,1}:a|b", "_sc|x|0");

    private final Random random;

    public Mutator(Random random) {
        this.random = random;
    }

    private static byte[][] tokens(String... s) {
        byte[][] out = new byte[s.length + 1][];
        for (int i = 0; i < s.length; i++) {
            out[i] = s[i].getBytes(StandardCharsets.UTF_8);
        }
        out[s.length] = new byte[] {(byte) 0xC3, 0x28, (byte) 0xED, (byte) 0xA0, (byte) 0x80}; // bad UTF-8
        return out;
    }

    /** One to four edits of {@code golden}; {@code other} is a source of splices. */
    public byte[] mutate(byte[] golden, byte[] other) {
        if (random.nextInt(50) == 0) {
            return randomBytes();
        }
        byte[] b = golden;
        int edits = 1 + random.nextInt(4);
        for (int i = 0; i < edits; i++) {
            b = edit(b, other);
        }
        return b;
    }

    private byte[] edit(byte[] b, byte[] other) {
        int n = b.length;
        int at = n == 0 ? 0 : random.nextInt(n + 1);
        switch (random.nextInt(10)) {
            case 0 -> {
                if (n > 0) {
                    b = b.clone();
                    b[Math.min(at, n - 1)] ^= (byte) (1 << random.nextInt(8));
                }
            }
            case 1 -> {
                if (n > 0) {
                    b = b.clone();
                    b[Math.min(at, n - 1)] = INTERESTING_BYTES[random.nextInt(INTERESTING_BYTES.length)];
                }
            }
            case 2, 3 -> b = insert(b, at, TOKENS[random.nextInt(TOKENS.length)]);
            case 4 -> {
                int len = n - at == 0 ? 0 : 1 + random.nextInt(Math.min(16, n - at));
                b = concat(Arrays.copyOfRange(b, 0, at), Arrays.copyOfRange(b, at + len, n));
            }
            case 5 -> {
                int len = n - at == 0 ? 0 : 1 + random.nextInt(Math.min(32, n - at));
                b = insert(b, at, Arrays.copyOfRange(b, at, at + len));
            }
            case 6 -> b = Arrays.copyOf(b, at);
            case 7 -> {
                if (other.length > 0) {
                    int from = random.nextInt(other.length);
                    int len = 1 + random.nextInt(Math.min(64, other.length - from));
                    b = insert(b, at, Arrays.copyOfRange(other, from, from + len));
                }
            }
            case 8 -> b = insert(b, at, new byte[] {(byte) random.nextInt(256)});
            default -> {
                // A chunk repeated: long lines, many fields, big documents.
                int len = n - at == 0 ? 0 : 1 + random.nextInt(Math.min(24, n - at));
                byte[] chunk = Arrays.copyOfRange(b, at, at + len);
                ByteArrayOutputStream rep = new ByteArrayOutputStream();
                int times = 2 + random.nextInt(random.nextInt(64) == 0 ? 2000 : 20);
                for (int t = 0; t < times; t++) {
                    rep.writeBytes(chunk);
                }
                b = insert(b, at, rep.toByteArray());
            }
        }
        return b;
    }

    private byte[] randomBytes() {
        byte[] b = new byte[random.nextInt(200)];
        if (random.nextBoolean()) {
            random.nextBytes(b);
        } else {
            for (int i = 0; i < b.length; i++) {
                b[i] = INTERESTING_BYTES[random.nextInt(INTERESTING_BYTES.length)];
            }
        }
        return b;
    }

    static byte[] insert(byte[] b, int at, byte[] what) {
        byte[] out = new byte[b.length + what.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(what, 0, out, at, what.length);
        System.arraycopy(b, at, out, at + what.length, b.length - at);
        return out;
    }

    static byte[] concat(byte[] a, byte[] b) {
        return insert(a, a.length, b);
    }
}
