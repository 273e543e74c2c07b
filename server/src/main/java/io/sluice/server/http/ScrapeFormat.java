package io.sluice.server.http;

import java.util.Locale;

/**
 * Whether a request's {@code Accept} header asks for the Prometheus exposition formats: the text
 * format ({@code text/plain; version=0.0.4}) or OpenMetrics ({@code application/openmetrics-text}).
 *
 * <p>{@code GET /metrics} is the API performance monitor's JSON answer (README, "Drop-in APIs"),
 * but it is also the path Prometheus scrapes by default. Prometheus 2.x sends
 * {@code application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*}{@code /*;q=0.1};
 * a browser or curl names neither format. A format named with a quality above zero wins over a
 * wildcard of the same or lower quality, and over {@code application/json} only when its quality
 * is higher (RFC 9110 §12.5.1: {@code q} weights, ranges split by commas, parameters by
 * semicolons).
 */
public final class ScrapeFormat {
    private ScrapeFormat() {
    }

    public static boolean wanted(String accept) {
        if (accept == null || accept.isBlank()) {
            return false;
        }
        double exposition = 0;
        double json = 0;
        double wildcard = 0;
        for (String range : accept.split(",")) {
            String[] parts = range.split(";");
            String type = parts[0].trim().toLowerCase(Locale.ROOT);
            double q = 1;
            boolean textVersion = false;
            for (int i = 1; i < parts.length; i++) {
                String p = parts[i].trim().toLowerCase(Locale.ROOT);
                if (p.startsWith("q=")) {
                    q = quality(p.substring(2));
                } else if (p.replace(" ", "").equals("version=0.0.4")) {
                    textVersion = true;
                }
            }
            switch (type) {
                case "application/openmetrics-text" -> exposition = Math.max(exposition, q);
                case "text/plain" -> exposition = textVersion ? Math.max(exposition, q) : exposition;
                case "application/json" -> json = Math.max(json, q);
                case "*/*", "application/*" -> wildcard = Math.max(wildcard, q);
                default -> {
                }
            }
        }
        return exposition > 0 && exposition > json && exposition >= wildcard;
    }

    private static double quality(String v) {
        try {
            double q = Double.parseDouble(v.trim());
            return q >= 0 && q <= 1 ? q : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
