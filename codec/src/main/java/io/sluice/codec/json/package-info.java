/**
 * JSON samples: {@link io.sluice.codec.json.JsonSampleParser}, on Jackson's streaming parser.
 *
 * <p>Documents accepted (README, "Write something" and "Drop-in APIs"):
 * <ul>
 *   <li>native: {@code {"samples":[{"metric","tags","time","value","step"}, ...]}} (other
 *       top-level members ignored), a single sample object, or a bare array of them. {@code metric}
 *       is a string; {@code value} a number (not a string, boolean or null); {@code time} an
 *       RFC 3339 date-time with {@code Z} or an offset and up to microsecond fractions (finer ones
 *       cut), or epoch milliseconds, fractional ones rounded to the nearest microsecond; a missing
 *       or null {@code time} means arrival time ({@link io.sluice.codec.SampleSink#NO_TIME});
 *       {@code step} an integer, optional; {@code tags} an object whose members are strings, or
 *       numbers and booleans taken as written ({@code 0}, {@code 1.50}, {@code true}); a null member
 *       is no tag; an empty string is a value like any other;</li>
 *   <li>the API performance monitor's datagram (README, "Drop-in APIs"): {@code {"route","method","time",
 *       "status","timestamp"}}, or an array of them, recognised by {@code route} when there is no
 *       {@code metric}. It gives one sample of metric {@code api_response_time}, value {@code time}
 *       (the call's duration in milliseconds), tags {@code route}, {@code method} (the empty string
 *       when missing, as the Go service stored it) and {@code status} (its decimal text; no tag
 *       when missing); {@code timestamp} as {@code time} above. A {@code tags} object adds tags.</li>
 * </ul>
 * Unknown members are ignored, whatever they hold. A repeated member keeps its last value; a
 * repeated key inside one {@code tags} object is an error (which value would the series have?).
 *
 * <p>Errors are values: each bad element gives one {@link io.sluice.codec.ParseError} whose line is
 * the element's 1-based index in its array (1 for a lone object), whose position is the 1-based
 * byte offset of the problem in the document (the column, for the usual one-line document), and
 * whose reason names the element (JSONPath-style, 0-based: {@code samples[3]: missing "value"})
 * and the member. The other elements still count. A document that is not JSON, breaks off, or
 * nests deeper than 32 gives one error and no samples. Limits are those of line protocol: names
 * {@link io.sluice.codec.SeriesKey#MAX_NAME_BYTES}, tag values
 * {@link io.sluice.codec.SeriesKey#MAX_TAG_VALUE_BYTES} bytes, {@link io.sluice.codec.SeriesKey#MAX_TAGS} tags.
 */
package io.sluice.codec.json;
