/**
 * InfluxDB line protocol: {@link io.sluice.codec.influx.LineProtocolParser} and
 * {@link io.sluice.codec.influx.LineProtocolEncoder}.
 *
 * <p>Grammar, after the InfluxDB line protocol reference
 * (https://docs.influxdata.com/influxdb/v1/write_protocols/line_protocol_reference/ and
 * https://docs.influxdata.com/influxdb/v2/reference/syntax/line-protocol/) and the reference
 * implementation's grammar and decoder (github.com/influxdata/line-protocol, {@code line-protocol.ebnf},
 * {@code lineprotocol/decoder.go}), whose decode corpus Sluice's tests run
 * ({@code LineProtocolReferenceTest}, {@code LineProtocolCorpusTest}):
 * <pre>
 * body      = line *( LF line )               ; a CR before LF is dropped
 * line      = *SP [ comment / point ]         ; blank lines are skipped
 * comment   = "#" *( any but CTL )
 * point     = measurement *( "," tag-key "=" tag-value ) 1*SP field *( "," field ) [ 1*SP timestamp ] *SP
 * field     = field-key "=" ( float / integer / unsigned / boolean / string )
 * float     = [ "-" ] ( 1*DIGIT [ "." *DIGIT ] / "." 1*DIGIT ) [ ( "e" / "E" ) [ "+" / "-" ] 1*DIGIT ]
 * integer   = [ "-" ] 1*DIGIT "i"             ; signed 64-bit
 * unsigned  = 1*DIGIT "u"                     ; unsigned 64-bit
 * boolean   = "t" / "T" / "true" / "True" / "TRUE" / "f" / "F" / "false" / "False" / "FALSE"
 * string    = DQUOTE *( "\" any / any but DQUOTE ) DQUOTE   ; LF included
 * timestamp = [ "-" ] 1*DIGIT                 ; signed 64-bit, in the request's precision
 * CTL       = %x00-1F / %x7F                  ; the reference's nonprintable characters
 * </pre>
 * Names (measurement, tag keys, tag values, field keys) hold no CTL, escaped or not: TAB, CR and
 * the other control characters are refused with the position of the first, and the space is the
 * only whitespace (a line indented with a tab is refused, as by the reference). Escapes: in a
 * measurement {@code \,} and {@code \ }; in tag keys, tag values and field keys {@code \,},
 * {@code \=} and {@code \ }. A backslash before anything else, another backslash included, is
 * itself: line protocol has no escaped backslash (so no name can end with one). A string field
 * may hold any UTF-8 text, newlines included: a point then goes on over several lines of the body,
 * which are counted in the line numbers of the errors after it. A string that never closes is an
 * error of its own line, and the next line is parsed (the reference would read the rest of the
 * body as that string and refuse it all). No leading '+' on numbers or timestamps, no NaN or
 * Infinity (the reference excludes them; InfluxDB refuses them).
 *
 * <p>Mapping onto samples (README, "Write something"): each float, integer, unsigned or boolean
 * field is one sample; its metric is {@code measurement_fieldkey}, or the measurement alone for a field named
 * exactly {@code value}; the tags are the key's tags; booleans are 1 and 0; integers and unsigned
 * integers become the nearest double; the timestamp becomes microseconds (rounded down from
 * nanoseconds), or {@link io.sluice.codec.SampleSink#NO_TIME} when absent; the step is
 * {@link io.sluice.codec.SampleSink#NO_STEP}. String fields are valid and skipped
 * ({@link io.sluice.codec.SampleSink#skippedField()}).
 *
 * <p>A repeated field key keeps its last value, as in InfluxDB. A repeated tag key is an error, as
 * in InfluxDB ("duplicate tags"). Limits: measurement, tag key and field key at most
 * {@link io.sluice.codec.SeriesKey#MAX_NAME_BYTES} bytes, so is {@code measurement_fieldkey}; tag
 * values at most {@link io.sluice.codec.SeriesKey#MAX_TAG_VALUE_BYTES}; at most
 * {@link io.sluice.codec.SeriesKey#MAX_TAGS} tags and
 * {@link io.sluice.codec.influx.LineProtocolParser#MAX_FIELDS} fields; names and strings must be
 * UTF-8. These limits are where Sluice parts from the reference, which takes any length and count;
 * it also refuses a time whose nanoseconds overflow 64 bits (after 2262), which Sluice keeps in
 * microseconds and its time policy refuses later (further ahead than {@code max_future}).
 */
package io.sluice.codec.influx;
