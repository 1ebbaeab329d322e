package dev.stint.cli.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenFileTest {

    @TempDir
    Path parent;

    @Test
    void holdsTheTokenInAFileOnlyItsOwnerCanRead() throws Exception {
        try (TokenFile file = TokenFile.create(parent, "token-1")) {
            assertThat(Files.readString(file.path())).isEqualTo("token-1");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.path()))).isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.path().getParent())))
                    .isEqualTo("rwx------");
        }
    }

    @Test
    void eachTokenFileHasADirectoryOfItsOwn() throws Exception {
        try (TokenFile a = TokenFile.create(parent, "a"); TokenFile b = TokenFile.create(parent, "b")) {
            assertThat(a.path().getParent()).isNotEqualTo(b.path().getParent());
        }
    }

    @Test
    void rewriteReplacesTheTokenAndLeavesNothingElseBeside() throws Exception {
        try (TokenFile file = TokenFile.create(parent, "token-1")) {
            file.write("token-2");

            assertThat(Files.readString(file.path())).isEqualTo("token-2");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.path()))).isEqualTo("rw-------");
            try (var entries = Files.list(file.path().getParent())) {
                assertThat(entries).containsExactly(file.path());
            }
        }
    }

    @Test
    void closeRemovesTheFileAndItsDirectory() throws Exception {
        TokenFile file = TokenFile.create(parent, "token-1");

        file.close();
        file.close();

        assertThat(file.path()).doesNotExist();
        assertThat(file.path().getParent()).doesNotExist();
    }
}
