package io.sluice.codec;

/**
 * UUIDs in their canonical text form only (RFC 9562 §4: 8-4-4-4-12 hex digits), the form
 * PostgreSQL's {@code uuid} type accepts. {@code java.util.UUID.fromString} also takes shorter
 * groups ({@code a848255-...}), which the database then refuses.
 */
public final class Uuids {
    private Uuids() {
    }

    public static boolean isCanonical(CharSequence s) {
        if (s == null || s.length() != 36) {
            return false;
        }
        for (int i = 0; i < 36; i++) {
            char c = s.charAt(i);
            if (i == 8 || i == 13 || i == 18 || i == 23) {
                if (c != '-') {
                    return false;
                }
            } else if (Character.digit(c, 16) < 0 || c > 'f') {
                return false;
            }
        }
        return true;
    }
}
