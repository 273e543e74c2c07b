package io.sluice.server.net;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AllowListTest {
    static final AllowList LIST = AllowList.parse(List.of("10.0.0.0/8", "192.168.1.7", "172.16.0.0/12", "fd00::/8",
            "2001:db8::1/128", "100.64.0.0/10"));

    @ParameterizedTest
    @CsvSource({
            "10.1.2.3, true", "11.0.0.1, false", "9.255.255.255, false",
            "192.168.1.7, true", "192.168.1.8, false",
            "172.16.0.1, true", "172.31.255.255, true", "172.32.0.0, false",
            "100.64.0.1, true", "100.127.255.255, true", "100.128.0.0, false",
            "fd12:3456::1, true", "fe80::1, false", "2001:db8::1, true", "2001:db8::2, false",
            "::ffff:10.9.9.9, true",
    })
    void blocksContainTheirAddressesAndNoOthers(String address, boolean allowed) throws Exception {
        assertThat(LIST.allows(InetAddress.getByName(address))).isEqualTo(allowed);
    }

    @Test
    void loopbackAndAny() throws Exception {
        assertThat(AllowList.LOOPBACK.allows(InetAddress.getByName("127.0.0.2"))).isTrue();
        assertThat(AllowList.LOOPBACK.allows(InetAddress.getByName("::1"))).isTrue();
        assertThat(AllowList.LOOPBACK.allows(InetAddress.getByName("10.0.0.1"))).isFalse();
        assertThat(AllowList.ANY.allows(InetAddress.getByName("203.0.113.9"))).isTrue();
        assertThat(AllowList.ANY.allows(InetAddress.getByName("2001:db8::9"))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/x", "example.com", "10.0.0.0/", "", "fd00::/129"})
    void badEntriesAreNamed(String entry) {
        assertThatThrownBy(() -> AllowList.parse(List.of("10.0.0.0/8", entry)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'" + entry + "'");
    }
}
