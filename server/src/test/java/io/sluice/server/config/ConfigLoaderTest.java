package io.sluice.server.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    @Test
    void defaultsNeedNothing() {
        Config c = ConfigLoader.load(null, false, Map.of());
        assertThat(c.httpPort()).isEqualTo(8080);
        assertThat(c.udpLinePort()).isEqualTo(8089);
        assertThat(c.udpJsonPort()).isEqualTo(8090);
        assertThat(c.databaseUrl()).isNull();
        assertThat(c.dataDir()).isEqualTo("./data");
        assertThat(c.retentionRaw()).isEqualTo(Duration.ofDays(30));
        assertThat(c.batchSize()).isEqualTo(1000);
    }

    @Test
    void writeAckAutoIsTheLocalJournalOnTheEmbeddedDatabaseAndTheCommitOnAnother() {
        assertThat(ConfigLoader.load(null, false, Map.of()).writeAck()).isEqualTo("local");
        Config external = ConfigLoader.load(null, false, Map.of("SLUICE_DATABASE_URL", "postgresql://db.example:5432/sluice"));
        assertThat(external.writeAck()).isEqualTo("commit");
        assertThat(external.writeAckLocal()).isFalse();
        assertThat(ConfigLoader.load(null, false, Map.of("SLUICE_WRITE_ACK", "commit")).writeAck()).isEqualTo("commit");
        assertThat(ConfigLoader.load(null, false, Map.of("SLUICE_WRITE_ACK", "journal")).writeAckJournal()).isTrue();
    }

    @Test
    void tomlThenLegacyNamesThenSluiceVariablesEachOverride() throws Exception {
        Path toml = dir.resolve("config.toml");
        Files.writeString(toml, "http_port = 9000\nudp_line_port = 9001\nwriter_linger = \"20ms\"\n");
        Config c = ConfigLoader.load(toml, true, Map.of("PORT", "9100", "SLUICE_UDP_LINE_PORT", "9200",
                "DATABASE_URL", "postgres://u:secret@db:5433/metrics", "CACHE_TIMEOUT", "60"));
        assertThat(c.httpPort()).isEqualTo(9100);
        assertThat(c.udpLinePort()).isEqualTo(9200);
        assertThat(c.writerLinger()).isEqualTo(Duration.ofMillis(20));
        assertThat(c.databaseUrl()).isEqualTo("postgres://u:secret@db:5433/metrics");
        assertThat(c.cacheTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.describe()).doesNotContain("secret").contains("u:****@db");
    }

    @Test
    void settingsShowValuesAsWrittenWithTheirSourceAndSecretsMasked() {
        Config c = ConfigLoader.load(null, false, Map.of("SLUICE_DATABASE_URL",
                "jdbc:postgresql://db:5432/m?user=u&password=hunter2", "SLUICE_WRITER_LINGER", "250ms",
                "REDIS_URL", "redis://:pw@cache:6379"));
        Map<String, Config.Setting> byKey = new java.util.HashMap<>();
        c.settings().forEach(s -> byKey.put(s.key(), s));
        assertThat(byKey.get("writer_linger")).isEqualTo(new Config.Setting("writer_linger", "250ms", "20ms",
                "env SLUICE_WRITER_LINGER", false, "how long a partial batch waits for more rows"));
        assertThat(byKey.get("max_body_bytes").value()).isEqualTo("16MiB");
        assertThat(byKey.get("retention_raw").value()).isEqualTo("30d");
        assertThat(byKey.get("max_sample_age").value()).isEqualTo("0s");
        assertThat(byKey.get("http_port").source()).isEqualTo("default");
        assertThat(byKey.get("database_url").value()).isEqualTo("jdbc:postgresql://db:5432/m?user=u&password=****");
        assertThat(byKey.get("database_url").secret()).isTrue();
        assertThat(byKey.get("redis_url").value()).doesNotContain("pw").contains("cache:6379");
        assertThat(byKey.get("redis_url").source()).isEqualTo("env REDIS_URL");
        assertThat(c.settings().toString()).doesNotContain("hunter2");
        assertThat(c.settings()).extracting(Config.Setting::key).startsWith("http_port", "udp_line_port");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "postgres://u:secret@db:5433/m|postgres://u:****@db:5433/m",
        "postgres://u@db/m|postgres://u@db/m",
        "redis://:secret@cache:6379|redis://:****@cache:6379",
        "redis://secret@cache:6379|redis://****@cache:6379",
        "rediss://user:secret@cache|rediss://user:****@cache",
        "jdbc:postgresql://db/m?user=u&password=secret&ssl=true|jdbc:postgresql://db/m?user=u&password=****&ssl=true",
        "redis://cache:6379/0|redis://cache:6379/0",
    })
    void urlsLoseTheirPasswordsWhateverTheirForm(String url, String masked) {
        assertThat(Config.mask(url)).isEqualTo(masked);
    }

    @Test
    void everyWrongKeyIsReportedAtOnceWithItsName() throws Exception {
        Path toml = dir.resolve("config.toml");
        Files.writeString(toml, "http_prot = 1\nring_size = 3000\n");
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(toml, true,
                Map.of("SLUICE_HTTP_PORT", "70000", "SLUICE_WRITER_LINGER", "soon", "SLUICE_DATABASE_URL", "mysql://x",
                        "SLUICE_MAX_BODY_BYTES", "lots", "SLUICE_CHUNK_INTERVAL", "1 day; DROP TABLE x")));
        assertThat(e.problems()).hasSize(7);
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("http_prot: unknown key"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("ring_size").contains("power of two"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p)
                .isEqualTo("http_port (from env SLUICE_HTTP_PORT): 70000 is out of range [0, 65535]"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("writer_linger").contains("not a duration"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("database_url").contains("postgres://"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("max_body_bytes").contains("16MiB"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("chunk_interval"));
    }

    @Test
    void sizesAndDurationsReadTheirUnits() {
        Config c = ConfigLoader.load(null, false, Map.of("SLUICE_MAX_BODY_BYTES", "512KiB",
                "SLUICE_RETENTION_RAW", "2w", "SLUICE_HTTP_ACK_TIMEOUT", "1500ms"));
        assertThat(c.maxBodyBytes()).isEqualTo(512 * 1024);
        assertThat(c.retentionRaw()).isEqualTo(Duration.ofDays(14));
        assertThat(c.httpAckTimeout()).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void aConfigFileNamedExplicitlyMustExist() {
        assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("missing.toml"), true, Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("not found");
        assertThat(ConfigLoader.load(dir.resolve("missing.toml"), false, Map.of()).httpPort()).isEqualTo(8080);
    }
}
