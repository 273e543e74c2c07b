package io.sluice.codec.influxql;

import io.sluice.codec.influxql.Statement.Field;
import io.sluice.codec.influxql.Statement.Fill;
import io.sluice.codec.influxql.Statement.TagCondition;
import io.sluice.codec.influxql.Token.Kind;

import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Parses the InfluxQL subset Sluice answers (grammar in {@code package-info.java}) into
 * {@link Statement}s. Relative times ({@code now() - 1h}) are resolved against the {@code now}
 * given, so a statement holds absolute microseconds. Pure: no I/O, no state between calls.
 */
public final class InfluxQLParser {
    /** Aggregates the subset maps onto Sluice's own (InfluxQL name: mean is avg). */
    public static final Set<String> FUNCTIONS = Set.of("mean", "min", "max", "sum", "count", "last", "first");
    private static final int MAX_REGEX = 256;

    private final List<Token> t;
    private final long nowMicros;
    private int i;

    private InfluxQLParser(List<Token> tokens, long nowMicros) {
        this.t = tokens;
        this.nowMicros = nowMicros;
    }

    /** Parses {@code q}, statements separated by {@code ;}. */
    public static List<Statement> parse(String q, long nowMicros) throws InfluxQLException {
        InfluxQLParser p = new InfluxQLParser(Lexer.tokens(q), nowMicros);
        List<Statement> out = new ArrayList<>();
        while (true) {
            while (p.peek().isSymbol(";")) {
                p.i++;
            }
            if (p.peek().kind() == Kind.EOF) {
                break;
            }
            out.add(p.statement());
            if (!p.peek().isSymbol(";") && p.peek().kind() != Kind.EOF) {
                throw p.expected(";");
            }
        }
        if (out.isEmpty()) {
            throw InfluxQLException.parse("EOF", "a statement", 1);
        }
        return out;
    }

    private Statement statement() throws InfluxQLException {
        Token first = next();
        if (first.is("SELECT")) {
            return select();
        }
        if (first.is("SHOW")) {
            return show();
        }
        if (first.is("CREATE") || first.is("DROP") || first.is("ALTER")) {
            return ddl(first.text().toUpperCase(Locale.ROOT));
        }
        if (first.is("DELETE") || first.is("GRANT") || first.is("REVOKE") || first.is("KILL") || first.is("SET")
                || first.is("EXPLAIN")) {
            throw InfluxQLException.unsupported(first.text().toUpperCase(Locale.ROOT) + " statements");
        }
        throw InfluxQLException.parse(first.describe(), "SELECT, DELETE, SHOW, CREATE, DROP, EXPLAIN, GRANT, REVOKE,"
                + " ALTER, SET, KILL", first.position());
    }

    /** DDL clients send at start-up: accepted, no effect; the rest of the statement is checked loosely. */
    private Statement ddl(String verb) throws InfluxQLException {
        Token what = next();
        if (what.is("DATABASE") && !verb.equals("ALTER")) {
            String name = identifier();
            skipRest();
            return new Statement.NoOp(verb + " DATABASE", name);
        }
        if (what.is("RETENTION")) {
            keyword("POLICY");
            identifier();
            keyword("ON");
            String db = identifier();
            skipRest();
            return new Statement.NoOp(verb + " RETENTION POLICY", db);
        }
        if (what.kind() == Kind.IDENT && !what.quoted()) {
            throw InfluxQLException.unsupported(verb + " " + what.text().toUpperCase(Locale.ROOT));
        }
        throw InfluxQLException.parse(what.describe(), "DATABASE or RETENTION", what.position());
    }

    private void skipRest() {
        while (!peek().isSymbol(";") && peek().kind() != Kind.EOF) {
            i++;
        }
    }

