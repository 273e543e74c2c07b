package io.sluice.codec.influxql;

import java.util.ArrayList;
import java.util.List;

/** Splits an InfluxQL query into {@link Token}s (InfluxQL reference, "Lexical elements"). */
final class Lexer {
    private static final int MAX_QUERY = 64 * 1024;

    private final String q;
    private int p;
    private final List<Token> out = new ArrayList<>();

    private Lexer(String q) {
        this.q = q;
    }

    static List<Token> tokens(String query) throws InfluxQLException {
        if (query.length() > MAX_QUERY) {
            throw InfluxQLException.unsupported("a query longer than " + MAX_QUERY + " characters");
        }
        Lexer l = new Lexer(query);
        l.run();
        return l.out;
    }

    private void run() throws InfluxQLException {
        while (true) {
            skipSpaceAndComments();
            if (p >= q.length()) {
                out.add(new Token(Token.Kind.EOF, "", p + 1));
                return;
            }
            int start = p;
            char c = q.charAt(p);
            if (c == '"') {
                out.add(new Token(Token.Kind.IDENT, quoted('"'), start + 1, true));
            } else if (c == '\'') {
                out.add(new Token(Token.Kind.STRING, quoted('\''), start + 1));
            } else if (c == '/' && afterRegexOperator()) {
                out.add(new Token(Token.Kind.REGEX, regex(), start + 1));
            } else if (Character.isDigit(c) || (c == '.' && p + 1 < q.length() && Character.isDigit(q.charAt(p + 1)))) {
                number(start);
            } else if (Character.isLetter(c) || c == '_') {
                while (p < q.length() && (Character.isLetterOrDigit(q.charAt(p)) || q.charAt(p) == '_')) {
                    p++;
                }
                out.add(new Token(Token.Kind.IDENT, q.substring(start, p), start + 1));
            } else {
                out.add(new Token(Token.Kind.SYMBOL, symbol(), start + 1));
            }
        }
    }

    private void skipSpaceAndComments() {
        while (p < q.length()) {
            char c = q.charAt(p);
            if (Character.isWhitespace(c)) {
                p++;
            } else if (q.startsWith("--", p)) {
                while (p < q.length() && q.charAt(p) != '\n') {
                    p++;
                }
            } else if (q.startsWith("/*", p)) {
                int end = q.indexOf("*/", p + 2);
                p = end < 0 ? q.length() : end + 2;
            } else {
                return;
            }
        }
    }

    private boolean afterRegexOperator() {
        if (out.isEmpty()) {
            return false;
        }
        Token last = out.get(out.size() - 1);
        return last.isSymbol("=~") || last.isSymbol("!~");
    }

    /** A quoted identifier or string: a backslash escapes the next character. */
    private String quoted(char quote) throws InfluxQLException {
        int start = p++;
        StringBuilder s = new StringBuilder();
        while (p < q.length()) {
            char c = q.charAt(p++);
            if (c == quote) {
                return s.toString();
            }
            if (c == '\\' && p < q.length()) {
                char e = q.charAt(p++);
                s.append(switch (e) {
                    case 'n' -> '\n';
                    case 't' -> '\t';
                    default -> e;
                });
            } else if (c == '\n') {
                break;
            } else {
                s.append(c);
            }
        }
        throw InfluxQLException.parse(quote == '"' ? "unterminated identifier" : "unterminated string",
                "a closing " + quote, start + 1);
    }

    /** A regex literal; {@code \/} is a slash, other escapes are the regex's own. */
    private String regex() throws InfluxQLException {
        int start = p++;
        StringBuilder s = new StringBuilder();
        while (p < q.length()) {
            char c = q.charAt(p++);
            if (c == '/') {
                return s.toString();
            }
            if (c == '\\' && p < q.length() && q.charAt(p) == '/') {
                s.append('/');
                p++;
            } else {
                s.append(c);
            }
        }
        throw InfluxQLException.parse("unterminated regex", "a closing /", start + 1);
    }

    private void number(int start) {
        while (p < q.length() && (Character.isDigit(q.charAt(p)) || q.charAt(p) == '.')) {
            p++;
        }
        int unitStart = p;
        if (q.startsWith("ns", p) || q.startsWith("ms", p)) {
            p += 2;
        } else if (p < q.length() && "uµsmhdw".indexOf(q.charAt(p)) >= 0) {
            p++;
        }
        if (p > unitStart && (p >= q.length() || !(Character.isLetterOrDigit(q.charAt(p)) || q.charAt(p) == '_'))) {
            out.add(new Token(Token.Kind.DURATION, q.substring(start, p), start + 1));
            return;
        }
        p = unitStart;
        out.add(new Token(Token.Kind.NUMBER, q.substring(start, p), start + 1));
    }

    private String symbol() {
        for (String s : new String[]{"!=", "<>", "<=", ">=", "=~", "!~", "::"}) {
            if (q.startsWith(s, p)) {
                p += 2;
                return s;
            }
        }
        return String.valueOf(q.charAt(p++));
    }
}
