package dev.stint.vault;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ErrorTextTest {

    private final ErrorText text = new ErrorText("hvs.SECRET-token");

    @Test
    void keepsOnlyTheErrorsOfAVaultErrorBody() {
        assertThat(text.errorsOf("{\"errors\":[\"permission denied\"]}")).isEqualTo("permission denied");
        assertThat(text.errorsOf("{\"errors\":[\"a\",\"b\",\"c\",\"d\"]}")).isEqualTo("a; b; c");
        assertThat(text.errorsOf("{\"data\":{\"password\":\"x\"}}")).isEmpty();
        assertThat(text.errorsOf("<html>502 Bad Gateway</html>")).isEmpty();
        assertThat(text.errorsOf("{\"errors\":[]}")).isEmpty();
    }

    @Test
    void scrubsTheTokenAndWhateverFollowsPassword() {
        assertThat(text.clean("token hvs.SECRET-token denied")).isEqualTo("token (token) denied");
        assertThat(text.clean("CREATE ROLE x WITH PASSWORD 'Sup3r$ecret' VALID UNTIL")).isEqualTo(
                "CREATE ROLE x WITH PASSWORD (hidden) VALID UNTIL");
        assertThat(text.clean("password=abc, passwd: def")).isEqualTo("password (hidden), passwd (hidden)");
    }

    @Test
    void makesOneShortPrintableLine() {
        assertThat(text.clean("1 error occurred:\n\t* x\n\n")).isEqualTo("1 error occurred: * x");
        assertThat(text.clean("caf\u00e9 \u0000")).isEqualTo("caf?");
        assertThat(text.clean("e".repeat(500))).isEqualTo("e".repeat(160) + "...");
        assertThat(text.clean("e".repeat(160))).isEqualTo("e".repeat(160));
    }

    @Test
    void transportMessageStopsBeforeWhatItQuotes() {
        assertThat(text.transportMessage("parsing HTTP/1.1 status line, receiving [HTTP/1.1 200 hvs.SECRET-token], parser state [STATUS_LINE]"))
                .isEqualTo("parsing HTTP/1.1 status line, receiving");
        assertThat(text.transportMessage("Connection reset")).isEqualTo("Connection reset");
        assertThat(text.transportMessage(null)).isEmpty();
    }
}
