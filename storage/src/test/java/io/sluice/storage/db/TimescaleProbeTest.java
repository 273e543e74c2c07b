package io.sluice.storage.db;

import org.junit.jupiter.api.Test;

import static io.sluice.storage.db.TimescaleProbe.Verdict.ABSENT;
import static io.sluice.storage.db.TimescaleProbe.Verdict.NOT_PRELOADED;
import static io.sluice.storage.db.TimescaleProbe.Verdict.USE;
import static org.assertj.core.api.Assertions.assertThat;

class TimescaleProbeTest {
    @Test
    void installedButNotPreloadedFallsBackWhateverTheRoleMayRead() {
        // Superuser: the list is readable and lacks it.
        assertThat(new TimescaleProbe(true, false, "pg_stat_statements", false).verdict()).isEqualTo(NOT_PRELOADED);
        assertThat(new TimescaleProbe(true, false, "", false).verdict()).isEqualTo(NOT_PRELOADED);
        // Another role: the list is hidden, and no timescaledb.* setting exists.
        assertThat(new TimescaleProbe(true, false, null, false).verdict()).isEqualTo(NOT_PRELOADED);
    }

    @Test
    void preloadedOrAlreadyCreatedIsUsed() {
        assertThat(new TimescaleProbe(true, false, "pg_stat_statements, timescaledb", true).verdict()).isEqualTo(USE);
        // Another role sees the loader's settings though not the list.
        assertThat(new TimescaleProbe(true, false, null, true).verdict()).isEqualTo(USE);
        assertThat(new TimescaleProbe(true, false, "'$libdir/timescaledb'", false).verdict()).isEqualTo(USE);
        assertThat(new TimescaleProbe(true, true, null, false).verdict()).isEqualTo(USE);
    }

    @Test
    void notInstalledIsAbsent() {
        assertThat(new TimescaleProbe(false, false, "", false).verdict()).isEqualTo(ABSENT);
        assertThat(new TimescaleProbe(false, false, null, false).verdict()).isEqualTo(ABSENT);
    }

    @Test
    void preloadListItemsMayBeQuotedOrPaths() {
        assertThat(TimescaleProbe.preloads("timescaledb")).isTrue();
        assertThat(TimescaleProbe.preloads(" \"timescaledb\" ,auto_explain")).isTrue();
        assertThat(TimescaleProbe.preloads("$libdir/timescaledb.so")).isTrue();
        assertThat(TimescaleProbe.preloads("timescaledb_toolkit")).isFalse();
        assertThat(TimescaleProbe.preloads("pg_timescaledb_stub")).isFalse();
        assertThat(TimescaleProbe.preloads(null)).isFalse();
    }
}
