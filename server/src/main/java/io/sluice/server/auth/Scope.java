package io.sluice.server.auth;

import java.util.Locale;

/**
 * What a route needs of a request's token (README "Tokens and scopes"). Every route declares one;
 * {@link #OPEN} routes answer anyone (health, readiness, the InfluxDB ping).
 */
public enum Scope {
    /** No token needed. */
    OPEN,
    /** Queries, live streams, Sluice's own metrics. */
    READ,
    /** Samples, metric metadata, server registration. */
    WRITE,
    /** Operator routes: the token list. */
    ADMIN;

    /** The name used in token files and answers: {@code read}, {@code write}, {@code admin}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** A scope a token may be granted, by its token-file name; null for anything else. */
    public static Scope grantable(String label) {
        return switch (label) {
            case "read" -> READ;
            case "write" -> WRITE;
            case "admin" -> ADMIN;
            default -> null;
        };
    }
}
