package dev.stint.cli.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** DATABASE_URL: any password, percent-encoded so that it survives every URL parser. */
class DatabaseUrlTest {

    record Odd(String password, String encoded) {
        @Override
        public String toString() {
            return password;
        }
    }

    static Stream<Odd> oddPasswords() {
        return Stream.of(
                new Odd("plain", "plain"),
                new Odd("p@ss:w/rd", "p%40ss%3Aw%2Frd"),
                new Odd("50%off", "50%25off"),
                new Odd("a b+c", "a%20b%2Bc"),
                new Odd("#?&=[]", "%23%3F%26%3D%5B%5D"),
                new Odd("ünïcødé", "%C3%BCn%C3%AFc%C3%B8d%C3%A9"),
                new Odd("~_.-", "~_.-"),
                new Odd("'\"\\`$", "%27%22%5C%60%24"));
    }

    @ParameterizedTest
    @MethodSource("oddPasswords")
    void passwordIsPercentEncoded(Odd odd) {
        assertThat(DatabaseUrl.of("stint_dev_1", odd.password(), "db.internal", 5432, "orders"))
                .isEqualTo("postgresql://stint_dev_1:" + odd.encoded() + "@db.internal:5432/orders");
    }

    @ParameterizedTest
    @MethodSource("oddPasswords")
    void passwordComesBackFromAUrlParser(Odd odd) {
        URI url = URI.create(DatabaseUrl.of("stint_dev_1", odd.password(), "db.internal", 5432, "orders"));

        String userInfo = url.getRawUserInfo();
        String password = userInfo.substring(userInfo.indexOf(':') + 1);
        assertThat(url.getHost()).isEqualTo("db.internal");
        assertThat(url.getPort()).isEqualTo(5432);
        assertThat(URLDecoder.decode(password.replace("+", "%2B"), StandardCharsets.UTF_8)).isEqualTo(odd.password());
    }

    @Test
    void userAndDatabaseAreEncodedToo() {
        assertThat(DatabaseUrl.of("a:b", "pw", "localhost", 5432, "my db/x"))
                .isEqualTo("postgresql://a%3Ab:pw@localhost:5432/my%20db%2Fx");
    }

    @Test
    void anIpv6HostIsBracketed() {
        assertThat(DatabaseUrl.of("u", "pw", "::1", 5433, "orders")).isEqualTo("postgresql://u:pw@[::1]:5433/orders");
    }
}
