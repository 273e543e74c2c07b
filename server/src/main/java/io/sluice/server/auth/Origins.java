package io.sluice.server.auth;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Browser origin checks (README "Browsers"). A request whose {@code Origin} (RFC 6454) names
 * another site than the one it was sent to is refused unless that origin is in
 * {@code cors_allowed_origins}: a page elsewhere could otherwise write with a {@code text/plain}
 * POST, which needs no preflight, or open a WebSocket, which the same-origin policy does not
 * cover (RFC 6455 section 10.2 leaves the check to the server). Same-origin requests, the
 * built-in page's, are always allowed; requests without {@code Origin} do not come from a page's
 * script.
 */
public final class Origins {
    public enum Verdict { NO_ORIGIN, SAME_ORIGIN, ALLOWED, REFUSED }

    private static final String ALLOW_METHODS = "GET, POST, PUT, DELETE, OPTIONS";
    private static final String ALLOW_HEADERS = "Authorization, Content-Type, Content-Encoding, Accept, Accept-Encoding";

    private final Set<String> allowed;
    private final boolean any;

    /** @param allowed origins such as {@code https://grafana.example.com}; {@code *} allows every origin */
    public Origins(List<String> allowed) {
        this.any = allowed.contains("*");
        this.allowed = allowed.stream().map(Origins::normalise).collect(Collectors.toUnmodifiableSet());
    }

    /** A configured origin in the form browsers send: scheme and host in lower case, no path, no trailing slash. */
    static String normalise(String origin) {
        String o = origin.trim().toLowerCase(Locale.ROOT);
        return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
    }

    public Verdict judge(HttpRequest req) {
        String origin = req.headers().get(HttpHeaderNames.ORIGIN);
        if (origin == null) {
            return Verdict.NO_ORIGIN;
        }
        if (sameOrigin(origin, req.headers().get(HttpHeaderNames.HOST))) {
            return Verdict.SAME_ORIGIN;
        }
        return any || allowed.contains(normalise(origin)) ? Verdict.ALLOWED : Verdict.REFUSED;
    }

    /**
     * Whether {@code Origin} names the host (and port) the request was sent to. The scheme is not
     * compared: behind a proxy that ends TLS, a page at {@code https://} reaches Sluice over plain
     * HTTP. A {@code Host} without a port is taken to use the origin's.
     */
    static boolean sameOrigin(String origin, String host) {
        if (host == null || origin.equals("null")) {
            return false;
        }
        URI o;
        URI h;
        try {
            o = new URI(origin);
            h = new URI("x://" + host);
        } catch (Exception e) {
            return false;
        }
        if (o.getHost() == null || h.getHost() == null || !o.getHost().equalsIgnoreCase(h.getHost())) {
            return false;
        }
        int originPort = o.getPort() >= 0 ? o.getPort() : "https".equalsIgnoreCase(o.getScheme()) ? 443 : 80;
        return h.getPort() < 0 || h.getPort() == originPort;
    }

    /** A CORS preflight (Fetch standard, "CORS-preflight request"): OPTIONS naming the method to come. */
    public static boolean isPreflight(HttpRequest req) {
        return req.method().equals(HttpMethod.OPTIONS) && req.headers().contains(HttpHeaderNames.ORIGIN)
                && req.headers().contains(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD);
    }

    /** Headers that let an allowed origin's script read an answer. */
    public static void corsHeaders(HttpRequest req, HttpHeaders out) {
        out.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, req.headers().get(HttpHeaderNames.ORIGIN));
        out.add(HttpHeaderNames.VARY, "Origin");
        out.set(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, "Retry-After, WWW-Authenticate, Location");
    }

    /** A preflight's answer headers: what the actual request may use, cached by the browser for ten minutes. */
    public static void preflightHeaders(HttpRequest req, HttpHeaders out) {
        corsHeaders(req, out);
        out.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, ALLOW_METHODS);
        String asked = req.headers().get(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS);
        out.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, asked != null ? asked : ALLOW_HEADERS);
        out.set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, 600);
    }
}
