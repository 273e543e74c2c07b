package io.sluice.storage.log;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Short random ids that tie an answer to the log line holding its details: a client sees a stable
 * message and the id, the operator greps the log for the id (README "Answers").
 */
public final class ErrorIds {
    private ErrorIds() {
    }

    /** Twelve lowercase hex digits (48 random bits). */
    public static String next() {
        long v = ThreadLocalRandom.current().nextLong() & 0xFFFF_FFFF_FFFFL;
        String hex = Long.toHexString(v);
        return "0".repeat(12 - hex.length()) + hex;
    }
}
