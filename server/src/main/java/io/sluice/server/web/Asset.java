package io.sluice.server.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.GZIPOutputStream;

/**
 * One file the web page needs, held in memory: its bytes, a gzip copy made once (Swagger UI's
 * bundle is 1.6 MB; compressing it per request would cost the event loop tens of milliseconds),
 * a weak ETag from its content, and how long a browser may keep it.
 */
record Asset(String contentType, byte[] identity, byte[] gzip, String etag, String cacheControl) {
    /** Own files change with each build: revalidate every time (a 304 when unchanged). */
    static final String REVALIDATE = "no-cache";
    /** Library files change only with the dependency's version. */
    static final String ONE_DAY = "public, max-age=86400";

    static Asset of(String name, byte[] bytes, String cacheControl) {
        String type = contentType(name);
        byte[] gz = compressible(type) && bytes.length > 1024 ? gzip(bytes) : null;
        return new Asset(type, bytes, gz != null && gz.length < bytes.length ? gz : null, etag(bytes), cacheControl);
    }

    /** The type by extension; only these extensions are ever served. */
    static String contentType(String name) {
        String ext = name.substring(name.lastIndexOf('.') + 1);
        return switch (ext) {
            case "html" -> "text/html; charset=utf-8";
            case "js" -> "text/javascript; charset=utf-8";
            case "css" -> "text/css; charset=utf-8";
            case "json" -> "application/json";
            case "svg" -> "image/svg+xml";
            case "png" -> "image/png";
            default -> throw new IllegalArgumentException("no content type for " + name);
        };
    }

    private static boolean compressible(String type) {
        return type.startsWith("text/") || type.startsWith("application/json") || type.startsWith("image/svg");
    }

    private static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 3);
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static String etag(byte[] bytes) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(bytes);
            return "W/\"" + HexFormat.of().formatHex(d, 0, 12) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
