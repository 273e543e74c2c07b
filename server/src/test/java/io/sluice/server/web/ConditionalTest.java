package io.sluice.server.web;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class ConditionalTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "W/\"abc\"|true",
        "\"abc\"|true",
        "*|true",
        "\"x\", W/\"abc\"|true",
        "W/\"abcd\"|false",
        "\"ab\"|false",
        "|false",
    })
    void ifNoneMatchComparesWeakly(String header, boolean expected) {
        assertThat(Conditional.matches(header, "W/\"abc\"")).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "gzip|true",
        "gzip, deflate, br|true",
        "deflate, GZIP;q=0.5|true",
        "*|true",
        "x-gzip|true",
        "gzip;q=0|false",
        "gzip; q=0.000|false",
        "deflate, br|false",
        "identity|false",
        "|false",
    })
    void acceptEncodingAllowsGzipUnlessRefused(String header, boolean expected) {
        assertThat(Conditional.acceptsGzip(header)).isEqualTo(expected);
    }
}
