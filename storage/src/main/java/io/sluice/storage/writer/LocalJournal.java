package io.sluice.storage.writer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The directory of the writers' journal files for {@code write_ack = local} (README, "What an
 * answer guarantees"): {@code <data_dir>/journal/}, holding an exclusive lock file (a second
 * process on the same directory refuses to start), the journal's id ({@code id}, a random UUID
 * made once: it names this journal's marks in {@code sluice_journal_marks}), and one
 * {@link JournalFile} a writer.
 *
 * <p>A journal position names the end of a record: writer (7 bits), segment (28) and byte offset
 * in it (28) in one long, ordered as the records are within a writer's journal.
 */
public final class LocalJournal implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalJournal.class);
    static final long MAX_SEGMENT = (1L << 28) - 1;
    /** A segment and its last record must end below 2^28 bytes (positions keep 28 bits for it). */
    static final long MAX_SEGMENT_BYTES = 128L << 20;
    static final int MAX_WRITERS = 128;
    private static final Pattern SEGMENT = Pattern.compile("w(\\d{1,3})-(\\d{12})\\.journal");

    private final Path dir;
    private final long segmentBytes;
    private final UUID id;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final List<JournalFile> files = new ArrayList<>();
    /** Writers' journals begin at this segment number: past every segment and mark of earlier starts. */
    private volatile long firstSegment;

    private LocalJournal(Path dir, long segmentBytes, UUID id, FileChannel lockChannel, FileLock lock) {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
        this.id = id;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Opens (making it when missing) the journal directory and takes its lock.
     *
     * @throws IOException with a message naming the directory when another process holds it
     */
    public static LocalJournal open(Path dir, long segmentBytes) throws IOException {
        Files.createDirectories(dir);
        FileChannel ch = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            ch.close();
            throw new IOException("the journal directory " + dir.toAbsolutePath() + " is in use by another Sluice process"
                    + " (write_ack = local needs a data_dir of its own for every process)");
        }
        try {
            UUID id = readOrMakeId(dir);
            return new LocalJournal(dir, segmentBytes, id, ch, lock);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static UUID readOrMakeId(Path dir) throws IOException {
        Path file = dir.resolve("id");
        if (Files.exists(file)) {
            String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
            try {
                return UUID.fromString(text);
            } catch (IllegalArgumentException e) {
                throw new IOException("the journal id file " + file.toAbsolutePath() + " does not hold a UUID: '" + text + "'");
            }
        }
        UUID id = UUID.randomUUID();
        Path tmp = dir.resolve("id.tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap((id + "\n").getBytes(StandardCharsets.US_ASCII)));
            ch.force(true);
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        syncDirectory(dir);
        return id;
    }

    /** This journal's id: its marks in {@code sluice_journal_marks} carry it. */
    public UUID id() {
        return id;
    }

    public Path dir() {
        return dir;
    }

    long segmentBytes() {
        return segmentBytes;
    }

    /** The end of a record as one long: ordered as records are within writer {@code writer}'s journal. */
    static long position(int writer, long segment, long offset) {
        return ((long) writer << 56) | (segment << 28) | offset;
    }

    static int writerOf(long position) {
        return (int) (position >>> 56);
    }

    static long segmentOf(long position) {
        return (position >>> 28) & MAX_SEGMENT;
    }

    static long offsetOf(long position) {
        return position & ((1L << 28) - 1);
    }

    Path segmentPath(int writer, long segment) {
        return dir.resolve(String.format("w%d-%012d.journal", writer, segment));
    }

    /** Segments on disk, by writer, each writer's in order. */
    TreeMap<Integer, List<Long>> segments() throws IOException {
        TreeMap<Integer, List<Long>> found = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Matcher m = SEGMENT.matcher(p.getFileName().toString());
                if (m.matches()) {
                    found.computeIfAbsent(Integer.parseInt(m.group(1)), w -> new ArrayList<>()).add(Long.parseLong(m.group(2)));
                }
            }
        }
        found.values().forEach(l -> l.sort(null));
        return found;
    }

    /** Set by the recovery: what writers' journals begin at. */
    void beginAt(long segment) {
        firstSegment = segment;
    }

    /** Opens writer {@code writer}'s journal for appending, in a new segment. */
    synchronized JournalFile writer(int writer) {
        if (writer >= MAX_WRITERS) {
            throw new IllegalArgumentException("at most " + MAX_WRITERS + " writers keep a local journal, not " + (writer + 1));
        }
        while (files.size() <= writer) {
            files.add(null);
        }
        JournalFile f = new JournalFile(this, writer, firstSegment);
        files.set(writer, f);
        return f;
    }

    /** The flusher wrote up to these positions (one a writer at most): deletes what is wholly written. */
    void written(long[] marks, int n) {
        for (int i = 0; i < n; i++) {
            int w = writerOf(marks[i]);
            JournalFile f;
            synchronized (this) {
                f = w < files.size() ? files.get(w) : null;
            }
            if (f != null) {
                f.release(segmentOf(marks[i]), offsetOf(marks[i]));
            }
        }
    }

    void delete(int writer, long segment) {
        try {
            Files.deleteIfExists(segmentPath(writer, segment));
        } catch (IOException e) {
            log.warn("journal segment not deleted; it is written already and deleted at a later try or start"
                    + " [file={}, error={}]", segmentPath(writer, segment), e.toString());
        }
    }

    /** Makes the directory's entries (a new or removed file) durable (fsync of the directory). */
    void syncDirectory() throws IOException {
        syncDirectory(dir);
    }

    private static void syncDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    /** What reading a segment found. */
    record Record(long end, byte[] payload) {
    }

    /**
     * Reads the records of a segment from {@code from}, handing each whole one to {@code sink};
     * stops at the end, or at the first record that is short or fails its CRC, which it cuts away.
     *
     * @return null when the segment was read to its end, else what was wrong at which offset
     */
    String read(int writer, long segment, long from, java.util.function.Consumer<Record> sink) throws IOException {
        Path p = segmentPath(writer, segment);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE);
             InputStream in = new java.io.BufferedInputStream(java.nio.channels.Channels.newInputStream(ch.position(from)), 1 << 20)) {
            long length = ch.size();
            long at = from;
            byte[] head = new byte[JournalFile.HEADER];
            java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
            while (at < length) {
                String bad = null;
                byte[] payload = null;
                if (length - at < JournalFile.HEADER || in.readNBytes(head, 0, JournalFile.HEADER) < JournalFile.HEADER) {
                    bad = "a record header cut short";
                } else {
                    ByteBuffer h = ByteBuffer.wrap(head);
                    int n = h.getInt(0);
                    int sum = h.getInt(4);
                    if (n < 0 || n > length - at - JournalFile.HEADER) {
                        bad = "a record cut short (length " + n + ", " + (length - at - JournalFile.HEADER) + " bytes left)";
                    } else {
                        payload = in.readNBytes(n);
                        crc.reset();
                        crc.update(head, 8, 8);
                        crc.update(payload, 0, payload.length);
                        if (payload.length < n) {
                            bad = "a record cut short";
                        } else if ((int) crc.getValue() != sum) {
                            bad = "a record failing its CRC32C";
                        }
                    }
                }
                if (bad != null) {
                    // Never acknowledged: its batch was answered only once the whole record was synced.
                    ch.truncate(at);
                    ch.force(false);
                    return bad + " at offset " + at + " of " + p.getFileName() + " (" + (length - at) + " bytes cut away)";
                }
                at += JournalFile.HEADER + payload.length;
                sink.accept(new Record(position(writer, segment, at), payload));
            }
            return null;
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Releases the lock; the files stay (for the next start). */
    @Override
    public synchronized void close() {
        files.forEach(f -> {
            if (f != null) {
                f.close();
            }
        });
        try {
            if (lock != null) {
                lock.release();
            }
            if (lockChannel != null) {
                lockChannel.close();
            }
        } catch (IOException e) {
            log.warn("journal lock not released cleanly [dir={}, error={}]", dir, e.toString());
        }
    }
}