    private Statement show() throws InfluxQLException {
        Token what = next();
        if (what.is("DATABASES")) {
            return new Statement.ShowDatabases();
        }
        if (what.is("RETENTION")) {
            keyword("POLICIES");
            return new Statement.ShowRetentionPolicies(optionalOn());
        }
        if (what.is("MEASUREMENTS")) {
            optionalOn();
            String exact = null;
            Pattern regex = null;
            if (accept("WITH")) {
                keyword("MEASUREMENT");
                Token op = next();
                if (op.isSymbol("=")) {
                    exact = identifier();
                } else if (op.isSymbol("=~")) {
                    regex = regex();
                } else {
                    throw InfluxQLException.parse(op.describe(), "= or =~", op.position());
                }
            }
            List<TagCondition> where = optionalWhere();
            int[] lo = limitOffset();
            return new Statement.ShowMeasurements(exact, regex, where, lo[0], lo[1]);
        }
        if (what.is("TAG")) {
            Token kind = next();
            if (kind.is("KEYS")) {
                optionalOn();
                String m = optionalFrom();
                List<TagCondition> where = optionalWhere();
                int[] lo = limitOffset();
                return new Statement.ShowTagKeys(m, where, lo[0], lo[1]);
            }
            if (kind.is("VALUES")) {
                return tagValues();
            }
            throw InfluxQLException.parse(kind.describe(), "KEYS or VALUES", kind.position());
        }
        if (what.is("FIELD")) {
            keyword("KEYS");
            optionalOn();
            return new Statement.ShowFieldKeys(optionalFrom());
        }
        if (what.kind() == Kind.IDENT && !what.quoted()) {
            throw InfluxQLException.unsupported("SHOW " + what.text().toUpperCase(Locale.ROOT));
        }
        throw InfluxQLException.parse(what.describe(), "DATABASES, MEASUREMENTS, TAG, FIELD, RETENTION", what.position());
    }

    private Statement tagValues() throws InfluxQLException {
        optionalOn();
        String m = optionalFrom();
        keyword("WITH");
        keyword("KEY");
        List<String> keys = new ArrayList<>();
        Pattern keyRegex = null;
        Token op = next();
        if (op.isSymbol("=")) {
            keys.add(identifier());
        } else if (op.isSymbol("=~")) {
            keyRegex = regex();
        } else if (op.is("IN")) {
            symbol("(");
            keys.add(identifier());
            while (accept(",")) {
                keys.add(identifier());
            }
            symbol(")");
        } else if (op.isSymbol("!=") || op.isSymbol("<>") || op.isSymbol("!~")) {
            throw InfluxQLException.unsupported("WITH KEY " + op.text());
        } else {
            throw InfluxQLException.parse(op.describe(), "=, =~ or IN", op.position());
        }
        List<TagCondition> where = optionalWhere();
        int[] lo = limitOffset();
        return new Statement.ShowTagValues(m, List.copyOf(keys), keyRegex, where, lo[0], lo[1]);
    }

