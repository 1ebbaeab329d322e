package dev.stint.broker.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The {@code notify} section: webhooks read strictly, errors at their line, no url path or secret shown. */
class NotifySectionTest {

    private static final String LABEL = "deploy.yaml";
    private static final String SECRET = "whsec-Secret-9f3a";
    private static final String SLACK_URL = "https://hooks.slack.com/services/T000/B000/slackPathSecret";

    @TempDir
    static Path dir;

    @BeforeAll
    static void secretFile() throws Exception {
        Files.writeString(dir.resolve("hook.secret"), SECRET + "\n", StandardCharsets.UTF_8);
    }

    private static Deployment parse(String text) throws DeploymentFileException {
        return DeploymentFile.parse(text, LABEL, Map.of("HOOK_SECRET", SECRET), dir);
    }

    @Test
    void webhooksAreReadInOrderWithTheirFormatAndSecret() throws Exception {
        NotifySettings notify = parse("""
                notify:
                  webhooks:
                    - url: %s
                      format: slack
                    - url: http://127.0.0.1:9999/hook?team=ops
                      format: json
                      secret_file: hook.secret
                """.formatted(SLACK_URL)).notifications();

        assertThat(notify.webhooks()).containsExactly(
                new NotifySettings.Webhook(SLACK_URL, NotifySettings.Format.SLACK, Optional.empty()),
                new NotifySettings.Webhook("http://127.0.0.1:9999/hook?team=ops", NotifySettings.Format.JSON,
                        Optional.of(SECRET)));
    }

    @Test
    void theSecretMayComeFromTheEnvironment() throws Exception {
        NotifySettings notify = parse("""
                notify:
                  webhooks:
                    - { url: "https://approvals.example.com/stint", format: json, secret_env: HOOK_SECRET }
                """).notifications();

        assertThat(notify.webhooks().get(0).secret()).contains(SECRET);
    }

    @Test
    void withoutTheSectionNothingIsNotified() throws Exception {
        assertThat(parse("federation:\n  allow_http_issuers: []\n").notifications()).isEqualTo(NotifySettings.NONE);
    }

    @Test
    void aWebhookShowsNeitherItsPathNorItsSecret() throws Exception {
        Deployment deployment = parse("""
                notify:
                  webhooks:
                    - url: %s
                      format: slack
                      secret_file: hook.secret
                """.formatted(SLACK_URL));
        NotifySettings.Webhook webhook = deployment.notifications().webhooks().get(0);

        assertThat(webhook.toString()).contains("hooks.slack.com").doesNotContain("slackPathSecret")
                .doesNotContain(SECRET);
        assertThat(deployment.toString()).doesNotContain("slackPathSecret").doesNotContain(SECRET);
        assertThat(webhook.host()).isEqualTo("hooks.slack.com");
    }

    @Test
    void aWebhookIdIsStableAndDiffersByUrl() {
        NotifySettings.Webhook a = new NotifySettings.Webhook(SLACK_URL, NotifySettings.Format.SLACK, Optional.empty());
        NotifySettings.Webhook sameUrl = new NotifySettings.Webhook(SLACK_URL, NotifySettings.Format.JSON,
                Optional.of(SECRET));
        NotifySettings.Webhook other = new NotifySettings.Webhook(SLACK_URL + "x", NotifySettings.Format.SLACK,
                Optional.empty());

        assertThat(a.id()).matches("wh_[0-9a-f]{12}").isEqualTo(sameUrl.id()).isNotEqualTo(other.id());
    }

    static Stream<Arguments> rejections() {
        String hook = "notify:\n  webhooks:\n    - url: https://approvals.example.com/stint\n      format: json\n";
        return Stream.of(
                row("http to a host that is not loopback",
                        hook.replace("https://approvals.example.com/stint", "http://approvals.example.com/stint"),
                        "deploy.yaml:3:12: notify.webhooks.url: must be an https URL (plain http is allowed on"
                                + " loopback only: 127.0.0.1, [::1], localhost)"),
                row("another scheme", hook.replace("https://", "ftp://"),
                        "deploy.yaml:3:12: notify.webhooks.url: must be an https URL"),
                row("user info in the url", hook.replace("https://", "https://me:pw@"),
                        "deploy.yaml:3:12: notify.webhooks.url: must be an https URL with a host and no user info or"
                                + " fragment"),
                row("not a url", hook.replace("https://approvals.example.com/stint", "'https://exa mple.com'"),
                        "deploy.yaml:3:12: notify.webhooks.url: is not a URL"),
                row("unknown format", hook.replace("format: json", "format: teams"),
                        "deploy.yaml:4:15: notify.webhooks.format: 'teams' is not a format (slack, json)"),
                row("missing format", hook.replace("      format: json\n", ""),
                        "deploy.yaml:3:7: notify.webhooks: the key 'format' is required"),
                row("missing url", "notify:\n  webhooks:\n    - format: json\n",
                        "deploy.yaml:3:7: notify.webhooks: the key 'url' is required"),
                row("unknown key", hook + "      retries: 3\n",
                        "deploy.yaml:5:7: notify.webhooks.retries: unknown key (expected one of format, secret_env,"
                                + " secret_file, url)"),
                row("unknown key in notify", "notify:\n  email: ops@example.com\n",
                        "deploy.yaml:2:3: notify.email: unknown key (expected one of webhooks)"),
                row("empty notify", "notify:\n",
                        "deploy.yaml:1:1: notify: must list webhooks; leave 'notify' out for no notifications"),
                row("webhooks not a list", "notify:\n  webhooks: https://approvals.example.com\n",
                        "deploy.yaml:2:13: notify.webhooks: must be a list"),
                row("a secret written inline", hook + "      secret: " + SECRET + "\n",
                        "deploy.yaml:5:7: notify.webhooks.secret: never write the webhook secret here; use"
                                + " secret_file or secret_env"),
                row("secret_file missing", hook + "      secret_file: absent.secret\n",
                        "deploy.yaml:5:20: notify.webhooks.secret_file: cannot read {dir}/absent.secret: no such"
                                + " file"),
                row("secret_file a directory", hook + "      secret_file: .\n",
                        "deploy.yaml:5:20: notify.webhooks.secret_file: {dir}/. is not a regular file"),
                row("both secret_file and secret_env", hook + "      secret_file: hook.secret\n"
                                + "      secret_env: HOOK_SECRET\n",
                        "deploy.yaml:6:7: notify.webhooks.secret_env: use either secret_file or secret_env, not"
                                + " both"),
                row("the same url twice", hook + hook.substring(hook.indexOf("    - ")),
                        "deploy.yaml:5:7: notify.webhooks: this url is listed twice"),
                row("more than ten webhooks", "notify:\n  webhooks:\n" + Stream.iterate(0, i -> i + 1).limit(11)
                                .map(i -> "    - { url: 'https://h" + i + ".example.com', format: json }\n")
                                .reduce("", String::concat),
                        "deploy.yaml:3:5: notify.webhooks: at most 10 webhooks"));
    }

    private static Arguments row(String name, String yaml, String message) {
        return Arguments.of(name, yaml, message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejections")
    void rejectsAnInvalidSectionWithALinePreciseMessage(String name, String yaml, String expected) {
        assertThatThrownBy(() -> parse(yaml))
                .isInstanceOf(DeploymentFileException.class)
                .hasMessage(expected.replace("{dir}", dir.toString()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejections")
    void noRejectionShowsTheSecret(String name, String yaml, String expected) {
        assertThatThrownBy(() -> parse(yaml))
                .isInstanceOf(DeploymentFileException.class)
                .hasMessageNotContaining(SECRET);
    }
}
