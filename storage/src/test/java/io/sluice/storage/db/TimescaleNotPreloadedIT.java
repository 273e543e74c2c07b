package io.sluice.storage.db;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.sluice.codec.SampleSink;
import io.sluice.codec.SeriesKey;
import io.sluice.storage.Storage;
import io.sluice.storage.TestDatabase;
import io.sluice.storage.Writes;
import io.sluice.storage.metrics.Metrics;
import io.sluice.storage.ring.SampleBatch;
import io.sluice.storage.ring.SampleEvent;
import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A PostgreSQL whose {@code pg_available_extensions} lists timescaledb but which does not preload
 * it. TimescaleDB is not packaged here, so a PostgreSQL of this test's own
 * (the build's embedded binaries, unpacked into a scratch directory, never the shared copy) gets a
 * stand-in extension: a control file, which is all {@code pg_available_extensions} reads, and a
 * script that ends the session as the real {@code CREATE EXTENSION} does when the library is not
 * preloaded (FATAL "must be preloaded"). The preloaded path runs in {@code TimescaleIT} against a
 * real TimescaleDB when {@code SLUICE_TEST_TIMESCALE_URL} is set.
 */
class TimescaleNotPreloadedIT {
    @TempDir
    static Path work;
    private static EmbeddedPostgres pg;

    @BeforeAll
    static void start() throws Exception {
        // A resolver of its own: zonky caches unpacked binaries per resolver, and with the default
        // one it would reuse the copy every other test shares, whatever the working directory.
        PgBinaryResolver own = (system, hardware) -> DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(system, hardware);
        pg = EmbeddedPostgres.builder().setPgBinaryResolver(own).setOverrideWorkingDirectory(work.toFile()).start();
        Path extensions;
        try (Stream<Path> s = Files.find(work, 6, (p, a) -> p.endsWith(Path.of("share", "postgresql", "extension")))) {
            extensions = s.findFirst().orElseThrow(() -> new IllegalStateException("no extension directory under " + work));
        }
        Files.writeString(extensions.resolve("timescaledb.control"), """
                comment = 'stand-in for a TimescaleDB package installed but not preloaded (Sluice test)'
                default_version = '0.0.1'
                relocatable = false
                """);
        Files.writeString(extensions.resolve("timescaledb--0.0.1.sql"), "SELECT pg_terminate_backend(pg_backend_pid());\n");
    }

    @AfterAll
    static void stop() throws Exception {
        if (pg != null) {
            pg.close();
        }
    }

    private static DatabaseUrl fresh(String name) throws SQLException {
        try (Connection c = DriverManager.getConnection(pg.getJdbcUrl("postgres", "postgres")); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        }
        return new DatabaseUrl("jdbc:postgresql://localhost:" + pg.getPort() + "/" + name, "postgres", null);
    }

    @Test
    void theStandInBehavesLikeTheRealPackage() throws Exception {
        DatabaseUrl url = fresh("standin");
        try (Connection c = TestDatabase.connect(url)) {
            TimescaleProbe probe = TimescaleProbe.read(c);
            assertThat(probe.available()).isTrue();
            assertThat(probe.created()).isFalse();
            assertThat(probe.loaderSettings()).isFalse();
            assertThat(probe.preload()).isEmpty();
            assertThat(probe.verdict()).isEqualTo(TimescaleProbe.Verdict.NOT_PRELOADED);
            try (Statement st = c.createStatement()) {
                assertThatThrownBy(() -> st.execute("CREATE EXTENSION timescaledb")).isInstanceOf(SQLException.class);
            }
            assertThat(c.isValid(2)).as("the session is gone, as after FATAL").isFalse();
        }
    }

    @Test
    void sluiceStartsOnPlainTablesAndSaysHowToEnableTimescale() throws Exception {
        DatabaseUrl url = fresh("not_preloaded");
        Logger schemaLog = (Logger) LoggerFactory.getLogger(Schema.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        schemaLog.addAppender(logged);
        try (Storage storage = Storage.open(TestDatabase.storageConfig(url, 1, 100), new Metrics())) {
            storage.start();
            assertThat(storage.flavor()).isEqualTo(Schema.Flavor.POSTGRES);
            assertThat(logged.list).filteredOn(e -> e.getLevel() == Level.WARN).singleElement()
                    .satisfies(e -> assertThat(e.getFormattedMessage()).contains("not preloaded")
                            .contains("shared_preload_libraries").contains("restart PostgreSQL"));

            SeriesKey key = storage.registry().pending(SeriesKey.of("plain", Map.of()));
            SampleBatch batch = new SampleBatch(4);
            batch.add(SampleEvent.UNRESOLVED, key, Instant.now().toEpochMilli() * 1000, 1, SampleSink.NO_STEP);
            assertThat(Writes.request(storage, batch).get(60, TimeUnit.SECONDS)).isEqualTo("ok");
        } finally {
            schemaLog.detachAppender(logged);
        }
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples")).isEqualTo(1);
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM pg_extension WHERE extname = 'timescaledb'")).isZero();
    }
}
