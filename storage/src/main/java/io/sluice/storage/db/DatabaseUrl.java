package io.sluice.storage.db;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * A PostgreSQL address in either form people use: {@code postgres://user:pass@host:port/db?...}
 * (libpq, the existing services' DATABASE_URL) or {@code jdbc:postgresql://host:port/db?user=...}.
 */
public record DatabaseUrl(String jdbcUrl, String user, String password) {

    /** @throws IllegalArgumentException with a sentence saying what is wrong */
    public static DatabaseUrl parse(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("empty database URL");
        }
        if (url.startsWith("jdbc:postgresql:")) {
            return new DatabaseUrl(url, null, null);
        }
        if (!url.startsWith("postgres://") && !url.startsWith("postgresql://")) {
            throw new IllegalArgumentException(
                    "database URL must start with postgres://, postgresql:// or jdbc:postgresql://");
        }
        URI u;
        try {
            u = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("database URL is not a valid URI: " + e.getReason());
        }
        if (u.getHost() == null) {
            throw new IllegalArgumentException("database URL has no host");
        }
        String user = null;
        String password = null;
        if (u.getRawUserInfo() != null) {
            String[] up = u.getRawUserInfo().split(":", 2);
            user = decode(up[0]);
            password = up.length > 1 ? decode(up[1]) : null;
        }
        String db = u.getPath() == null || u.getPath().length() <= 1 ? "postgres" : u.getPath().substring(1);
        StringBuilder jdbc = new StringBuilder("jdbc:postgresql://").append(u.getHost());
        if (u.getPort() > 0) {
            jdbc.append(':').append(u.getPort());
        }
        jdbc.append('/').append(db);
        if (u.getRawQuery() != null) {
            jdbc.append('?').append(u.getRawQuery());
        }
        return new DatabaseUrl(jdbc.toString(), user, password);
    }

    /** The URL with any password masked, for logs. */
    public String masked() {
        String s = jdbcUrl.replaceAll("(?i)(password=)[^&]*", "$1****");
        return s + (user != null ? " user=" + user : "");
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
