package dev.stint.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link TaskId} and {@link AgentId} share one allow-list: the identifiers that reach SQL, logs and URLs. */
class IdentifierTest {

    private static final String RULE = " must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit";

    static Stream<Arguments> validIdentifiers() {
        return Stream.of(
                arguments("a"),
                arguments("7"),
                arguments("tsk_0123456789abcdef01234567"),
                arguments("ci-runner.7"),
                arguments("Agent_Zero-1.2"),
                arguments("x" + "9".repeat(63)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validIdentifiers")
    void taskIdAcceptsWellFormedValue(String value) {
        assertThat(new TaskId(value).value()).isEqualTo(value);
        assertThat(new TaskId(value).toString()).isEqualTo(value);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validIdentifiers")
    void agentIdAcceptsWellFormedValue(String value) {
        assertThat(new AgentId(value).value()).isEqualTo(value);
        assertThat(new AgentId(value).toString()).isEqualTo(value);
    }

    static Stream<Arguments> invalidIdentifiers() {
        return Stream.of(
                arguments("empty", ""),
                arguments("starting with an underscore", "_x"),
                arguments("starting with a dot", ".x"),
                arguments("starting with a dash", "-x"),
                arguments("dot", "."),
                arguments("dot dot", ".."),
                arguments("path traversal", "../../etc/passwd"),
                arguments("slash", "tasks/1"),
                arguments("backslash", "tasks\\1"),
                arguments("colon", "tsk:1"),
                arguments("at sign", "alice@example"),
                arguments("percent encoding", "tsk%2e%2e"),
                arguments("space", "tsk 1"),
                arguments("SQL injection", "x'; DROP TABLE tasks;--"),
                arguments("SQL tautology", "x' OR '1'='1"),
                arguments("NUL byte", "tsk\u0000"),
                arguments("trailing newline", "tsk\n"),
                arguments("CRLF header injection", "tsk\r\nSet-Cookie: a=b"),
                arguments("Cyrillic a look-alike", "t\u0430sk"),
                arguments("fullwidth letters", "\uFF54\uFF53\uFF4B"),
                arguments("accented letter", "t\u00E4sk"),
                arguments("zero-width joiner", "ts\u200Dk"),
                arguments("65 characters", "x" + "9".repeat(64)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidIdentifiers")
    void taskIdRejectsMalformedValue(String description, String value) {
        assertThatThrownBy(() -> new TaskId(value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("task_id" + RULE);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidIdentifiers")
    void agentIdRejectsMalformedValue(String description, String value) {
        assertThatThrownBy(() -> new AgentId(value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("agent_id" + RULE);
    }

    @Test
    void taskIdIsRequired() {
        assertThatThrownBy(() -> new TaskId(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("task_id is required");
    }

    @Test
    void agentIdIsRequired() {
        assertThatThrownBy(() -> new AgentId(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("agent_id is required");
    }

    @Test
    void randomTaskIdIsTskFollowedBy24HexDigits() {
        assertThat(TaskId.random().value()).matches("tsk_[0-9a-f]{24}");
    }

    @Test
    void randomTaskIdsDoNotRepeat() {
        Set<TaskId> ids = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            ids.add(TaskId.random());
        }

        assertThat(ids).hasSize(1000);
    }
}