    private Statement select() throws InfluxQLException {
        List<Field> fields = new ArrayList<>();
        do {
            fields.add(field());
        } while (accept(","));
        boolean aggregated = fields.get(0).function() != null;
        for (Field f : fields) {
            if ((f.function() != null) != aggregated) {
                throw new InfluxQLException("mixing aggregate and non-aggregate queries is not supported", false);
            }
        }
        if (peek().is("INTO")) {
            throw InfluxQLException.unsupported("SELECT ... INTO");
        }
        keyword("FROM");
        String measurement = measurement();
        if (peek().isSymbol(",")) {
            throw InfluxQLException.unsupported("more than one measurement in FROM");
        }
        List<TagCondition> where = new ArrayList<>();
        long[] range = {Long.MIN_VALUE, Long.MAX_VALUE};
        if (accept("WHERE")) {
            conditions(where, range);
        }
        long interval = 0;
        List<String> groupTags = new ArrayList<>();
        boolean groupAll = false;
        if (accept("GROUP")) {
            keyword("BY");
            do {
                if (peek().is("time") && peekAt(1).isSymbol("(")) {
                    i += 2;
                    interval = duration(next());
                    if (accept(",")) {
                        throw InfluxQLException.unsupported("an offset in GROUP BY time()");
                    }
                    symbol(")");
                } else if (peek().isSymbol("*")) {
                    i++;
                    groupAll = true;
                } else if (peek().kind() == Kind.REGEX || peek().isSymbol("/")) {
                    throw InfluxQLException.unsupported("GROUP BY a regex");
                } else {
                    groupTags.add(key());
                }
            } while (accept(","));
        }
        Fill fill = Fill.NULL;
        if (accept("fill")) {
            fill = fill();
        }
        boolean descending = false;
        if (accept("ORDER")) {
            keyword("BY");
            String by = identifier();
            if (!by.equalsIgnoreCase("time")) {
                throw InfluxQLException.unsupported("ORDER BY " + by + " (only time)");
            }
            if (accept("DESC")) {
                descending = true;
            } else {
                accept("ASC");
            }
        }
        int[] lo = limitOffset();
        if (lo[1] != 0) {
            throw InfluxQLException.unsupported("OFFSET in SELECT");
        }
        if (peek().is("SLIMIT") || peek().is("SOFFSET")) {
            throw InfluxQLException.unsupported(peek().text().toUpperCase(Locale.ROOT));
        }
        if (accept("tz")) {
            symbol("(");
            Token zone = next();
            symbol(")");
            if (zone.kind() != Kind.STRING || !(zone.text().equals("UTC") || zone.text().equals("Etc/UTC"))) {
                throw InfluxQLException.unsupported("tz(" + zone.describe() + "): answers are in UTC");
            }
        }
        boolean startGiven = range[0] != Long.MIN_VALUE;
        long end = range[1] == Long.MAX_VALUE ? nowMicros : range[1];
        long start = startGiven ? range[0] : Long.MIN_VALUE;
        if ((interval > 0 || aggregated) && !startGiven) {
            throw InfluxQLException.unsupported("an aggregate without a lower time bound (add WHERE time > now() - 1h)");
        }
        if (!aggregated && (interval > 0 || !groupTags.isEmpty())) {
            throw new InfluxQLException("GROUP BY requires at least one aggregate function", false);
        }
        return new Statement.Select(List.copyOf(fields), measurement, start, end, startGiven, List.copyOf(where),
                interval, List.copyOf(groupTags), groupAll, fill, lo[0], descending);
    }

    private Field field() throws InfluxQLException {
        if (accept("*")) {
            return new Field(null, "*", null);
        }
        Token name = peek();
        if (name.kind() == Kind.IDENT && !name.quoted() && peekAt(1).isSymbol("(")) {
            i += 2;
            String fn = name.text().toLowerCase(Locale.ROOT);
            if (!FUNCTIONS.contains(fn)) {
                throw InfluxQLException.unsupported("the function " + fn + "() (supported: " + String.join(", ",
                        new java.util.TreeSet<>(FUNCTIONS)) + ")");
            }
            String arg = accept("*") ? "*" : identifier();
            if (!peek().isSymbol(")")) {
                throw InfluxQLException.unsupported(fn + "() with more than a field name");
            }
            i++;
            return new Field(fn, arg, alias());
        }
        String f = key();
        if (peek().kind() == Kind.SYMBOL && "+-*/".contains(peek().text())) {
            throw InfluxQLException.unsupported("arithmetic in SELECT");
        }
        return new Field(null, f, alias());
    }

    private String alias() throws InfluxQLException {
        return accept("AS") ? identifier() : null;
    }

    /** {@code m}, {@code rp.m} or {@code db.rp.m}: the measurement is the last part. */
    private String measurement() throws InfluxQLException {
        if (peek().kind() == Kind.REGEX || peek().isSymbol("/")) {
            throw InfluxQLException.unsupported("FROM a regex");
        }
        if (peek().isSymbol("(")) {
            throw InfluxQLException.unsupported("subqueries");
        }
        String name = identifier();
        while (accept(".")) {
            name = peek().isSymbol(".") ? name : identifier();
        }
        return name;
    }

    /** Conditions joined by AND, parentheses allowed; time bounds go to {@code range}. */
    private void conditions(List<TagCondition> where, long[] range) throws InfluxQLException {
        condition(where, range);
        while (true) {
            if (accept("AND")) {
                condition(where, range);
            } else if (peek().is("OR")) {
                throw InfluxQLException.unsupported("OR in WHERE");
            } else {
                return;
            }
        }
    }

