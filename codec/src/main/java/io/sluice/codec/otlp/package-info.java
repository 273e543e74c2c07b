/**
 * OpenTelemetry OTLP metrics: {@link io.sluice.codec.otlp.OtlpProtobufParser} (binary protobuf,
 * the SDKs' default) and {@link io.sluice.codec.otlp.OtlpJsonParser} (OTLP/JSON) read an
 * {@code ExportMetricsServiceRequest} (opentelemetry-proto {@code metrics/v1/metrics.proto}) and
 * give the same samples through one mapping.
 *
 * <p>Mapping onto samples (as Prometheus' and VictoriaMetrics' OTLP receivers do, metric names
 * kept as sent, dots included, no unit or {@code _total} suffix added):
 * <ul>
 *   <li>Tags: the resource's attributes (those the {@link io.sluice.codec.otlp.AttributeFilter}
 *       keeps), the instrumentation scope's attributes, then the point's; a later level's
 *       attribute overrides an earlier one of the same key. Strings as they are; integers in
 *       decimal; doubles as their shortest plain decimal; booleans {@code true}/{@code false};
 *       bytes in base64; arrays and key-value lists as JSON ({@code ["a",2]}).</li>
 *   <li>Gauge and sum: one sample per point ({@code as_double}, or {@code as_int} as the nearest
 *       double). Sums of delta temporality are stored as sent and tagged {@code temporality=delta},
 *       so a query never adds deltas to cumulative totals unawares; cumulative ones are untagged.</li>
 *   <li>Histogram: {@code <name>_bucket{le}} per bucket with the <em>cumulative</em> count (OTLP
 *       sends per-bucket counts), {@code le="+Inf"} with the total count; {@code <name>_sum},
 *       {@code <name>_count}, and {@code <name>_min}, {@code <name>_max} when the point has them.
 *       Delta histograms are tagged {@code temporality=delta} too.</li>
 *   <li>Exponential histogram: the same shape. With {@code base = 2^(2^-scale)}, negative buckets
 *       come first from the most negative (bucket {@code i} has {@code le = -base^i}), then the zero
 *       bucket ({@code le} = the zero threshold, {@code 0} by default), then positive buckets
 *       (bucket {@code i} has {@code le = base^(i+1)}), then {@code +Inf}; each count cumulative.
 *       Scales outside [-10, 20] are refused.</li>
 *   <li>Summary: {@code <name>{quantile}} per quantile, {@code <name>_sum}, {@code <name>_count}.</li>
 *   <li>{@code le} and {@code quantile} values are the shortest plain decimal ({@code 0.005},
 *       {@code 10}, {@code +Inf}), as Prometheus writes them.</li>
 *   <li>Time: {@code time_unix_nano} in microseconds (rounded down); 0 (unset) is the arrival time.</li>
 * </ul>
 * Not stored and counted in {@link io.sluice.codec.otlp.OtlpStats}: points flagged
 * {@code FLAG_NO_RECORDED_VALUE} (the data model's staleness marker) and exemplars.
 *
 * <p>Errors: each data point is a {@code line} (1-based, counted across the request). A point
 * that cannot be stored gives one {@link io.sluice.codec.ParseError} naming why: a metric without
 * a name or with one over {@code 249} bytes (room for {@code _bucket}) or not UTF-8; an attribute
 * with an empty, over-long or non-UTF-8 key or an over-long value (at the resource or scope
 * level this refuses every point under it); a histogram whose bucket counts are not one more
 * than its bounds; a time past 2^63 ns; more than {@link io.sluice.codec.SeriesKey#MAX_TAGS}
 * tags. The others are stored: the server answers with OTLP's {@code partial_success}.
 */
package io.sluice.codec.otlp;
