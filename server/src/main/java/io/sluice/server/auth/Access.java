package io.sluice.server.auth;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AttributeKey;
import io.sluice.storage.metrics.Counter;
import io.sluice.storage.metrics.Metrics;
import io.sluice.storage.query.SeriesScope;
import io.sluice.server.ingest.Stamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Decides whether a request may use a route (README "Tokens and scopes"): who it acts as, from
 * its token, its client certificate or the anonymous entry, and whether that principal holds the
 * route's scope and is within its rate. Missing or wrong credentials are 401, a missing scope
 * 403, a rate exceeded 429; each is counted in {@code sluice_auth_failures_total{reason}} (or
 * {@code sluice_rate_limited_total{limit}}) and logged at most once a minute per peer.
 */
public final class Access {
    private static final Logger log = LoggerFactory.getLogger(Access.class);
    /** The canonical subject of a verified client certificate, set on the channel once its TLS handshake is done. */
    public static final AttributeKey<String> CLIENT_CERT_SUBJECT = AttributeKey.valueOf("sluice.clientCertSubject");
    /** Who reaches an open route without credentials Sluice accepts: holds no scope. */
    static final Principal NOBODY = new Principal("nobody", Principal.Kind.ANONYMOUS, Set.of(), SeriesScope.ALL,
            Stamp.NONE, null, null);

    /** The answer for one request: a principal to act as, or a refusal. */
    public record Decision(Principal principal, HttpResponseStatus status, String code, String message,
                           long retryAfterSeconds) {
        static Decision allow(Principal p) {
            return new Decision(p, null, null, null, 0);
        }

        public boolean allowed() {
            return status == null;
        }
    }

    /** Compiled once: {@code String.matches} compiled it for every request, twice (docs/BENCHMARKS.md "Round 6"). */
    private static final Pattern IPV4_LOOPBACK = Pattern.compile("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");

    private final TokenStore tokens;
    private final boolean loopbackNamesOnly;
    private final PeerLog peerLog = new PeerLog(TimeUnit.MINUTES.toNanos(1));
    private final Metrics metrics;

    /**
     * @param tokens            the token file in force; null when Sluice runs without tokens
     *                          (everything is allowed)
     * @param loopbackNamesOnly without tokens, answer only requests addressed to a loopback name
     *                          ({@code Host}): a Sluice on loopback without tokens must not be
     *                          reachable from a web page through DNS rebinding, where a site's
     *                          own name comes to point at 127.0.0.1
     */
    public Access(TokenStore tokens, boolean loopbackNamesOnly, Metrics metrics) {
        this.tokens = tokens;
        this.loopbackNamesOnly = loopbackNamesOnly;
        this.metrics = metrics;
        for (String r : new String[] {"missing", "invalid", "scope", "origin", "host"}) {
            failures(r);
        }
        limited("requests");
        limited("samples");
    }

    public boolean enforcing() {
        return tokens != null;
    }

    /**
     * @param upgrade whether the request asks for a WebSocket (then {@code ?token=} counts too)
     */
    public Decision check(Channel ch, HttpRequest req, Map<String, List<String>> query, Scope needed, boolean upgrade) {
        Decision d = identify(ch, req, query, needed, upgrade);
        return d.allowed() ? withinRate(ch, req, d.principal(), needed) : d;
    }

