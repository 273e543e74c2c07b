package io.sluice.agent.collect;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the answer of {@code nvidia-smi --query-gpu=<QUERY> --format=csv,noheader,nounits}: one
 * line per GPU, values separated by {@code ", "}, units left out (MiB, degrees C, W, %). Gives
 * Telegraf's {@code nvidia_smi} measurement: tags {@code index}, {@code uuid}, {@code name},
 * {@code pstate}; a value the card does not report ({@code [N/A]}, {@code [Not Supported]}) is
 * left out rather than sent as zero.
 */
public final class NvidiaSmiCsv {
    /** The columns asked for, in order. */
    public static final String QUERY = "index,uuid,name,pstate,utilization.gpu,utilization.memory,"
            + "memory.total,memory.used,memory.free,temperature.gpu,power.draw,fan.speed";
    private static final int TAGS = 4;
    private static final String[] FIELDS = {"utilization_gpu", "utilization_memory", "memory_total", "memory_used",
            "memory_free", "temperature_gpu", "power_draw", "fan_speed"};

    private NvidiaSmiCsv() {
    }

    /** Adds one {@code nvidia_smi} point per well-formed line; returns how many lines were not. */
    public static int parse(String output, Readings out) {
        int bad = 0;
        for (String line : output.split("\r?\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] cols = line.split(",", -1);
            if (cols.length != TAGS + FIELDS.length) {
                bad++;
                continue;
            }
            Map<String, String> tags = new LinkedHashMap<>();
            tags.put("index", cols[0].trim());
            tags.put("uuid", cols[1].trim());
            tags.put("name", cols[2].trim());
            tags.put("pstate", cols[3].trim());
            Readings.Point p = out.point("nvidia_smi", tags);
            for (int i = 0; i < FIELDS.length; i++) {
                p.gauge(FIELDS[i], number(cols[TAGS + i].trim()));
            }
        }
        return bad;
    }

    private static double number(String s) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return Double.NaN; // [N/A], [Not Supported]: not reported by this card
        }
    }
}
