package io.sluice.server.auth;

import io.sluice.server.ingest.Stamp;
import io.sluice.storage.query.SeriesScope;

import java.util.EnumSet;
import java.util.Set;

/**
 * Who a request acts as once its credentials are checked: the scopes it holds, the series it may
 * read, the tags stamped on what it writes, and its rate limits (null: none). One per token,
 * shared by all its requests, so the limits count them together.
 */
public final class Principal {
    public enum Kind { TOKEN, CERTIFICATE, ANONYMOUS, LOCAL }

    /** Sluice without tokens (loopback, or {@code auth = "off"}): everything is allowed. */
    public static final Principal LOCAL = new Principal("local", Kind.LOCAL, EnumSet.allOf(Scope.class),
            SeriesScope.ALL, Stamp.NONE, null, null);

    private final String name;
    private final Kind kind;
    private final Set<Scope> scopes;
    private final SeriesScope reads;
    private final Stamp writes;
    private final RateLimit samples;
    private final RateLimit requests;

    Principal(String name, Kind kind, Set<Scope> scopes, SeriesScope reads, Stamp writes, RateLimit samples,
              RateLimit requests) {
        this.name = name;
        this.kind = kind;
        this.scopes = Set.copyOf(scopes);
        this.reads = reads;
        this.writes = writes;
        this.samples = samples;
        this.requests = requests;
    }

    /** A principal for a token file entry, keeping the rate state of {@code previous} when its limits are unchanged. */
    static Principal of(Token t, Kind kind, Principal previous, Token previousToken) {
        boolean keep = previous != null && previousToken != null && previousToken.sameLimits(t);
        RateLimit samples = keep ? previous.samples : t.samplesPerSecond() > 0 ? new RateLimit(t.samplesPerSecond()) : null;
        RateLimit requests = keep ? previous.requests : t.requestsPerSecond() > 0 ? new RateLimit(t.requestsPerSecond()) : null;
        return new Principal(t.name(), kind, t.scopes(), SeriesScope.of(t.tenantTags()), Stamp.of(t.tenantTags()),
                samples, requests);
    }

    public String name() {
        return name;
    }

    public Kind kind() {
        return kind;
    }

    public Set<Scope> scopes() {
        return scopes;
    }

    public boolean allows(Scope needed) {
        return needed == Scope.OPEN || scopes.contains(needed);
    }

    /** The series this principal may read. */
    public SeriesScope reads() {
        return reads;
    }

    /** The tags stamped on every sample it writes. */
    public Stamp writes() {
        return writes;
    }

    /** Samples a second, or null for no limit. */
    public RateLimit samples() {
        return samples;
    }

    /** Requests a second, or null for no limit. */
    public RateLimit requests() {
        return requests;
    }

    @Override
    public String toString() {
        return name + " (" + kind.name().toLowerCase() + ")";
    }
}