    private void condition(List<TagCondition> where, long[] range) throws InfluxQLException {
        if (accept("(")) {
            conditions(where, range);
            symbol(")");
            return;
        }
        Token lhs = peek();
        String key = key();
        Token op = next();
        if (lhs.is("time") || (lhs.quoted() && key.equals("time"))) {
            long at = time();
            switch (op.text()) {
                case ">" -> range[0] = Math.max(range[0], at + 1);
                case ">=" -> range[0] = Math.max(range[0], at);
                case "<" -> range[1] = Math.min(range[1], at);
                case "<=" -> range[1] = Math.min(range[1], at + 1);
                case "=" -> {
                    range[0] = Math.max(range[0], at);
                    range[1] = Math.min(range[1], at + 1);
                }
                default -> throw InfluxQLException.parse(op.describe(), "a time comparison (<, <=, >, >=, =)", op.position());
            }
            return;
        }
        if (op.isSymbol("=")) {
            Token v = next();
            if (v.kind() != Kind.STRING && v.kind() != Kind.NUMBER && !(v.kind() == Kind.IDENT && v.is("true"))
                    && !(v.kind() == Kind.IDENT && v.is("false"))) {
                throw InfluxQLException.parse(v.describe(), "a string", v.position());
            }
            if (v.kind() == Kind.NUMBER && key.equals("value")) {
                throw InfluxQLException.unsupported("conditions on field values");
            }
            where.add(new TagCondition(key, v.text()));
            return;
        }
        if (op.isSymbol("=~")) {
            Token r = next();
            if (r.kind() != Kind.REGEX) {
                throw InfluxQLException.parse(r.describe(), "a regex", r.position());
            }
            if (r.text().equals(".*") || r.text().equals("^.*$") || r.text().isEmpty()) {
                return; // matches every value: no condition
            }
            List<String> literals = anchoredLiterals(r.text());
            if (literals == null) {
                throw InfluxQLException.unsupported(key + " =~ /" + r.text() + "/ (only /^value$/, /^(a|b|...)$/ of"
                        + " literal values, and /.*/)");
            }
            where.add(new TagCondition(key, literals));
            return;
        }
        if (op.kind() == Kind.SYMBOL && Set.of("!=", "<>", "!~", "<", "<=", ">", ">=").contains(op.text())) {
            throw InfluxQLException.unsupported("the " + op.text() + " condition on " + key
                    + " (only = and =~ /^value$/ or /^(a|b|...)$/)");
        }
        throw InfluxQLException.parse(op.describe(), "=, =~, !=, <>, <, <=, >, >=", op.position());
    }

    /**
     * The values an anchored regex of literals matches, or null for any other regex: {@code ^web-01\.eu$}
     * (how Grafana writes a template variable with one value), {@code ^(a|b\.c)$} or
     * {@code ^(?:a|b)$} (several values: Grafana joins them escaped, in parentheses). A literal is
     * plain characters, or a backslash before a character that is not a letter or digit.
     */
    static List<String> anchoredLiterals(String regex) {
        if (regex.length() < 2 || regex.charAt(0) != '^' || regex.charAt(regex.length() - 1) != '$') {
            return null;
        }
        int from = 1;
        int to = regex.length() - 1;
        boolean group = to - from >= 2 && regex.charAt(from) == '(' && regex.charAt(to - 1) == ')'
                && regex.charAt(to - 2) != '\\';
        if (group) {
            from += regex.startsWith("(?:", 1) ? 3 : 1;
            to--;
        }
        List<String> values = new ArrayList<>();
        StringBuilder s = new StringBuilder();
        for (int k = from; k < to; k++) {
            char c = regex.charAt(k);
            if (c == '\\' && k + 1 < to && !Character.isLetterOrDigit(regex.charAt(k + 1))) {
                s.append(regex.charAt(++k));
            } else if (c == '|' && group) {
                values.add(s.toString());
                s.setLength(0);
            } else if (".[]()*+?{}|^$\\".indexOf(c) >= 0) {
                return null;
            } else {
                s.append(c);
            }
        }
        values.add(s.toString());
        return values.stream().distinct().toList();
    }

