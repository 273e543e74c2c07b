package io.sluice.codec.influxql;

import io.sluice.codec.influxql.Statement.Field;
import io.sluice.codec.influxql.Statement.Fill;
import io.sluice.codec.influxql.Statement.Select;
import io.sluice.codec.influxql.Statement.TagCondition;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InfluxQLParserTest {
    private static final long NOW = 1_732_280_000_000_000L;

    private static List<Statement> parse(String q) throws InfluxQLException {
        return InfluxQLParser.parse(q, NOW);
    }

    private static Select select(String q) throws InfluxQLException {
        return (Select) parse(q).get(0);
    }

    @Test
    void grafanasPanelQuery() throws Exception {
        Select s = select("SELECT mean(\"value\") FROM \"autogen\".\"cpu_usage\" WHERE (\"host\" = 'web-1') AND "
                + "time >= 1732276400000ms and time <= 1732280000000ms GROUP BY time(20s), \"region\" fill(null)");
        assertThat(s.fields()).containsExactly(new Field("mean", "value", null));
        assertThat(s.measurement()).isEqualTo("cpu_usage");
        assertThat(s.where()).containsExactly(new TagCondition("host", "web-1"));
        assertThat(s.startMicros()).isEqualTo(1_732_276_400_000_000L);
        assertThat(s.endMicros()).isEqualTo(1_732_280_000_000_001L);
        assertThat(s.intervalMicros()).isEqualTo(20_000_000L);
        assertThat(s.groupByTags()).containsExactly("region");
        assertThat(s.fill()).isEqualTo(Fill.NULL);
        assertThat(s.aggregated()).isTrue();
    }

    /** Grafana writes {@code "k"::tag} where a key is a tag and a field both (models/query.go, renderTags). */
    @Test
    void typeHintsOnKeysInConditionsAndGroupBy() throws Exception {
        Select s = select("SELECT mean(\"value\") FROM \"cpu\" WHERE (\"host\"::tag = 'a') AND time >= 1732276400000ms"
                + " GROUP BY time(1m), \"dc\"::tag fill(null)");
        assertThat(s.where()).containsExactly(new TagCondition("host", "a"));
        assertThat(s.groupByTags()).containsExactly("dc");
    }

    @Test
    void relativeTimesAndAnchoredRegexes() throws Exception {
        Select s = select("select max(usage_user) as peak, MIN(\"usage_user\") from cpu where time > now() - 1h "
                + "and host =~ /^web\\-1\\.eu$/ and dc =~ /.*/ group by time(1m) fill(none) order by time desc limit 5");
        assertThat(s.fields()).containsExactly(new Field("max", "usage_user", "peak"), new Field("min", "usage_user", null));
        assertThat(s.fields().get(0).column()).isEqualTo("peak");
        assertThat(s.startMicros()).isEqualTo(NOW - 3_600_000_000L + 1);
        assertThat(s.endMicros()).isEqualTo(NOW);
        assertThat(s.where()).containsExactly(new TagCondition("host", "web-1.eu"));
        assertThat(s.fill().kind()).isEqualTo(Fill.Kind.NONE);
        assertThat(s.descending()).isTrue();
        assertThat(s.limit()).isEqualTo(5);
    }

    @Test
    void rawSelects() throws Exception {
        Select s = select("SELECT * FROM \"mydb\"..\"m\" WHERE time > '2024-11-22T12:00:00Z' LIMIT 3");
        assertThat(s.fields()).containsExactly(new Field(null, "*", null));
        assertThat(s.measurement()).isEqualTo("m");
        assertThat(s.startMicros()).isEqualTo(1_732_276_800_000_001L);
        assertThat(s.aggregated()).isFalse();
        Select v = select("SELECT \"value\"::field FROM m WHERE time >= 1732276400000000000");
        assertThat(v.fields()).containsExactly(new Field(null, "value", null));
        assertThat(v.startMicros()).isEqualTo(1_732_276_400_000_000L);
    }

    @Test
    void ddlIsANoOpAndSeveralStatementsAreSplit() throws Exception {
        assertThat(parse("CREATE DATABASE \"telegraf\"; create retention policy \"r\" on \"telegraf\" duration 1d "
                + "replication 1 default;DROP DATABASE x;")).containsExactly(
                new Statement.NoOp("CREATE DATABASE", "telegraf"),
                new Statement.NoOp("CREATE RETENTION POLICY", "telegraf"),
                new Statement.NoOp("DROP DATABASE", "x"));
    }

    @Test
    void showStatements() throws Exception {
        assertThat(parse("SHOW DATABASES")).containsExactly(new Statement.ShowDatabases());
        assertThat(parse("show retention policies on \"db\"")).containsExactly(new Statement.ShowRetentionPolicies("db"));
        Statement.ShowMeasurements m = (Statement.ShowMeasurements) parse(
                "SHOW MEASUREMENTS WITH MEASUREMENT =~ /(?i)cpu/ LIMIT 100").get(0);
        assertThat(m.regex().pattern()).isEqualTo("(?i)cpu");
        assertThat(m.limit()).isEqualTo(100);
        assertThat(parse("SHOW TAG KEYS FROM \"cpu\"")).containsExactly(new Statement.ShowTagKeys("cpu", List.of(), 0, 0));
        // Grafana's query editor narrows its lists by the tags already chosen (influxql_query_builder.ts).
        assertThat(parse("SHOW TAG KEYS FROM \"cpu\" WHERE \"host\" = 'a'"))
                .containsExactly(new Statement.ShowTagKeys("cpu", List.of(new TagCondition("host", "a")), 0, 0));
        Statement.ShowMeasurements w = (Statement.ShowMeasurements) parse(
                "SHOW MEASUREMENTS WITH MEASUREMENT =~ /(?i)cpu/ WHERE \"host\"::tag = 'a' AND time > now() - 1h LIMIT 100").get(0);
        assertThat(w.where()).containsExactly(new TagCondition("host", "a"));
        assertThat(w.limit()).isEqualTo(100);
        Statement.ShowTagValues v = (Statement.ShowTagValues) parse(
                "SHOW TAG VALUES FROM \"cpu\" WITH KEY = \"host\" WHERE \"dc\" = 'eu' LIMIT 10").get(0);
        assertThat(v.measurement()).isEqualTo("cpu");
        assertThat(v.keys()).containsExactly("host");
        assertThat(v.where()).containsExactly(new TagCondition("dc", "eu"));
        assertThat(((Statement.ShowTagValues) parse("SHOW TAG VALUES WITH KEY IN (\"a\", \"b\")").get(0)).keys())
                .containsExactly("a", "b");
        assertThat(parse("SHOW FIELD KEYS FROM cpu")).containsExactly(new Statement.ShowFieldKeys("cpu"));
    }

    @Test
    void syntaxErrorsReadAsInfluxDBs() {
        assertThatThrownBy(() -> parse("SELECT FROM cpu")).isInstanceOf(InfluxQLException.class)
                .hasMessage("error parsing query: found cpu, expected FROM at line 1, char 13")
                .matches(e -> !((InfluxQLException) e).unsupported());
        assertThatThrownBy(() -> parse("SELEKT 1")).hasMessageStartingWith("error parsing query: found SELEKT, expected SELECT");
        assertThatThrownBy(() -> parse("SELECT mean(value) FROM cpu WHERE host = 'a")).hasMessageContaining("unterminated string");
        assertThatThrownBy(() -> parse("")).hasMessageContaining("found EOF");
        assertThatThrownBy(() -> parse("SELECT mean(value), value FROM cpu WHERE time > now() - 1h"))
                .hasMessage("mixing aggregate and non-aggregate queries is not supported");
    }

    @Test
    void unsupportedInfluxQLIsNamed() {
        String[] queries = {
                "SELECT percentile(value, 95) FROM cpu WHERE time > now() - 1h",
                "SELECT mean(value) FROM cpu WHERE time > now() - 1h AND (host = 'a' OR host = 'b')",
                "SELECT mean(value) FROM cpu WHERE host != 'a' AND time > now() - 1h",
                "SELECT mean(value) FROM cpu WHERE host =~ /^web-\\d+$/ AND time > now() - 1h",
                "SELECT mean(value) FROM cpu WHERE host =~ /^(a|b.)$/ AND time > now() - 1h",
                "SELECT mean(value) FROM cpu WHERE host =~ /web/ AND time > now() - 1h",
                "SELECT mean(value) FROM /cpu.*/ WHERE time > now() - 1h",
                "SELECT mean(value) FROM cpu WHERE time > now() - 1h GROUP BY time(1m, 15s)",
                "SELECT mean(value) FROM cpu WHERE time > now() - 1h GROUP BY time(1m) fill(linear)",
                "SELECT mean(value) FROM cpu GROUP BY time(1m)",
                "SELECT mean(value) INTO other FROM cpu WHERE time > now() - 1h",
                "SELECT value * 2 FROM cpu",
                "DELETE FROM cpu",
                "SHOW SERIES",
                "SELECT mean(value) FROM cpu WHERE time > now() - 1h tz('Europe/Paris')",
        };
        for (String q : queries) {
            assertThatThrownBy(() -> parse(q)).as(q).isInstanceOf(InfluxQLException.class)
                    .hasMessageStartingWith("not in Sluice's InfluxQL subset")
                    .matches(e -> ((InfluxQLException) e).unsupported());
        }
    }

    @Test
    void anchoredLiterals() {
        assertThat(InfluxQLParser.anchoredLiterals("^a\\.b$")).containsExactly("a.b");
        assertThat(InfluxQLParser.anchoredLiterals("^a.b$")).isNull();
        assertThat(InfluxQLParser.anchoredLiterals("a")).isNull();
        assertThat(InfluxQLParser.anchoredLiterals("^$")).containsExactly("");
        // Grafana's multi-value variable: the values regex-escaped, joined by | in parentheses.
        assertThat(InfluxQLParser.anchoredLiterals("^(web\\-1\\.eu|web\\-2\\.eu)$")).containsExactly("web-1.eu", "web-2.eu");
        assertThat(InfluxQLParser.anchoredLiterals("^(?:a|b|a)$")).containsExactly("a", "b");
        assertThat(InfluxQLParser.anchoredLiterals("^(a)$")).containsExactly("a");
        assertThat(InfluxQLParser.anchoredLiterals("^\\(a\\)$")).containsExactly("(a)");
        assertThat(InfluxQLParser.anchoredLiterals("^(a|b)c$")).isNull();
        assertThat(InfluxQLParser.anchoredLiterals("^a|b$")).isNull();
        assertThat(InfluxQLParser.anchoredLiterals("^(a|(b))$")).isNull();
        assertThat(InfluxQLParser.anchoredLiterals("^(a\\)$")).isNull();
    }

    @Test
    void aMultiValueVariableIsOneConditionWithEachValue() throws Exception {
        Statement.Select s = (Statement.Select) parse("SELECT mean(\"value\") FROM \"cpu\" WHERE (\"host\" =~ /^(a|b\\.c)$/)"
                + " AND time > now() - 1h GROUP BY time(1m)").get(0);
        assertThat(s.where()).containsExactly(new TagCondition("host", List.of("a", "b.c")));
    }
}
