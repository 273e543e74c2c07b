package io.sluice.storage.query;

import java.util.Map;
import java.util.TreeMap;

/**
 * Which series a reader may see: those carrying every one of {@code required} tags (a tenant's
 * tags, README "Tenants"), or all of them. Every read of the {@code series} table takes its rows
 * from {@link #relation()}, so the filter is written once, here, and a new query cannot forget it
 * by building its own.
 */
public final class SeriesScope {
    public static final SeriesScope ALL = new SeriesScope(Map.of());

    private static final String QUOTE = "$sluice_scope$";

    private final Map<String, String> required;
    private final String relation;

    private SeriesScope(Map<String, String> required) {
        this.required = Map.copyOf(required);
        // Inlined as a constant, not a parameter, so that callers keep their own parameter order.
        // The tags come from the operator's token file; the constant is quoted below.
        this.relation = required.isEmpty() ? "series"
                : "(SELECT * FROM series WHERE tags @> " + literal(QueryService.json(new TreeMap<>(required))) + "::jsonb)";
    }

    /** The series carrying all of {@code tags}; no tags: every series. */
    public static SeriesScope of(Map<String, String> tags) {
        return tags.isEmpty() ? ALL : new SeriesScope(tags);
    }

    public Map<String, String> required() {
        return required;
    }

    public boolean unrestricted() {
        return required.isEmpty();
    }

    /** SQL for the relation to read series from: {@code series}, or a subquery of those in scope. */
    public String relation() {
        return relation;
    }

    /** Whether a series with these tags is in scope (for answers built from memory). */
    public boolean admits(Map<String, String> tags) {
        for (Map.Entry<String, String> e : required.entrySet()) {
            if (!e.getValue().equals(tags.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /**
     * A reader's tag filter with the scope's tags imposed: a filter asking for another tenant's
     * value gets this scope's instead, so it can only narrow what is visible, never widen it.
     */
    public Map<String, String> narrow(Map<String, String> filters) {
        if (required.isEmpty()) {
            return filters;
        }
        Map<String, String> out = new TreeMap<>(filters);
        out.putAll(required);
        return out;
    }

    /**
     * A dollar-quoted PostgreSQL string constant (its manual, section 4.1.2.4): nothing inside is
     * an escape, whatever {@code standard_conforming_strings} says, so only the closing tag itself
     * could end it early, and tags holding it are refused.
     */
    static String literal(String s) {
        if (s.contains(QUOTE)) {
            throw new IllegalArgumentException("tags cannot contain " + QUOTE);
        }
        return QUOTE + s + QUOTE;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SeriesScope other && required.equals(other.required);
    }

    @Override
    public int hashCode() {
        return required.hashCode();
    }

    @Override
    public String toString() {
        return required.isEmpty() ? "all series" : "series tagged " + new TreeMap<>(required);
    }
}