    /**
     * {@link #check} without the rate limits: whether the credentials hold the route's scope.
     * What can be decided from a request's head alone, before its body is read; a refusal is
     * counted and logged here, an admission costs nothing (the route's own {@link #check} follows).
     */
    public Decision identify(Channel ch, HttpRequest req, Map<String, List<String>> query, Scope needed, boolean upgrade) {
        if (tokens == null) {
            return !loopbackNamesOnly || needed == Scope.OPEN || loopbackName(req.headers().get(HttpHeaderNames.HOST))
                    ? Decision.allow(Principal.LOCAL)
                    : refuse(ch, req, HttpResponseStatus.FORBIDDEN, "host", "forbidden", "this Sluice runs without tokens"
                    + " and answers only requests addressed to localhost; set auth_tokens_file to serve other names", null);
        }
        Tokens t = tokens.current();
        String secret = Credentials.presented(req, query, upgrade);
        Principal p;
        if (secret != null) {
            p = secret.isEmpty() ? null : t.bySecret(secret); // empty: a header Sluice cannot read
            if (p == null) {
                return needed == Scope.OPEN ? Decision.allow(NOBODY) : refuse(ch, req, HttpResponseStatus.UNAUTHORIZED,
                        "invalid", "unauthorized", "the token is not valid", null);
            }
        } else {
            String subject = ch.attr(CLIENT_CERT_SUBJECT).get();
            p = subject == null ? null : t.byCertSubject(subject);
            if (p == null) {
                p = t.anonymous();
            }
            if (p == null) {
                return needed == Scope.OPEN ? Decision.allow(NOBODY) : refuse(ch, req, HttpResponseStatus.UNAUTHORIZED,
                        "missing", "unauthorized", "a token is required: send Authorization: Token <token>", null);
            }
        }
        if (!p.allows(needed)) {
            return p.kind() == Principal.Kind.ANONYMOUS
                    ? refuse(ch, req, HttpResponseStatus.UNAUTHORIZED, "missing", "unauthorized",
                    "a token with the " + needed.label() + " scope is required", p)
                    : refuse(ch, req, HttpResponseStatus.FORBIDDEN, "scope", "forbidden",
                    "token " + p.name() + " does not hold the " + needed.label() + " scope", p);
        }
        return Decision.allow(p);
    }

    /** Whether a {@code Host} names this machine's loopback: localhost, *.localhost (RFC 6761), 127.x, ::1. */
    static boolean loopbackName(String host) {
        if (host == null) {
            return true; // HTTP/1.0: no name to check
        }
        String h = host.startsWith("[") ? host.substring(1, Math.max(1, host.indexOf(']')))
                : host.indexOf(':') >= 0 ? host.substring(0, host.indexOf(':')) : host;
        h = h.toLowerCase(java.util.Locale.ROOT);
        return h.equals("localhost") || h.endsWith(".localhost") || h.equals("::1")
                || IPV4_LOOPBACK.matcher(h).matches();
    }

    /** Requests a second for every route; for writes also whether samples are owed. */
    private Decision withinRate(Channel ch, HttpRequest req, Principal p, Scope needed) {
        long now = System.nanoTime();
        if (p.requests() != null) {
            long wait = p.requests().tryTake(1, now);
            if (wait > 0) {
                return limit(ch, req, p, "requests", "requests_per_second", p.requests(), wait);
            }
        }
        if (needed == Scope.WRITE && p.samples() != null) {
            long wait = p.samples().waitNanos(now);
            if (wait > 0) {
                return limit(ch, req, p, "samples", "samples_per_second", p.samples(), wait);
            }
        }
        return Decision.allow(p);
    }

    private Decision limit(Channel ch, HttpRequest req, Principal p, String what, String key, RateLimit r, long waitNanos) {
        limited(what).inc();
        long seconds = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
        note(ch, req, "rate limited", what, p);
        return new Decision(null, HttpResponseStatus.TOO_MANY_REQUESTS, "too many requests",
                "token " + p.name() + " is over its " + key + "=" + fmt(r.perSecond()) + " on this node; retry in "
                        + seconds + " s", seconds);
    }

    /** Counts and notes a cross-origin request that was refused (its answer is the caller's). */
    public void originRefused(Channel ch, HttpRequest req) {
        failures("origin").inc();
        note(ch, req, "cross-origin request refused", "origin", null);
    }

    private Decision refuse(Channel ch, HttpRequest req, HttpResponseStatus status, String reason, String code,
                            String message, Principal p) {
        failures(reason).inc();
        note(ch, req, "request refused", reason, p);
        return new Decision(null, status, code, message, 0);
    }

    private void note(Channel ch, HttpRequest req, String what, String reason, Principal p) {
        InetAddress peer = ch.remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
        long suppressed = peer == null ? 0 : peerLog.admit(peer, System.nanoTime());
        if (suppressed >= 0) {
            log.warn("{} [peer={}, reason={}, method={}, uri={}, principal={}, notLoggedBefore={}]", what,
                    peer == null ? "?" : peer.getHostAddress(), reason, req.method(), Credentials.withoutSecrets(req.uri()),
                    p == null ? "none" : p.name(), suppressed);
        }
    }

    private Counter failures(String reason) {
        return metrics.counter("sluice_auth_failures_total",
                "Requests refused for their credentials (missing, invalid), scope, origin or Host, by reason.", "reason", reason);
    }

    private Counter limited(String limit) {
        return metrics.counter("sluice_rate_limited_total",
                "Requests answered 429 because their token is over a rate limit, by limit.", "limit", limit);
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
