package io.sluice.agent.send;

import java.util.Map;

/**
 * Telegraf measurement names to the fleet API's {@code metric_type}: cpu, ram, disk, network,
 * gpu, and system for load, uptime and processes. A field keeps its name as
 * {@code metric_name}, except where two measurements share a type and a field name (mem and
 * swap both have {@code used_percent}): then the measurement is a prefix ({@code swap_used_percent}).
 */
final class FleetNames {
    private static final Map<String, String> TYPES = Map.of("cpu", "cpu", "system", "system", "processes", "system",
            "mem", "ram", "swap", "ram", "disk", "disk", "diskio", "disk", "net", "network", "nvidia_smi", "gpu");
    private static final Map<String, String> PREFIXES = Map.of("swap", "swap_", "processes", "processes_");

    private FleetNames() {
    }

    static String type(String measurement) {
        return TYPES.getOrDefault(measurement, measurement);
    }

    static String name(String measurement, String field) {
        return PREFIXES.getOrDefault(measurement, "") + field;
    }
}
