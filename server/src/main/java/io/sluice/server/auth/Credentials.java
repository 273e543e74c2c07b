package io.sluice.server.auth;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The secret a request presents, in each form a client family sends it (README "Tokens and
 * scopes"): {@code Authorization: Token <t>} (InfluxDB 2.x clients, Telegraf),
 * {@code Authorization: Bearer <t>} (Prometheus, OTLP exporters, browsers), HTTP Basic with the
 * token as password (RFC 7617), the {@code u}/{@code p} query parameters of InfluxDB 1.x, and for
 * a WebSocket upgrade {@code ?token=} (a browser cannot set headers on one). Auth schemes are
 * case-insensitive (RFC 9110 section 11.1).
 */
public final class Credentials {
    /**
     * An {@code Authorization} header Sluice cannot read: an empty secret, which no token has
     * (they are at least {@link TokenFile#MIN_SECRET_CHARS} long), so it is refused as a wrong
     * token rather than as none.
     */
    public static final String MALFORMED = "";

    private Credentials() {
    }

    /**
     * @return the secret, {@link #MALFORMED}, or null when the request carries none
     */
    public static String presented(HttpRequest req, Map<String, List<String>> query, boolean upgrade) {
        String auth = req.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (auth != null) {
            return fromHeader(auth.trim());
        }
        String p = first(query, "p");
        if (p != null && !p.isEmpty()) {
            return p;
        }
        if (upgrade) {
            String t = first(query, "token");
            if (t != null && !t.isEmpty()) {
                return t;
            }
        }
        return null;
    }

    /**
     * A request target without the parameters that may carry a secret ({@code u}, {@code p},
     * {@code token}, however percent-encoded their names), the others kept raw and in order: for
     * logs and cache keys, which must never hold a token.
     */
    public static String withoutSecrets(String uri) {
        int q = uri.indexOf('?');
        if (q < 0) {
            return uri;
        }
        StringBuilder sb = new StringBuilder(uri.length()).append(uri, 0, q);
        char sep = '?';
        for (String param : uri.substring(q + 1).split("&")) {
            int eq = param.indexOf('=');
            String name = eq < 0 ? param : param.substring(0, eq);
            try {
                name = QueryStringDecoder.decodeComponent(name);
            } catch (IllegalArgumentException badEscape) {
                continue; // unreadable: it may be anything, so it is left out
            }
            if (!name.equals("u") && !name.equals("p") && !name.equals("token")) {
                sb.append(sep).append(param);
                sep = '&';
            }
        }
        return sb.toString();
    }

    private static String fromHeader(String auth) {
        int sp = auth.indexOf(' ');
        if (sp <= 0) {
            return MALFORMED;
        }
        String scheme = auth.substring(0, sp);
        String value = auth.substring(sp + 1).trim();
        if (value.isEmpty()) {
            return MALFORMED;
        }
        if (scheme.equalsIgnoreCase("Token") || scheme.equalsIgnoreCase("Bearer")) {
            return value;
        }
        if (scheme.equalsIgnoreCase("Basic")) {
            return basicPassword(value);
        }
        return MALFORMED;
    }

    /** The password of {@code user:password}, or the user when the password is empty (some clients send the token there). */
    private static String basicPassword(String b64) {
        String pair;
        try {
            pair = new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return MALFORMED;
        }
        int colon = pair.indexOf(':');
        if (colon < 0) {
            return MALFORMED;
        }
        String password = pair.substring(colon + 1);
        String user = pair.substring(0, colon);
        String secret = password.isEmpty() ? user : password;
        return secret.isEmpty() ? MALFORMED : secret;
    }

    private static String first(Map<String, List<String>> query, String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }
}
