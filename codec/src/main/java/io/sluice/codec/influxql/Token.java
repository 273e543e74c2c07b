package io.sluice.codec.influxql;

/**
 * One InfluxQL token (InfluxQL reference, "Lexical elements"): its kind, its text (identifiers
 * and strings unquoted and unescaped), its 1-based character position in the query, and whether
 * it was double-quoted (a quoted identifier is never a keyword).
 */
record Token(Kind kind, String text, int position, boolean quoted) {
    enum Kind {
        /** A bare or double-quoted identifier; keywords are bare identifiers, compared in any case. */
        IDENT,
        /** A single-quoted string. */
        STRING,
        /** An integer or a decimal number. */
        NUMBER,
        /** An integer followed by a unit: {@code 1h}, {@code 1700000000000ms}. */
        DURATION,
        /** A regular expression between slashes, after {@code =~} or {@code !~}. */
        REGEX,
        /** An operator or punctuation: {@code = != <> < <= > >= =~ !~ + - * / ( ) , ; .} */
        SYMBOL,
        EOF
    }

    Token(Kind kind, String text, int position) {
        this(kind, text, position, false);
    }

    /** Whether this is the keyword {@code word}. */
    boolean is(String word) {
        return kind == Kind.IDENT && !quoted && text.equalsIgnoreCase(word);
    }

    boolean isSymbol(String s) {
        return kind == Kind.SYMBOL && text.equals(s);
    }

    /** How an error names this token ("found FROM"). */
    String describe() {
        return switch (kind) {
            case EOF -> "EOF";
            case STRING -> "'" + text + "'";
            case REGEX -> "/" + text + "/";
            default -> quoted ? "\"" + text + "\"" : text;
        };
    }
}
