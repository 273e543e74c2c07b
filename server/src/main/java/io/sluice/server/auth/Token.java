package io.sluice.server.auth;

import java.util.Map;
import java.util.Set;

/**
 * One {@code [[token]]} of the token file (or its {@code [anonymous]} table), as read: the secret
 * is kept only as its SHA-256, and {@link #toString} names no part of it.
 *
 * @param sha256             the secret's SHA-256; null for a certificate-only or anonymous entry
 * @param certSubject        a client certificate subject (canonical X.500 form) that stands for
 *                           this token, or null
 * @param tenantTags         stamped on every sample written, required of every series read
 * @param samplesPerSecond   0: no limit
 * @param requestsPerSecond  0: no limit
 */
public record Token(String name, byte[] sha256, String certSubject, Set<Scope> scopes, Map<String, String> tenantTags,
                    double samplesPerSecond, double requestsPerSecond) {
    public Token {
        scopes = Set.copyOf(scopes);
        tenantTags = Map.copyOf(tenantTags);
    }

    /** The same limits as another entry: a reload then keeps the rate state. */
    boolean sameLimits(Token other) {
        return samplesPerSecond == other.samplesPerSecond && requestsPerSecond == other.requestsPerSecond;
    }

    @Override
    public String toString() {
        return "Token[name=" + name + ", scopes=" + scopes + ", tenantTags=" + tenantTags
                + (certSubject != null ? ", certSubject=" + certSubject : "") + "]";
    }
}
