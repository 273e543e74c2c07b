package io.sluice.server.http;

import io.netty.handler.codec.http.HttpMethod;
import io.sluice.server.auth.Scope;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Maps method and path to a handler and the scope a request needs for it (README "Tokens and
 * scopes"): the route table is the one place that says both. Patterns are literal segments and
 * {@code {name}} captures, so each later API adds its routes in one place without touching the
 * others.
 */
public final class Router {
    private record Route(HttpMethod method, String pattern, Scope scope, String[] segments, RouteHandler handler) {
    }

    /**
     * A registered route as written, with the scope a request needs for it: what
     * {@code /openapi.json} must document (README "Adding a route").
     */
    public record Entry(HttpMethod method, String pattern, Scope scope) {
    }

    /** The outcome of a lookup: a handler with its scope and path parameters, or why there is none. */
    public record Match(RouteHandler handler, Scope scope, Map<String, String> params, Set<HttpMethod> allowed) {
        public boolean found() {
            return handler != null;
        }

        public boolean pathExists() {
            return !allowed.isEmpty();
        }
    }

    private final List<Route> routes = new ArrayList<>();
    /** Content codings a route decodes itself, by pattern: remote write's snappy (README "Prometheus remote write"). */
    private final Map<String, Set<String>> ownCodings = new LinkedHashMap<>();

    public Router add(HttpMethod method, String pattern, Scope scope, RouteHandler handler) {
        if (!pattern.startsWith("/")) {
            throw new IllegalArgumentException("route pattern must start with '/': " + pattern);
        }
        if (scope == null) {
            throw new IllegalArgumentException("route " + method + " " + pattern + " needs a scope (Scope.OPEN for none)");
        }
        routes.add(new Route(method, pattern, scope, split(pattern), handler));
        return this;
    }

    public Router get(String pattern, Scope scope, RouteHandler handler) {
        return add(HttpMethod.GET, pattern, scope, handler);
    }

    public Router post(String pattern, Scope scope, RouteHandler handler) {
        return add(HttpMethod.POST, pattern, scope, handler);
    }

    /**
     * Declares that the routes at {@code pattern} decode the content coding {@code coding}
     * themselves, because their protocol defines it (RFC 9110 section 8.4 leaves codings to the
     * resource): the body reaches them as sent, with its {@code Content-Encoding}. Everywhere
     * else that coding is refused 415.
     */
    public Router ownCoding(String pattern, String coding) {
        ownCodings.computeIfAbsent(pattern, p -> new LinkedHashSet<>()).add(coding.toLowerCase(java.util.Locale.ROOT));
        return this;
    }

    /** Whether a request for {@code path} may carry {@code coding} for its route to decode. */
    public boolean decodesItself(String path, String coding) {
        String[] parts = split(path);
        for (Map.Entry<String, Set<String>> e : ownCodings.entrySet()) {
            if (e.getValue().contains(coding) && bind(split(e.getKey()), parts) != null) {
                return true;
            }
        }
        return false;
    }

    /** Every route in the order it was added. */
    public List<Entry> entries() {
        return routes.stream().map(r -> new Entry(r.method, r.pattern, r.scope)).toList();
    }

    public Match match(HttpMethod method, String path) {
        String[] parts = split(path);
        Set<HttpMethod> allowed = new LinkedHashSet<>();
        for (Route r : routes) {
            Map<String, String> params = bind(r.segments, parts);
            if (params == null) {
                continue;
            }
            allowed.add(r.method);
            if (r.method.equals(method) || (method.equals(HttpMethod.HEAD) && r.method.equals(HttpMethod.GET))) {
                return new Match(r.handler, r.scope, params, allowed);
            }
        }
        return new Match(null, null, Map.of(), allowed);
    }

    private static Map<String, String> bind(String[] pattern, String[] parts) {
        if (pattern.length != parts.length) {
            return null;
        }
        Map<String, String> params = null;
        for (int i = 0; i < pattern.length; i++) {
            String p = pattern[i];
            if (p.length() > 2 && p.charAt(0) == '{' && p.charAt(p.length() - 1) == '}') {
                if (parts[i].isEmpty()) {
                    return null;
                }
                if (params == null) {
                    params = new LinkedHashMap<>();
                }
                params.put(p.substring(1, p.length() - 1), parts[i]);
            } else if (!p.equals(parts[i])) {
                return null;
            }
        }
        return params == null ? Map.of() : params;
    }

    private static String[] split(String path) {
        String p = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        return p.equals("/") ? new String[0] : p.substring(1).split("/", -1);
    }
}
