package dev.stint.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class VaultConnectionTest {

    private static final URI ADDRESS = URI.create("https://vault.prod.internal:8200");
    private static final String TOKEN = "hvs.prod-token-never-printed";
    private static final String PATH_RULE = " must be path segments of A-Z a-z 0-9 _ . - joined by /, without ..,"
            + " without a leading or trailing /, at most 128 characters";

    private static VaultConnection withMount(String mount) {
        return new VaultConnection(ADDRESS, Optional.empty(), mount, TOKEN, Duration.ofSeconds(5));
    }

    @Test
    void printedConnectionNeverShowsTheToken() {
        VaultConnection connection = new VaultConnection(ADDRESS, Optional.of("team-a"), "database", TOKEN,
                Duration.ofSeconds(5));

        assertThat(connection.toString()).doesNotContain(TOKEN).isEqualTo("VaultConnection[address="
                + "https://vault.prod.internal:8200, namespace=team-a, mount=database, token=(hidden), timeout=PT5S]");
        assertThat(connection.describe()).isEqualTo("Vault at https://vault.prod.internal:8200 namespace team-a mount database");
    }

    static Stream<Arguments> notMounts() {
        return Stream.of(
                arguments("path traversal", "../sys/seal"),
                arguments("traversal inside", "database/../sys"),
                arguments("query string", "role?x=y"),
                arguments("encoded slash and traversal", "role%2F.."),
                arguments("leading slash", "/database"),
                arguments("trailing slash", "database/"),
                arguments("empty segment", "tiers//database"),
                arguments("newline", "database\nsys"),
                arguments("unicode", "databäse"),
                arguments("empty", ""),
                arguments("space", "data base"),
                arguments("200 characters", "a".repeat(200)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notMounts")
    void mountThatIsNotAPathIsRefusedAtConstruction(String name, String mount) {
        assertThatThrownBy(() -> withMount(mount))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("mount" + PATH_RULE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"database", "tiers/prod/database", "db_2.primary-eu"})
    void mountOfPathSegmentsIsAccepted(String mount) {
        assertThat(withMount(mount).mount()).isEqualTo(mount);
    }

    @Test
    void namespaceFollowsTheSameRule() {
        assertThatThrownBy(() -> new VaultConnection(ADDRESS, Optional.of("team-a\r\nX-Evil: 1"), "database", TOKEN,
                Duration.ofSeconds(5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("namespace" + PATH_RULE);
    }

    static Stream<Arguments> notAddresses() {
        return Stream.of(
                arguments("user info", "https://admin:hunter2@vault.internal:8200", "address must not carry user info, a query or a fragment"),
                arguments("query", "https://vault.internal:8200?x=1", "address must not carry user info, a query or a fragment"),
                arguments("other scheme", "ftp://vault.internal", "address must be an http or https URI"),
                arguments("relative", "vault.internal:8200", "address must be an http or https URI"),
                arguments("no host", "https:///v1", "address must name a host"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notAddresses")
    void addressThatWouldLeakOrMisleadIsRefused(String name, String address, String message) {
        assertThatThrownBy(() -> new VaultConnection(URI.create(address), Optional.empty(), "database", TOKEN,
                Duration.ofSeconds(5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    @Test
    void tokenThatCouldSplitAHeaderIsRefusedWithoutBeingRepeated() {
        assertThatThrownBy(() -> new VaultConnection(ADDRESS, Optional.empty(), "database", "hvs.x\r\nX-Evil: 1",
                Duration.ofSeconds(5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("token must be printable ASCII without spaces");
    }

    @Test
    void trailingSlashOfTheAddressIsDropped() {
        VaultConnection connection = new VaultConnection(URI.create("http://127.0.0.1:8200/"), Optional.empty(),
                "database", TOKEN, Duration.ofSeconds(5));

        assertThat(connection.address()).isEqualTo(URI.create("http://127.0.0.1:8200"));
    }

    @Test
    void subSecondTimeoutRoundsUpToAWholeSecondNeverToZero() {
        assertThat(new VaultConnection(ADDRESS, Optional.empty(), "database", TOKEN, Duration.ofMillis(1)).timeoutSeconds())
                .isEqualTo(1);
        assertThat(new VaultConnection(ADDRESS, Optional.empty(), "database", TOKEN, Duration.ofMillis(2001)).timeoutSeconds())
                .isEqualTo(3);
    }
}
