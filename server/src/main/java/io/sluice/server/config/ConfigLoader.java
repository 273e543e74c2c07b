package io.sluice.server.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import io.sluice.storage.db.DatabaseUrl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads configuration: defaults, then {@code config.toml}, then the existing services' variable
 * names ({@code DATABASE_URL}, {@code PORT}, ...), then {@code SLUICE_<KEY>} variables, each
 * overriding the one before. Every problem is collected and reported at once.
 */
public final class ConfigLoader {
    private static final Pattern BYTES = Pattern.compile("(\\d+)\\s*(|b|kb|kib|mb|mib|gb|gib)", Pattern.CASE_INSENSITIVE);
    private static final Pattern INTERVAL = Pattern.compile("\\d+ (second|minute|hour|day|week|month)s?");

    private ConfigLoader() {
    }

    /**
     * @param toml the config file, or null; a missing file given explicitly is an error
     * @throws ConfigException listing every wrong key
     */
    public static Config load(Path toml, boolean tomlRequired, Map<String, String> env) {
        List<String> errors = new ArrayList<>();
        Map<String, Object> raw = new LinkedHashMap<>();
        Map<String, String> sources = new LinkedHashMap<>();
        if (toml != null) {
            if (Files.exists(toml)) {
                readToml(toml, raw, sources, errors);
            } else if (tomlRequired) {
                errors.add("config file " + toml + ": not found");
            }
        }
        for (Key k : Keys.ALL.values()) {
            for (String alias : k.aliases()) {
                String v = env.get(alias);
                if (v != null && !v.isEmpty()) {
                    raw.put(k.name(), v);
                    sources.put(k.name(), "env " + alias);
                }
            }
            String v = env.get(k.envName());
            if (v != null && !v.isEmpty()) {
                raw.put(k.name(), v);
                sources.put(k.name(), "env " + k.envName());
            }
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (Key k : Keys.ALL.values()) {
            Object v = raw.containsKey(k.name()) ? convert(k, raw.get(k.name()), sources.get(k.name()), errors)
                    : k.defaultValue();
            values.put(k.name(), v);
        }
        Object ring = values.get("ring_size");
        if (ring instanceof Integer r && Integer.bitCount(r) != 1) {
            errors.add("ring_size: " + r + " is not a power of two (e.g. 65536, 262144)");
        }
        Object ack = values.get("write_ack");
        if (ack instanceof String a && !a.equals("auto") && !a.equals("commit") && !a.equals("journal") && !a.equals("local")) {
            errors.add("write_ack: '" + a + "' is not \"auto\", \"commit\", \"journal\" or \"local\"");
        }
        if (errors.isEmpty()) {
            TrustCheck.check(values, errors);
        }
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
        return new Config(values, sources);
    }

    private static void readToml(Path toml, Map<String, Object> raw, Map<String, String> sources, List<String> errors) {
        Map<String, Object> doc;
        try {
            ObjectMapper m = new TomlMapper();
            @SuppressWarnings("unchecked")
            Map<String, Object> d = m.readValue(Files.readAllBytes(toml), Map.class);
            doc = d;
        } catch (IOException e) {
            errors.add("config file " + toml + ": not valid TOML: " + firstLine(e.getMessage()));
            return;
        }
        for (Map.Entry<String, Object> e : doc.entrySet()) {
            if (Keys.byName(e.getKey()) == null) {
                errors.add(e.getKey() + ": unknown key in " + toml + " (known keys are listed in the README)");
            } else {
                raw.put(e.getKey(), e.getValue());
                sources.put(e.getKey(), toml.getFileName().toString());
            }
        }
    }

    private static Object convert(Key k, Object v, String source, List<String> errors) {
        String where = k.name() + (source != null ? " (from " + source + ")" : "") + ": ";
        String s = String.valueOf(v).trim();
        try {
            switch (k.type()) {
                case INT -> {
                    long n = v instanceof Number num ? num.longValue() : Long.parseLong(s);
                    if (n < k.min() || n > k.max()) {
                        errors.add(where + n + " is out of range [" + k.min() + ", " + k.max() + "]");
                        return null;
                    }
                    return (int) n;
                }
                case LONG_BYTES -> {
                    long n = v instanceof Number num ? num.longValue() : bytes(s);
                    if (n < k.min() || n > k.max()) {
                        errors.add(where + n + " bytes is out of range [" + k.min() + ", " + k.max() + "]");
                        return null;
                    }
                    return n;
                }
                case BOOL -> {
                    if (v instanceof Boolean b) {
                        return b;
                    }
                    if (s.equalsIgnoreCase("true") || s.equals("1")) {
                        return true;
                    }
                    if (s.equalsIgnoreCase("false") || s.equals("0")) {
                        return false;
                    }
                    errors.add(where + "'" + s + "' is not true or false");
                    return null;
                }
                case DURATION -> {
                    Duration d;
                    if (k.name().equals("cache_timeout") && s.matches("\\d+")) {
                        d = Duration.ofSeconds(Long.parseLong(s)); // CACHE_TIMEOUT=300 means seconds
                    } else {
                        d = Durations.parse(s);
                    }
                    if (d.toMillis() < k.min() || d.toMillis() > k.max()) {
                        errors.add(where + s + " is out of range");
                        return null;
                    }
                    return d;
                }
                case NUMBERS -> {
                    return numbers(v, k, where, errors);
                }
                case INTERVAL -> {
                    if (!INTERVAL.matcher(s).matches()) {
                        errors.add(where + "'" + s + "' is not an interval like '1 day' or '6 hours'");
                        return null;
                    }
                    return s;
                }
                case LIST -> {
                    // A TOML array, or (from the environment) a comma-separated string.
                    List<String> items = new ArrayList<>();
                    for (Object o : v instanceof List<?> l ? l : List.of(s.split(","))) {
                        String item = String.valueOf(o).trim();
                        if (!item.isEmpty()) {
                            items.add(item);
                        }
                    }
                    return List.copyOf(items);
                }
                case URL -> {
                    if (k.name().equals("database_url")) {
                        DatabaseUrl.parse(s);
                    } else if (!s.startsWith("redis://") && !s.startsWith("rediss://")) {
                        errors.add(where + "must start with redis:// or rediss://");
                        return null;
                    }
                    return s;
                }
                default -> {
                    return s;
                }
            }
        } catch (NumberFormatException e) {
            errors.add(where + "'" + s + "' is not " + (k.type() == Key.Type.NUMBERS ? "a list of numbers like 50, 90, 99.9"
                    : "a whole number"));
        } catch (IllegalArgumentException e) {
            errors.add(where + e.getMessage());
        }
        return null;
    }

    /** A TOML array of numbers, or the same written {@code 50, 90, 99.9}; each in (min, max]. */
    private static double[] numbers(Object v, Key k, String where, List<String> errors) {
        List<?> items = v instanceof List<?> l ? l : List.of(String.valueOf(v).split(","));
        double[] out = new double[items.size()];
        for (int i = 0; i < out.length; i++) {
            Object item = items.get(i);
            double d = item instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(item).trim());
            if (!(d > k.min() && d <= k.max())) {
                errors.add(where + item + " is out of range (" + k.min() + ", " + k.max() + "]");
                return null;
            }
            out[i] = d;
        }
        if (out.length == 0) {
            errors.add(where + "needs at least one number");
            return null;
        }
        return out;
    }

    static long bytes(String s) {
        Matcher m = BYTES.matcher(s);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + s + "' is not a size like 1048576, 512KiB or 16MiB");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "kb", "kib" -> n << 10;
            case "mb", "mib" -> n << 20;
            case "gb", "gib" -> n << 30;
            default -> n;
        };
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
