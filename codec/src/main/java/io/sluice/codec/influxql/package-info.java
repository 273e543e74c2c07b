/**
 * The subset of InfluxQL (InfluxDB 1.x's query language) that Sluice answers on {@code /query},
 * enough for the InfluxDB clients' start-up calls and for Grafana's InfluxQL data source to list
 * measurements, tags and fields and draw a {@code GROUP BY time} panel.
 * {@link io.sluice.codec.influxql.InfluxQLParser} turns a query into
 * {@link io.sluice.codec.influxql.Statement}s; the server maps them onto its native query path.
 *
 * <pre>
 * query      = statement *( ";" statement )
 * statement  = ddl / show / select
 * ddl        = ( "CREATE" / "DROP" ) "DATABASE" name *any            ; accepted, no effect
 *            / ( "CREATE" / "ALTER" / "DROP" ) "RETENTION" "POLICY" name "ON" db *any
 * show       = "SHOW" "DATABASES"
 *            / "SHOW" "RETENTION" "POLICIES" [ "ON" db ]
 *            / "SHOW" "MEASUREMENTS" [ "ON" db ] [ "WITH" "MEASUREMENT" ( "=" name / "=~" regex ) ] [ where ] [ limit ]
 *            / "SHOW" "TAG" "KEYS" [ "ON" db ] [ "FROM" measurement ] [ where ] [ limit ]
 *            / "SHOW" "TAG" "VALUES" [ "ON" db ] [ "FROM" measurement ]
 *                     "WITH" "KEY" ( "=" key / "=~" regex / "IN" "(" key *( "," key ) ")" ) [ where ] [ limit ]
 *            / "SHOW" "FIELD" "KEYS" [ "ON" db ] [ "FROM" measurement ]
 * select     = "SELECT" field *( "," field ) "FROM" measurement [ where ]
 *              [ "GROUP" "BY" group *( "," group ) ] [ "fill" "(" ( "none" / "null" / "previous" / number ) ")" ]
 *              [ "ORDER" "BY" "time" [ "ASC" / "DESC" ] ] [ "LIMIT" n ] [ "tz" "(" 'UTC' ")" ]
 * field      = function "(" ( name / "*" ) ")" [ "AS" name ] / name [ "::" type ] [ "AS" name ] / "*"
 * function   = "mean" / "min" / "max" / "sum" / "count" / "last" / "first"
 * measurement= [ db "." [ rp ] "." / rp "." ] name
 * where      = "WHERE" cond *( "AND" cond )                  ; parentheses allowed, OR is not
 * cond       = "time" ( "&gt;" / "&gt;=" / "&lt;" / "&lt;=" / "=" ) time
 *            / key "=" 'value' / key "=~" /^value$/ / key "=~" /^(value *( "|" value ))$/ / key "=~" /.*&#47;
 * time       = ( "now()" / epoch-with-unit / integer-nanoseconds / 'RFC 3339' ) *( ( "+" / "-" ) duration )
 * group      = "time" "(" duration ")" / key / "*"
 * key        = name [ "::" type ]                            ; "host"::tag, as Grafana writes it
 * limit      = "LIMIT" n [ "OFFSET" n ]
 * </pre>
 * Everything else that is InfluxQL (other functions, OR, regex conditions other than an anchored
 * literal, an anchored alternation of literals or {@code .*}, {@code !=}, subqueries, {@code INTO}, {@code SLIMIT}, an offset in
 * {@code GROUP BY time}, {@code fill(linear)}, other time zones) is refused with a message naming
 * it. An aggregate needs a lower time bound, as InfluxDB requires for {@code GROUP BY time}; the
 * upper bound defaults to now.
 */
package io.sluice.codec.influxql;
