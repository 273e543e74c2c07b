package io.sluice.codec;

import java.nio.charset.StandardCharsets;

/**
 * A parse failure as a value: where it happened and why. Parsers never throw for bad input.
 *
 * @param line     1-based line number (for JSON, the 1-based index of the element in its array)
 * @param position 1-based byte column within the line where the problem was found
 * @param reason   a short sentence saying what was wrong
 * @param text     the offending line or element, cut to {@link #MAX_TEXT} characters
 */
public record ParseError(int line, int position, String reason, String text) {
    public static final int MAX_TEXT = 200;

    /**
     * The text of {@code buf[off, off+len)} as UTF-8, cut to {@link #MAX_TEXT} characters. Only the
     * bytes that can show up are decoded, so a huge line costs no more than a short one, and a cut
     * never splits a character (a partial sequence at the cut is dropped, not shown as U+FFFD).
     */
    public static String excerpt(byte[] buf, int off, int len) {
        int n = Math.min(len, MAX_TEXT * 4);
        if (n < len) {
            // Back off to a character boundary: continuation bytes are 10xxxxxx.
            while (n > 0 && (buf[off + n] & 0xC0) == 0x80) {
                n--;
            }
        }
        String s = new String(buf, off, n, StandardCharsets.UTF_8);
        if (s.length() <= MAX_TEXT) {
            return s;
        }
        int cut = MAX_TEXT;
        if (Character.isHighSurrogate(s.charAt(cut - 1))) {
            cut--;
        }
        return s.substring(0, cut);
    }

    @Override
    public String toString() {
        return "line " + line + ", position " + position + ": " + reason
                + (text == null || text.isEmpty() ? "" : " (" + text + ")");
    }
}
