package io.sluice.server.query;

import io.sluice.server.http.BadRequest;

import java.time.DateTimeException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Times in query parameters: RFC 3339, epoch (seconds, milliseconds, microseconds or
 * nanoseconds, told apart by size), {@code now}, or relative to now: {@code 15m}, {@code 1h},
 * {@code 7d}, {@code 2w} (also with a leading minus). Results are epoch microseconds.
 */
public final class Times {
    private static final Pattern RELATIVE = Pattern.compile("-?(\\d+)(ms|s|m|h|d|w)");
    private static final Pattern EPOCH = Pattern.compile("-?\\d+(\\.\\d+)?");

    private Times() {
    }

    public static long parse(String name, String value, long nowMicros) {
        String v = value.trim();
        if (v.equals("now")) {
            return nowMicros;
        }
        Matcher m = RELATIVE.matcher(v);
        if (m.matches()) {
            return nowMicros - durationMicros(name, m);
        }
        if (EPOCH.matcher(v).matches()) {
            double d = Double.parseDouble(v);
            double abs = Math.abs(d);
            if (abs < 1e11) {
                return Math.round(d * 1_000_000); // seconds
            } else if (abs < 1e14) {
                return Math.round(d * 1000); // milliseconds
            } else if (abs < 1e17) {
                return Math.round(d); // microseconds
            }
            return Math.round(d / 1000); // nanoseconds
        }
        try {
            OffsetDateTime t = OffsetDateTime.parse(v, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
            return t.toEpochSecond() * 1_000_000L + t.getNano() / 1000;
        } catch (DateTimeException e) {
            throw new BadRequest(name + ": '" + value + "' is not RFC 3339, epoch, 'now' or relative like 15m, 1h, 7d");
        }
    }

    /** A positive duration like {@code 1m}, {@code 30s}, {@code 1h}, in microseconds. */
    public static long duration(String name, String value) {
        Matcher m = RELATIVE.matcher(value.trim());
        if (!m.matches() || value.trim().startsWith("-")) {
            throw new BadRequest(name + ": '" + value + "' is not a duration like 30s, 1m, 1h or 1d");
        }
        long d = durationMicros(name, m);
        if (d < 1_000_000L) {
            throw new BadRequest(name + ": must be at least 1s");
        }
        return d;
    }

    private static long durationMicros(String name, Matcher m) {
        long n = Long.parseLong(m.group(1));
        long unit = switch (m.group(2)) {
            case "ms" -> 1_000L;
            case "s" -> 1_000_000L;
            case "m" -> 60_000_000L;
            case "h" -> 3_600_000_000L;
            case "d" -> 86_400_000_000L;
            default -> 604_800_000_000L;
        };
        if (n > Long.MAX_VALUE / unit / 2) {
            throw new BadRequest(name + ": out of range");
        }
        return n * unit;
    }
}
