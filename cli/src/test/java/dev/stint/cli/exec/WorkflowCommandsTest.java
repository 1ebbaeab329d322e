package dev.stint.cli.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkflowCommandsTest {

    static String masks(List<String> secrets) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WorkflowCommands.addMasks(new PrintStream(out, false, StandardCharsets.UTF_8), secrets);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void eachSecretGetsOneAddMaskLine() {
        assertThat(masks(List.of("tok", "pw", "tok"))).isEqualTo("::add-mask::tok\n::add-mask::pw\n");
    }

    @Test
    void percentAndLineBreaksAreEscapedAsTheRunnerUnescapesThem() {
        assertThat(masks(List.of("p%25w\r\nx"))).isEqualTo("::add-mask::p%2525w%0D%0Ax\n");
    }

    @Test
    void onlyGithubActionsSetToTrueCounts() {
        assertThat(WorkflowCommands.underGithubActions(Map.of("GITHUB_ACTIONS", "true"))).isTrue();
        assertThat(WorkflowCommands.underGithubActions(Map.of("GITHUB_ACTIONS", "false"))).isFalse();
        assertThat(WorkflowCommands.underGithubActions(Map.of())).isFalse();
    }
}
