package io.sluice.codec;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class ParseErrorTest {
    @Test
    void anExcerptIsTheTextCutToMaxTextCharacters() {
        byte[] b = ("ab" + "x".repeat(300)).getBytes(StandardCharsets.UTF_8);
        assertThat(ParseError.excerpt(b, 1, 5)).isEqualTo("bxxxx");
        assertThat(ParseError.excerpt(b, 0, b.length)).hasSize(ParseError.MAX_TEXT).startsWith("abx");
    }

    @Test
    void anExcerptNeverSplitsACharacter() {
        byte[] emoji = "😀".repeat(300).getBytes(StandardCharsets.UTF_8);
        String s = ParseError.excerpt(emoji, 0, emoji.length);
        assertThat(s).hasSize(ParseError.MAX_TEXT).doesNotContain("\uFFFD");
        assertThat(s.codePoints().allMatch(c -> c == 0x1F600)).isTrue();
        byte[] e = "é".repeat(1000).getBytes(StandardCharsets.UTF_8);
        assertThat(ParseError.excerpt(e, 0, e.length)).isEqualTo("é".repeat(ParseError.MAX_TEXT));
    }
}
