/**
 * StatsD and DogStatsD: {@link io.sluice.codec.statsd.StatsdParser} (lines to values) and
 * {@link io.sluice.codec.statsd.StatsdAggregator} (values to one interval's samples).
 *
 * <p>Grammar, after statsd's {@code docs/metric_types.md}, the DogStatsD datagram format
 * (protocol 1.1 value packing, 1.2 container id, 1.3 timestamp) and Telegraf's statsd input
 * (Influx-style tags in the bucket, several groups on one line):
 * <pre>
 * body    = line *( LF line )                 ; a CR before LF and spaces around a line are dropped
 * line    = event / check / metric / ""        ; blank lines are skipped
 * event   = "_e{" *any                         ; DogStatsD event: counted, skipped
 * check   = "_sc|" *any                        ; DogStatsD service check: counted, skipped
 * metric  = bucket ":" group *( ":" group )
 * bucket  = name *( "," tag-key "=" tag-value ) ; name: any bytes but ':' ',' '|'
 * group   = values "|" type [ "|@" rate ] *( "|" field )
 * values  = member / number *( ":" number )   ; a set takes one member (':' included); others pack numbers
 * type    = "c" / "g" / "ms" / "h" / "d" / "s"
 * number  = [ "+" / "-" ] float                ; '+' only on gauges and counters
 * rate    = float in (0, 1]
 * field   = "#" tag *( "," tag )               ; DogStatsD tags, for every group of the line
 *         / "@" rate
 *         / other                              ; c:container, T1700000000, e:..., card:...: ignored
 * tag     = tag-key [ ":" [ tag-value ] ]      ; no value: "true", as Telegraf stores it
 * </pre>
 * A ':' after the type or the rate starts another group for the same bucket
 * ({@code foo:1|c:200|ms}); inside {@code #tags} it separates a tag's key from its value.
 *
 * <p>Mapping (Telegraf's {@code inputs.statsd} with its default settings, in Sluice's
 * {@code measurement_field} naming): the measurement is the name with each '.' made '_'; each
 * series is tagged with the bucket's tags, the DogStatsD tags (these win on a clash) and
 * {@code metric_type} = counter, gauge, timing, histogram, distribution or set (always the type
 * sent). Per interval, stamped with the interval's start:
 * <ul>
 *   <li>counter: {@code name} = sum of value/rate, {@code name_rate} = that sum per second;</li>
 *   <li>gauge: {@code name} = last value; a signed value ({@code +5}, {@code -5}) adds to it;
 *       written every interval until it is not updated for the gauge TTL;</li>
 *   <li>set: {@code name} = distinct members;</li>
 *   <li>timing, histogram, distribution: {@code name_count}, {@code name_sum}, {@code name_mean},
 *       {@code name_lower}, {@code name_upper}, {@code name_stddev}, {@code name_median} and
 *       {@code name_90_percentile} for each configured percentile.</li>
 * </ul>
 * A rate on a gauge or set is accepted and has no effect (statsd's rule).
 *
 * <p>Errors: a line that does not follow the grammar, an unknown type, a value that is not a
 * finite number, a rate outside (0, 1], names that are not UTF-8 or are longer than
 * {@link io.sluice.codec.SeriesKey#MAX_NAME_BYTES} bytes (tag values
 * {@link io.sluice.codec.SeriesKey#MAX_TAG_VALUE_BYTES}), more than 63 tags, or a line longer than
 * the parser's limit. Each gives one {@link io.sluice.codec.ParseError} naming the line, the
 * 1-based byte position and the reason; the line's other groups are not used.
 */
package io.sluice.codec.statsd;
