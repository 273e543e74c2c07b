package io.sluice.codec;

import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class UuidsTest {
    @Test
    void onlyTheCanonicalFormIsAUuid() {
        assertThat(Uuids.isCanonical("0f8fad5b-d9cb-469f-a165-70867728950e")).isTrue();
        assertThat(Uuids.isCanonical("0F8FAD5B-D9CB-469F-A165-70867728950E")).isTrue();
        assertThat(Uuids.isCanonical(UUID.randomUUID().toString())).isTrue();
        // Java's UUID.fromString takes this; PostgreSQL does not.
        String shortGroup = "a848255-b74c-4c49-bc31-ad2eedc0b053";
        assertThat(UUID.fromString(shortGroup)).isNotNull();
        assertThat(Uuids.isCanonical(shortGroup)).isFalse();
        for (String bad : new String[] {"", "x", "0f8fad5b-d9cb-469f-a165-70867728950", "0f8fad5b-d9cb-469f-a165-70867728950e0",
                "0f8fad5bd-9cb-469f-a165-70867728950e", "0f8fad5b-d9cb-469f-a165-70867728950g", "0f8fad5b+d9cb-469f-a165-70867728950e",
                "{0f8fad5b-d9cb-469f-a165-70867728950}", "0f8fad5b-d9cb-469f-a165-7086772895\u0660e"}) {
            assertThat(Uuids.isCanonical(bad)).as(bad).isFalse();
        }
        assertThat(Uuids.isCanonical(null)).isFalse();
    }
}
