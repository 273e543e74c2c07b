package io.sluice.server.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Keys a protocol declares join the configuration: defaults, validation, the settings' order. */
class ProtocolKeysTest {
    @TempDir
    Path dir;

    @Test
    void statsdKeysHaveTheirDefaultsAndComeRightAfterTheOtherPorts() {
        Config c = ConfigLoader.load(null, false, Map.of());
        assertThat(c.integer("statsd_port")).isEqualTo(8125);
        assertThat(c.duration("statsd_flush_interval")).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.numbers("statsd_percentiles")).containsExactly(50, 90, 95, 99);
        assertThat(c.size("statsd_memory")).isEqualTo(64L << 20);
        assertThat(c.settings()).extracting(Config.Setting::key)
                .startsWith("http_port", "udp_line_port", "udp_json_port", "statsd_port");
        assertThat(c.settings()).filteredOn(s -> s.key().equals("statsd_percentiles"))
                .extracting(Config.Setting::value).containsExactly("50, 90, 95, 99");
    }

    @Test
    void aNumberListReadsFromTheEnvironmentAndFromATomlArray() throws Exception {
        assertThat(ConfigLoader.load(null, false, Map.of("SLUICE_STATSD_PERCENTILES", "99.9, 75,100"))
                .numbers("statsd_percentiles")).containsExactly(99.9, 75, 100);
        Path toml = dir.resolve("config.toml");
        Files.writeString(toml, "statsd_percentiles = [50, 99.5]\n");
        assertThat(ConfigLoader.load(toml, true, Map.of()).numbers("statsd_percentiles")).containsExactly(50, 99.5);
    }

    @Test
    void badNumberListsAreRefusedWithTheKeyNamed() {
        for (String bad : new String[]{"0", "101", "50,x", "-5"}) {
            ConfigException e = catchThrowableOfType(ConfigException.class,
                    () -> ConfigLoader.load(null, false, Map.of("SLUICE_STATSD_PERCENTILES", bad)));
            assertThat(e).as(bad).isNotNull();
            assertThat(e.problems()).as(bad).singleElement().asString()
                    .startsWith("statsd_percentiles (from env SLUICE_STATSD_PERCENTILES): ");
        }
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.load(null, false, Map.of("SLUICE_STATSD_FLUSH_INTERVAL", "100ms")));
        assertThat(e.problems()).singleElement().asString().startsWith("statsd_flush_interval");
    }
}