    /** {@code now()}, an epoch with a unit, nanoseconds, or a date string; then {@code ± duration}s. */
    private long time() throws InfluxQLException {
        Token a = next();
        long at;
        if (a.is("now") && accept("(")) {
            symbol(")");
            at = nowMicros;
        } else if (a.kind() == Kind.DURATION) {
            at = duration(a);
        } else if (a.kind() == Kind.NUMBER && !a.text().contains(".")) {
            at = Math.floorDiv(parseLong(a), 1000); // a bare integer is nanoseconds
        } else if (a.kind() == Kind.STRING) {
            at = date(a);
        } else {
            throw InfluxQLException.parse(a.describe(), "now(), a time or a duration", a.position());
        }
        while (peek().isSymbol("+") || peek().isSymbol("-")) {
            boolean minus = next().isSymbol("-");
            Token d = next();
            if (d.kind() != Kind.DURATION) {
                throw InfluxQLException.parse(d.describe(), "a duration", d.position());
            }
            at = minus ? at - duration(d) : at + duration(d);
        }
        return at;
    }

    private static long date(Token s) throws InfluxQLException {
        String v = s.text().trim();
        try {
            OffsetDateTime t = OffsetDateTime.parse(v);
            return t.toEpochSecond() * 1_000_000 + t.getNano() / 1000;
        } catch (DateTimeParseException e) {
            try {
                LocalDateTime t = LocalDateTime.parse(v.replace(' ', 'T'));
                return t.toEpochSecond(ZoneOffset.UTC) * 1_000_000 + t.getNano() / 1000;
            } catch (DateTimeParseException e2) {
                try {
                    return java.time.LocalDate.parse(v).toEpochDay() * 86_400_000_000L;
                } catch (DateTimeParseException e3) {
                    throw InfluxQLException.parse(s.describe(), "an RFC 3339 time", s.position());
                }
            }
        }
    }

    /** A duration literal in microseconds (nanoseconds rounded down). */
    static long duration(Token d) throws InfluxQLException {
        if (d.kind() != Kind.DURATION) {
            throw InfluxQLException.parse(d.describe(), "a duration", d.position());
        }
        String s = d.text();
        int u = 0;
        while (u < s.length() && Character.isDigit(s.charAt(u))) {
            u++;
        }
        if (u == 0 || s.indexOf('.') >= 0) {
            throw InfluxQLException.parse(d.describe(), "a duration", d.position());
        }
        long n;
        try {
            n = Long.parseLong(s.substring(0, u));
        } catch (NumberFormatException e) {
            throw InfluxQLException.parse(d.describe(), "a duration", d.position());
        }
        return switch (s.substring(u)) {
            case "ns" -> n / 1000;
            case "u", "µ" -> n;
            case "ms" -> Math.multiplyExact(n, 1000L);
            case "s" -> Math.multiplyExact(n, 1_000_000L);
            case "m" -> Math.multiplyExact(n, 60_000_000L);
            case "h" -> Math.multiplyExact(n, 3_600_000_000L);
            case "d" -> Math.multiplyExact(n, 86_400_000_000L);
            case "w" -> Math.multiplyExact(n, 604_800_000_000L);
            default -> throw InfluxQLException.parse(d.describe(), "a duration", d.position());
        };
    }

    private Fill fill() throws InfluxQLException {
        symbol("(");
        Token v = next();
        Fill f;
        if (v.is("none")) {
            f = new Fill(Fill.Kind.NONE, 0);
        } else if (v.is("null")) {
            f = Fill.NULL;
        } else if (v.is("previous")) {
            f = new Fill(Fill.Kind.PREVIOUS, 0);
        } else if (v.kind() == Kind.NUMBER) {
            f = new Fill(Fill.Kind.NUMBER, Double.parseDouble(v.text()));
        } else if (v.isSymbol("-") && peek().kind() == Kind.NUMBER) {
            f = new Fill(Fill.Kind.NUMBER, -Double.parseDouble(next().text()));
        } else if (v.is("linear")) {
            throw InfluxQLException.unsupported("fill(linear)");
        } else {
            throw InfluxQLException.parse(v.describe(), "none, null, previous, linear or a number", v.position());
        }
        symbol(")");
        return f;
    }

