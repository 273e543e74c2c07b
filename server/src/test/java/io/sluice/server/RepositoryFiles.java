package io.sluice.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The files of the repository a test reads as its sources: those git tracks and those not yet
 * added that it does not ignore ({@code git ls-files --cached --others --exclude-standard}), so
 * that a local {@code data/} directory, build output or a log never reaches such a test.
 */
final class RepositoryFiles {
    private RepositoryFiles() {
    }

    /** The repository's files under {@code root}, as paths under it, in git's order; deleted ones left out. */
    static List<Path> of(Path root) {
        try {
            Process p = new ProcessBuilder("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
                    .directory(root.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("git ls-files failed in " + root + ": the documentation tests read the"
                        + " files of a git checkout (git must be on the PATH)");
            }
            // A path mid-merge is listed once per stage; one deleted but not yet committed is still listed.
            Set<Path> files = new LinkedHashSet<>();
            for (String name : new String(out, StandardCharsets.UTF_8).split("\0")) {
                Path f = root.resolve(name);
                if (!name.isEmpty() && Files.isRegularFile(f)) {
                    files.add(f);
                }
            }
            return List.copyOf(files);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run git ls-files in " + root + " (is git on the PATH?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
