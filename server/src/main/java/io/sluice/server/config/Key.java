package io.sluice.server.config;

import java.util.List;

/**
 * One configuration key: its name in config.toml, its type and bounds, its default, and the other
 * environment variable names that may set it (the existing services' names). Core keys are in
 * {@link Keys}; a protocol declares its own ({@code Protocol.keys()}), made with the factories here.
 *
 * @param min for numbers and sizes the smallest value (for a list's numbers, the bound they must
 *            exceed); for durations, milliseconds
 * @param max likewise, the largest
 */
public record Key(String name, Type type, Object defaultValue, long min, long max, boolean secret, List<String> aliases,
                  String help) {
    public enum Type { INT, LONG_BYTES, STRING, URL, BOOL, DURATION, INTERVAL, NUMBERS, LIST }

    String envName() {
        return "SLUICE_" + name.toUpperCase();
    }

    public static Key integer(String name, int def, long min, long max, String help) {
        return new Key(name, Type.INT, def, min, max, false, List.of(), help);
    }

    public static Key duration(String name, String def, long minMs, long maxMs, String help) {
        return new Key(name, Type.DURATION, Durations.parse(def), minMs, maxMs, false, List.of(), help);
    }

    public static Key bytes(String name, long def, long min, long max, String help) {
        return new Key(name, Type.LONG_BYTES, def, min, max, false, List.of(), help);
    }

    /** Free text ({@code Config.get} gives the String, or null when unset and without default). */
    public static Key text(String name, String def, String help) {
        return new Key(name, Type.STRING, def, 0, 0, false, List.of(), help);
    }

    /** A list of numbers, each in (min, max]: {@code 50,90,99.9} in the environment, an array in TOML. */
    public static Key numbers(String name, double[] def, long min, long max, String help) {
        return new Key(name, Type.NUMBERS, def.clone(), min, max, false, List.of(), help);
    }
}
