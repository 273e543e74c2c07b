/**
 * Prometheus remote write: {@link io.sluice.codec.prometheus.SnappyBlock} undoes the snappy block
 * compression, {@link io.sluice.codec.prometheus.RemoteWriteParser} reads the protobuf message.
 *
 * <p>Messages, after the remote write 1.0 and 2.0 specifications and Prometheus'
 * {@code prompb/types.proto}, {@code prompb/remote.proto} and
 * {@code prompb/io/prometheus/write/v2/types.proto}:
 * <ul>
 *   <li>1.0, {@code prometheus.WriteRequest}: {@code timeseries} (1) of {@code labels} (1:
 *       name, value), {@code samples} (2: value as a double, timestamp in ms), {@code exemplars}
 *       (3) and {@code histograms} (4); {@code metadata} (3) beside them.</li>
 *   <li>2.0, {@code io.prometheus.write.v2.Request}: {@code symbols} (4), a string table, and
 *       {@code timeseries} (5) whose {@code labels_refs} (1, packed or not) are pairs of indexes
 *       into it, with {@code samples} (2), {@code histograms} (3), {@code exemplars} (4),
 *       {@code metadata} (5) and {@code created_timestamp} (6).</li>
 * </ul>
 * Unknown fields are skipped, as proto3 says; a known field with the wrong wire type makes the
 * body malformed.
 *
 * <p>Mapping onto samples: the {@code __name__} label is the metric, every other label a tag
 * (one with an empty value is no label, as Prometheus treats it); each sample is one Sluice
 * sample, its millisecond timestamp in microseconds. Not stored and counted in
 * {@link io.sluice.codec.prometheus.RemoteWriteStats}: stale markers (the NaN with bits
 * {@code 0x7ff0000000000002}, which only says a series ended), other NaN and infinite values
 * (Sluice stores finite values only, README "Answers"), exemplars, metadata, and native
 * histograms (not mapped onto samples: a classic histogram arrives as its {@code _bucket},
 * {@code _sum} and {@code _count} series and is stored as any other).
 *
 * <p>Errors: a series without {@code __name__}, with an empty or repeated label name, names or
 * values that are not UTF-8 or over {@link io.sluice.codec.SeriesKey#MAX_NAME_BYTES} /
 * {@link io.sluice.codec.SeriesKey#MAX_TAG_VALUE_BYTES} bytes, more than
 * {@link io.sluice.codec.SeriesKey#MAX_TAGS} labels, or (2.0) label references that are not pairs
 * or point past the symbol table, gives one {@link io.sluice.codec.ParseError} whose line is the
 * series' 1-based index in the request and whose text is the series as Prometheus writes it
 * ({@code up{job="x"}}); the other series still count. A timestamp whose microseconds do not fit
 * in 64 bits is an error for that sample.
 */
package io.sluice.codec.prometheus;
