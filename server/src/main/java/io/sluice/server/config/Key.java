package io.sluice.server.config;

import java.util.List;

/**
 * One configuration key: its name in config.toml, its type and bounds, its default, and the other
 * environment variable names that may set it (the existing services' names).
 */
record Key(String name, Type type, Object defaultValue, long min, long max, boolean secret, List<String> aliases,
           String help) {
    enum Type { INT, LONG_BYTES, STRING, URL, BOOL, DURATION, INTERVAL }

    String envName() {
        return "SLUICE_" + name.toUpperCase();
    }
}
