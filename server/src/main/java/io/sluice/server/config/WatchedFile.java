package io.sluice.server.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A file read again when its content changes: the token file, the TLS certificate and key. The
 * content itself is compared (these files are a few kilobytes), not the modification time, so a
 * rewrite within the same second and a symlink swapped to a new target (how Kubernetes updates a
 * mounted secret) are both seen.
 */
public final class WatchedFile {
    private final Path path;
    private byte[] seen;

    public WatchedFile(Path path) {
        this.path = path;
    }

    public Path path() {
        return path;
    }

    /**
     * @return the content when it differs from what this method returned last time (always on the
     *         first call), else null. Each content is offered once: one that was refused is not
     *         offered again, and not complained about again, until the file changes.
     */
    public byte[] changed() throws IOException {
        byte[] now = Files.readAllBytes(path);
        byte[] d = digest(now);
        if (seen != null && MessageDigest.isEqual(d, seen)) {
            return null;
        }
        seen = d;
        return now;
    }

    private static byte[] digest(byte[] content) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
