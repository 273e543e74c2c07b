package io.sluice.storage.writer;

import java.nio.file.Path;

/** Another process holding a local journal directory's lock until its standard input closes (LocalJournalIT). */
public final class JournalLockHolder {
    private JournalLockHolder() {
    }

    public static void main(String[] args) throws Exception {
        try (LocalJournal j = LocalJournal.open(Path.of(args[0]), JournalConfig.SEGMENT_BYTES, new io.sluice.storage.metrics.Metrics())) {
            System.out.println("locked " + j.id());
            System.out.flush();
            while (System.in.read() >= 0) {
                // held until the test closes our input
            }
        }
    }
}
