package dev.stint.broker.pgroles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stint.token.Tier;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RoleNameTest {

    @Test
    void nameIsPrefixTierAndSixteenHexDigits() {
        RoleName name = RoleName.generate(new Tier("prod"));

        assertThat(name.value()).matches("stint_prod_[0-9a-f]{16}");
    }

    @Test
    void tierLabelDropsHyphensAndIsCutToTwelveCharacters() {
        RoleName name = RoleName.generate(new Tier("pre-production-eu-west-1"));

        assertThat(name.value()).matches("stint_preproductio_[0-9a-f]{16}");
        assertThat(name.value().getBytes()).hasSizeLessThanOrEqualTo(63);
    }

    @Test
    void longestTierGivesANameWithinPostgresLimit() {
        RoleName name = RoleName.generate(new Tier("a".repeat(32)));

        assertThat(name.value()).hasSize(35);
    }

    @Test
    void namesAreUnique() {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            names.add(RoleName.generate(new Tier("dev")).value());
        }

        assertThat(names).hasSize(10_000);
    }

    @Test
    void randomPartComesFromTheGivenSource() {
        assertThat(RoleName.generate(new Tier("dev"), new Random(7)))
                .isEqualTo(RoleName.generate(new Tier("dev"), new Random(7)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"stint_x", "stint_admin", "stint_dev_0123456789abcdef0", "stint_dev_0123456789ABCDEF",
            "Stint_dev_0123456789abcdef", "stint__0123456789abcdef", "stint_dev-1_0123456789abcdef",
            "stint_dev_0123456789abcdef; DROP ROLE postgres", "xstint_dev_0123456789abcdef",
            "stint_abcdefghijklm_0123456789abcdef", "postgres", ""})
    void lookalikeIsNotAStintName(String name) {
        assertThat(RoleName.isStintName(name)).isFalse();
        assertThatThrownBy(() -> new RoleName(name)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("role name rejected: '")
                .hasMessageEndingWith("' is not a Stint task login (stint_<tier>_<16 hex digits>)");
    }

    @Test
    void nullIsNotAStintName() {
        assertThat(RoleName.isStintName(null)).isFalse();
    }

    @Test
    void generatedNameIsAStintName() {
        assertThat(RoleName.isStintName(RoleName.generate(new Tier("staging")).value())).isTrue();
    }
}
