package io.sluice.server;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A clone of the repository is all a reader has: no comment, SQL file or document may send them
 * to the design map or the services' documents that lived beside the repository (issue 14, item
 * 19). The README and {@code docs/} say it in their own words.
 */
class SelfContainedDocsTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    /** Spelled apart so this file does not match itself. */
    static final List<String> OUTSIDE = List.of("DESIGN" + ".md", "../" + "shared", "seeds" + "/0", "shared" + "/seeds");
    static final Set<String> SKIPPED_DIRS = Set.of(".git", "target", "node_modules", "data");

    @Test
    void nothingInTheRepositoryPointsOutsideIt() throws IOException {
        List<String> found = new ArrayList<>();
        Files.walkFileTree(ROOT, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                return SKIPPED_DIRS.contains(dir.getFileName().toString()) ? FileVisitResult.SKIP_SUBTREE
                        : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                if (attrs.size() > 2_000_000) {
                    return FileVisitResult.CONTINUE;
                }
                String text;
                try {
                    text = Files.readString(f);
                } catch (MalformedInputException e) {
                    return FileVisitResult.CONTINUE; // not text
                }
                String[] lines = text.split("\n", -1);
                for (int i = 0; i < lines.length; i++) {
                    for (String o : OUTSIDE) {
                        if (lines[i].contains(o)) {
                            found.add(ROOT.relativize(f) + ":" + (i + 1) + ": " + lines[i].trim());
                        }
                    }
                }
                return FileVisitResult.CONTINUE;
            }
        });
        assertThat(found).as("cite the README or a document under docs/ instead").isEmpty();
    }
}
