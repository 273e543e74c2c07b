package io.sluice.codec;

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

    @Override
    public String toString() {
        return "line " + line + ", position " + position + ": " + reason
                + (text == null || text.isEmpty() ? "" : " (" + text + ")");
    }
}