    private Pattern regex() throws InfluxQLException {
        Token r = next();
        if (r.kind() != Kind.REGEX) {
            throw InfluxQLException.parse(r.describe(), "a regex", r.position());
        }
        if (r.text().length() > MAX_REGEX) {
            throw InfluxQLException.unsupported("a regex longer than " + MAX_REGEX + " characters");
        }
        try {
            return Pattern.compile(r.text());
        } catch (PatternSyntaxException e) {
            throw new InfluxQLException("error parsing query: bad regex /" + r.text() + "/: " + e.getDescription(), false);
        }
    }

    /**
     * A SHOW statement's {@code WHERE}: tag conditions narrow what is listed (Grafana's query editor
     * sends the tags already chosen); a time condition is accepted and has no effect, since the
     * series catalogue keeps no times.
     */
    private List<TagCondition> optionalWhere() throws InfluxQLException {
        List<TagCondition> where = new ArrayList<>();
        if (accept("WHERE")) {
            conditions(where, new long[]{Long.MIN_VALUE, Long.MAX_VALUE});
        }
        return List.copyOf(where);
    }

    /**
     * A tag or field key, with the type hint InfluxQL allows after it ({@code "host"::tag}, which
     * Grafana writes when a name is both a tag and a field): Sluice's keys are tags, fields are metrics.
     */
    private String key() throws InfluxQLException {
        String k = identifier();
        if (accept("::")) {
            identifier();
        }
        return k;
    }

    private String optionalOn() throws InfluxQLException {
        return accept("ON") ? identifier() : null;
    }

    private String optionalFrom() throws InfluxQLException {
        return accept("FROM") ? measurement() : null;
    }

    private int[] limitOffset() throws InfluxQLException {
        int limit = 0;
        int offset = 0;
        if (accept("LIMIT")) {
            limit = nonNegative(next());
        }
        if (accept("OFFSET")) {
            offset = nonNegative(next());
        }
        return new int[]{limit, offset};
    }

    private static int nonNegative(Token n) throws InfluxQLException {
        if (n.kind() != Kind.NUMBER || n.text().contains(".")) {
            throw InfluxQLException.parse(n.describe(), "an integer", n.position());
        }
        long v = parseLong(n);
        return (int) Math.min(v, Integer.MAX_VALUE);
    }

    private static long parseLong(Token n) throws InfluxQLException {
        try {
            return Long.parseLong(n.text());
        } catch (NumberFormatException e) {
            throw InfluxQLException.parse(n.describe(), "an integer", n.position());
        }
    }

    private String identifier() throws InfluxQLException {
        Token n = next();
        if (n.kind() == Kind.IDENT) {
            return n.text();
        }
        throw InfluxQLException.parse(n.describe(), "identifier", n.position());
    }

    private void keyword(String word) throws InfluxQLException {
        Token n = next();
        if (!n.is(word)) {
            throw InfluxQLException.parse(n.describe(), word, n.position());
        }
    }

    private void symbol(String s) throws InfluxQLException {
        Token n = next();
        if (!n.isSymbol(s)) {
            throw InfluxQLException.parse(n.describe(), s, n.position());
        }
    }

    /** Consumes the keyword or symbol {@code s} if it is next. */
    private boolean accept(String s) {
        Token n = peek();
        if (n.is(s) || n.isSymbol(s)) {
            i++;
            return true;
        }
        return false;
    }

    private InfluxQLException expected(String what) {
        return InfluxQLException.parse(peek().describe(), what, peek().position());
    }

    private Token peek() {
        return t.get(Math.min(i, t.size() - 1));
    }

    private Token peekAt(int ahead) {
        return t.get(Math.min(i + ahead, t.size() - 1));
    }

    private Token next() {
        Token n = peek();
        if (i < t.size() - 1) {
            i++;
        }
        return n;
    }
}
