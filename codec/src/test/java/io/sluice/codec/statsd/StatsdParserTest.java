package io.sluice.codec.statsd;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Golden inputs for every form the README's StatsD section lists, written back as text. */
class StatsdParserTest {
    private final StatsdParser parser = new StatsdParser();

    private java.util.List<String> parse(String text) {
        return StatsdRecorder.parse(parser, text).out;
    }

    @Test
    void counterWithAndWithoutASampleRate() {
        assertThat(parse("deploys.test.myservice:1|c\ndeploys.test.myservice:101|c|@0.1\nneg:-3|c\nplus:+2|c"))
                .containsExactly(
                        "deploys_test_myservice{metric_type=counter} c 1.0",
                        "deploys_test_myservice{metric_type=counter} c 101.0 @0.1",
                        "neg{metric_type=counter} c -3.0",
                        "plus{metric_type=counter} c 2.0");
    }

    @Test
    void gaugesAbsoluteAndRelative() {
        assertThat(parse("users.current:32|g\nusers.current:+10|g\nusers.current:-10|g\nt:1.5e2|g"))
                .containsExactly(
                        "users_current{metric_type=gauge} g 32.0",
                        "users_current{metric_type=gauge} g +10.0",
                        "users_current{metric_type=gauge} g -10.0",
                        "t{metric_type=gauge} g 150.0");
    }

    @Test
    void timingsHistogramsDistributionsAndSets() {
        assertThat(parse("load.time:320|ms\nload.time:200|ms|@0.5\nsize:7|h\nlat:0.25|d\nusers.unique:user-7|s\nneg:-4|h"))
                .containsExactly(
                        "load_time{metric_type=timing} ms 320.0",
                        "load_time{metric_type=timing} ms 200.0 @0.5",
                        "size{metric_type=histogram} h 7.0",
                        "lat{metric_type=distribution} d 0.25",
                        "users_unique{metric_type=set} s 'user-7'",
                        "neg{metric_type=histogram} h -4.0");
    }

    @Test
    void severalLinesInOneDatagramWithCrLfAndBlankLines() {
        assertThat(parse("a:1|c\r\n\n  b:2|g  \n\r\nc:3|ms\n"))
                .containsExactly("a{metric_type=counter} c 1.0", "b{metric_type=gauge} g 2.0",
                        "c{metric_type=timing} ms 3.0");
        assertThat(parser.line()).isEqualTo(5);
    }

    @Test
    void dogStatsdValuePackingSharesTypeRateAndTags() {
        assertThat(parse("my.metric:1.5:20:30|h|@0.5|#tag1:a,tag2"))
                .containsExactly(
                        "my_metric{metric_type=histogram, tag1=a, tag2=true} h 1.5 @0.5",
                        "my_metric{metric_type=histogram, tag1=a, tag2=true} h 20.0 @0.5",
                        "my_metric{metric_type=histogram, tag1=a, tag2=true} h 30.0 @0.5");
    }

    @Test
    void dogStatsdTagsWithColonsInValuesEmptyValuesAndFlags() {
        assertThat(parse("page.views:1|c|#env:prod,url:http://x/y,flag,empty:,,k2:v2"))
                .containsExactly("page_views{empty=true, env=prod, flag=true, k2=v2, metric_type=counter, url=http://x/y} c 1.0");
    }

    @Test
    void tagsInTheBucketTheInfluxWay() {
        assertThat(parse("users.current,service=payroll,region=us-west:32|g"))
                .containsExactly("users_current{metric_type=gauge, region=us-west, service=payroll} g 32.0");
    }

    @Test
    void dogStatsdTagsWinOverBucketTagsAndMetricTypeIsAlwaysTheTypeSent() {
        assertThat(parse("m,env=a:1|c|#env:b,metric_type:gauge"))
                .containsExactly("m{env=b, metric_type=counter} c 1.0");
    }

    @Test
    void severalGroupsOnOneLineTheTelegrafWay() {
        assertThat(parse("users.current:32|g:+10|g:-10|g\nfoo:1|c:200|ms\ndeploys:1|c:101|c|@0.1:1|c\nu:101|s:102|s"))
                .containsExactly(
                        "users_current{metric_type=gauge} g 32.0",
                        "users_current{metric_type=gauge} g +10.0",
                        "users_current{metric_type=gauge} g -10.0",
                        "foo{metric_type=counter} c 1.0",
                        "foo{metric_type=timing} ms 200.0",
                        "deploys{metric_type=counter} c 1.0",
                        "deploys{metric_type=counter} c 101.0 @0.1",
                        "deploys{metric_type=counter} c 1.0",
                        "u{metric_type=set} s '101'",
                        "u{metric_type=set} s '102'");
    }

    @Test
    void setMembersMayHoldColonsAndAnyText() {
        assertThat(parse("ips:10.0.0.1:8080|s|#a:b\nnames:caf\u00e9 \u2603|s"))
                .containsExactly("ips{a=b, metric_type=set} s '10.0.0.1:8080'",
                        "names{metric_type=set} s 'caf\u00e9 \u2603'");
    }

    @Test
    void laterDogStatsdFieldsAreAcceptedAndIgnored() {
        assertThat(parse("m:1|c|#a:b|c:83c0a99c0a54c0c187f461c7980e9b57f3f6a8b0c918c8d93df19a9de6f3fe1d|T1656581400|card:low|e:it-false"))
                .containsExactly("m{a=b, metric_type=counter} c 1.0");
        assertThat(parse("m:2|g|T1656581400|#x:y")).containsExactly("m{metric_type=gauge, x=y} g 2.0");
    }

    @Test
    void eventsAndServiceChecksAreCountedAndSkipped() {
        StatsdRecorder r = StatsdRecorder.parse(parser,
                "_e{21,36}:An exception occurred|Cannot parse CSV file from 10.0.0.17|t:warning|#err_type:bad_file\n"
                        + "_sc|Redis connection|2|#env:dev|m:Redis connection timed out after 10s\nok:1|c");
        assertThat(r.out).containsExactly("skipped EVENT", "skipped SERVICE_CHECK", "ok{metric_type=counter} c 1.0");
        assertThat(r.errors).isEmpty();
    }

    @Test
    void unicodeNamesAndTagsAreKept() {
        assertThat(parse("temp\u00e9rature,salle=caf\u00e9:21.5|g|#\u00e9tage:2"))
                .containsExactly("temp\u00e9rature{metric_type=gauge, salle=caf\u00e9, \u00e9tage=2} g 21.5");
    }

    @Test
    void aRateOnAGaugeOrSetIsAcceptedAndPassedOn() {
        assertThat(parse("g:5|g|@0.5\ns:x|s|@0.5")).containsExactly("g{metric_type=gauge} g 5.0 @0.5",
                "s{metric_type=set} s 'x'");
    }

    @Test
    void returnsHowManyValuesItGave() {
        byte[] b = "a:1:2:3|ms\nb:x|s\n_e{1,1}:a|b\nbad".getBytes();
        assertThat(parser.parse(b, 0, b.length, new StatsdRecorder())).isEqualTo(4);
    }
}
