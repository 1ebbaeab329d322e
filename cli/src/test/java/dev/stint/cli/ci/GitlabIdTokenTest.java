package dev.stint.cli.ci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** GitLab's id_tokens variable: one token for the whole job, so it is handed out once. */
class GitlabIdTokenTest {

    static final String ID_TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJwcm9qZWN0X2lkIjoiNDIifQ.c2ln";

    @Test
    void givesTheVariablesToken() throws Exception {
        GitlabIdToken source = GitlabIdToken.fromEnvironment(Map.of("STINT_ID_TOKEN", ID_TOKEN), "STINT_ID_TOKEN");

        assertThat(source.subjectToken()).isEqualTo(ID_TOKEN);
    }

    @Test
    void readsTheVariableItIsTold() throws Exception {
        GitlabIdToken source = GitlabIdToken.fromEnvironment(Map.of("DEPLOY_TOKEN", ID_TOKEN), "DEPLOY_TOKEN");

        assertThat(source.subjectToken()).isEqualTo(ID_TOKEN);
    }

    @Test
    void aSecondTokenIsRefusedSayingTheAgentTokenCannotBeRenewed() throws Exception {
        GitlabIdToken source = GitlabIdToken.fromEnvironment(Map.of("STINT_ID_TOKEN", ID_TOKEN), "STINT_ID_TOKEN");
        source.subjectToken();

        assertThatThrownBy(source::subjectToken).isInstanceOf(IOException.class)
                .hasMessage("GitLab's ID token $STINT_ID_TOKEN is fixed for the job and was exchanged already (the"
                        + " broker accepts each once), so the agent token cannot be renewed");
    }

    @Test
    void aJobWithoutTheVariableIsRefusedSayingWhereToDeclareIt() {
        assertThatThrownBy(() -> GitlabIdToken.fromEnvironment(Map.of("STINT_ID_TOKEN", " "), "STINT_ID_TOKEN"))
                .isInstanceOf(CiSetupException.class)
                .hasMessage("the GitLab job has no ID token in $STINT_ID_TOKEN: declare it under `id_tokens:` in"
                        + " .gitlab-ci.yml, with `aud:` the broker's issuer");
    }

    @Test
    void aVariableNameThatIsNotOneIsRefused() {
        assertThatThrownBy(() -> GitlabIdToken.fromEnvironment(Map.of(), "$(id)"))
                .isInstanceOf(CiSetupException.class)
                .hasMessage("--ci-token-var must be a variable name, like STINT_ID_TOKEN");
    }
}
