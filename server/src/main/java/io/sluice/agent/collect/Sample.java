package io.sluice.agent.collect;

import java.util.Map;

/**
 * One reading: a field of a Telegraf-style measurement ({@code cpu}, {@code mem}, {@code disk},
 * {@code diskio}, {@code net}, {@code system}, {@code processes}, {@code swap}, {@code nvidia_smi})
 * with its tags, at a time in epoch milliseconds.
 *
 * <p>A {@link Kind#COUNTER} is a raw cumulative counter, sent as Telegraf sends it in line
 * protocol; the fleet format leaves counters out and sends only the per-second rates derived
 * from them (README "Watch a machine").
 *
 * @param tags shared by every sample of one measurement; never modified
 */
public record Sample(String measurement, Map<String, String> tags, String field, double value, Kind kind,
                     long timeMs) {
    public enum Kind { GAUGE, COUNTER }
}
