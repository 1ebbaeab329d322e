package dev.stint.broker.pgroles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stint.token.TaskId;
import dev.stint.token.Tier;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RoleCommentTest {

    private static final RoleComment COMMENT = new RoleComment(new TaskId("tsk_abc"), new Tier("prod"),
            Instant.parse("2026-05-01T12:00:00.123456789Z"), "https://stint.example.com", "orders");

    @Test
    void textIsTheMarkerThenJson() {
        assertThat(COMMENT.text()).isEqualTo("stint-lease:{\"task\":\"tsk_abc\",\"tier\":\"prod\","
                + "\"deadline\":\"2026-05-01T12:00:00.123456Z\",\"broker\":\"https://stint.example.com\","
                + "\"database\":\"orders\"}");
    }

    @Test
    void textReadsBackAsTheSameComment() {
        assertThat(RoleComment.parse(COMMENT.text())).contains(COMMENT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "stint-lease:", "stint-lease:{}", "stint-lease:not json", "lease:{\"task\":\"t\"}",
            "stint-lease:{\"task\":\"tsk_abc\",\"tier\":\"prod\",\"deadline\":\"2026-05-01T12:00:00Z\",\"broker\":\"b\"}",
            "stint-lease:{\"task\":\"t'x\",\"tier\":\"prod\",\"deadline\":\"2026-05-01T12:00:00Z\",\"broker\":\"b\",\"database\":\"d\"}",
            "stint-lease:{\"task\":\"t\",\"tier\":\"prod\",\"deadline\":\"soon\",\"broker\":\"b\",\"database\":\"d\"}",
            "stint-lease:{\"task\":1,\"tier\":\"prod\",\"deadline\":\"2026-05-01T12:00:00Z\",\"broker\":\"b\",\"database\":\"d\"}"})
    void malformedCommentReadsAsNothing(String text) {
        assertThat(RoleComment.parse(text)).isEmpty();
    }

    @Test
    void markIsOnlyTheExactPrefix() {
        assertThat(RoleComment.isMarked("stint-lease:{}")).isTrue();
        assertThat(RoleComment.isMarked(" stint-lease:{}")).isFalse();
        assertThat(RoleComment.isMarked(null)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "b'x", "b\"x", "b\\x", "b x", "b\nx", "-b", "brоker"})
    void brokerOutsideItsAlphabetIsRejected(String broker) {
        assertThatThrownBy(() -> new RoleComment(new TaskId("t"), new Tier("dev"), Instant.EPOCH, broker))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("broker must be 1-200 letters, digits or . _ : / @ + -, starting with a letter or digit");
    }
}
