package io.sluice.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The documentation tests ({@link SelfContainedDocsTest}, {@link MetricsDocumentedIT}) read the
 * repository's own files, never what git ignores: a local {@code data/} of the embedded PostgreSQL
 * (large, and changing while it runs), build output, logs.
 * Files not yet added but not ignored are read too: they are about to be committed.
 */
class RepositoryFilesTest {
    @TempDir
    Path repo;

    private void git(String... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "git";
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p = new ProcessBuilder(cmd).directory(repo.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd) + ": " + out).isZero();
    }

    private void write(String path, String text) throws IOException {
        Path f = repo.resolve(path);
        Files.createDirectories(f.getParent());
        Files.writeString(f, text);
    }

    @Test
    void theDocumentationTestsReadTrackedAndNewFilesNeverIgnoredOnes() throws Exception {
        git("init", "-q");
        write(".gitignore", "target/\n/data/\n*.log\n");
        write("README.md", "Sluice\n");
        write("server/src/main/java/io/x/Tracked.java", "class Tracked { String m = \"sluice_tracked_total\"; }\n");
        git("add", ".");
        // Not added yet, not ignored: about to be committed, so read.
        write("server/src/main/java/io/x/Added.java", "class Added { String m = \"sluice_new_total\"; }\n");
        write("docs/NEW.md", "see DESIGN" + ".md\n");
        // Ignored: never read.
        write("data/src/main/java/io/x/Stray.java", "class Stray { String m = \"sluice_stray_total\"; }\n");
        write("server/target/generated/src/main/java/io/x/Gen.java", "class Gen { String m = \"sluice_gen_total\"; }\n");
        write("sluice.log", "read DESIGN" + ".md first\n");
        write("data/pg/base/1/notes.md", "DESIGN" + ".md\n");

        assertThat(MetricsDocumentedIT.namesInCode(repo)).containsExactly("sluice_new_total", "sluice_tracked_total");
        assertThat(SelfContainedDocsTest.pointersOutside(repo)).containsExactly("docs/NEW.md:1: see DESIGN" + ".md");
        assertThat(RepositoryFiles.of(repo)).extracting(p -> repo.relativize(p).toString()).containsExactlyInAnyOrder(
                ".gitignore", "README.md", "docs/NEW.md", "server/src/main/java/io/x/Added.java",
                "server/src/main/java/io/x/Tracked.java");
    }

    @Test
    void aFileDeletedButNotYetCommittedIsNotListed() throws Exception {
        git("init", "-q");
        write("a.md", "a\n");
        write("b.md", "b\n");
        git("add", ".");
        Files.delete(repo.resolve("b.md"));
        assertThat(RepositoryFiles.of(repo)).isEqualTo(List.of(repo.resolve("a.md")));
    }
}
