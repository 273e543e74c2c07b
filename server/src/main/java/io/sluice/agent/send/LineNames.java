package io.sluice.agent.send;

/**
 * A name as line protocol can carry it. The reference grammar has no escape for a control
 * character (0x00-0x1F, 0x7F, newline and tab among them) nor for a backslash before the
 * delimiter that follows a name, so {@code LineProtocolEncoder} refuses both: here each control
 * character becomes {@code _} and trailing backslashes are dropped ({@code C:\} is sent as
 * {@code C:}). What comes back may be empty.
 */
final class LineNames {
    private LineNames() {
    }

    /** The name itself (the same instance) when it needs no change. */
    static String clean(String name) {
        int end = name.length();
        while (end > 0 && name.charAt(end - 1) == '\\') {
            end--;
        }
        boolean control = false;
        for (int i = 0; i < end && !control; i++) {
            control = isControl(name.charAt(i));
        }
        if (!control) {
            return end == name.length() ? name : name.substring(0, end);
        }
        StringBuilder sb = new StringBuilder(end);
        for (int i = 0; i < end; i++) {
            char c = name.charAt(i);
            sb.append(isControl(c) ? '_' : c);
        }
        return sb.toString();
    }

    private static boolean isControl(char c) {
        return c < 0x20 || c == 0x7F;
    }
}
