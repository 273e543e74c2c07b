package io.sluice.server.web;

/** The two request headers a static file answer depends on. */
final class Conditional {
    private Conditional() {
    }

    /**
     * Whether {@code If-None-Match} names this entity tag, by weak comparison (RFC 9110 §13.1.2:
     * {@code *}, or a comma-separated list where {@code W/"x"} and {@code "x"} are the same tag).
     */
    static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        String want = opaque(etag);
        for (String t : ifNoneMatch.split(",")) {
            String tag = t.trim();
            if (tag.equals("*") || opaque(tag).equals(want)) {
                return true;
            }
        }
        return false;
    }

    private static String opaque(String tag) {
        return tag.startsWith("W/") ? tag.substring(2) : tag;
    }

    /** Whether {@code Accept-Encoding} allows gzip (RFC 9110 §12.5.3: {@code gzip} or {@code *}, unless q=0). */
    static boolean acceptsGzip(String acceptEncoding) {
        if (acceptEncoding == null) {
            return false;
        }
        for (String item : acceptEncoding.split(",")) {
            String[] parts = item.split(";");
            String coding = parts[0].trim().toLowerCase();
            if (!coding.equals("gzip") && !coding.equals("x-gzip") && !coding.equals("*")) {
                continue;
            }
            boolean refused = false;
            for (int i = 1; i < parts.length; i++) {
                String p = parts[i].trim().toLowerCase();
                if (p.startsWith("q=")) {
                    refused = p.substring(2).trim().matches("0(\\.0*)?");
                }
            }
            return !refused;
        }
        return false;
    }
}
