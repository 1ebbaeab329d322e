package dev.stint.broker.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stint.broker.BrokerHarness;
import dev.stint.broker.MutableClock;
import dev.stint.broker.people.TestAuthenticator;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Passkey enrollment and sign-in over HTTP, verified by webauthn4j, and the attacks on them. */
class PasskeyCeremonyTest {

    static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    @TempDir
    Path dir;
    MutableClock clock = new MutableClock(T0);
    BrokerHarness broker;
    PagesClient browser;
    TestAuthenticator key = new TestAuthenticator();

    @BeforeEach
    void start() {
        broker = BrokerHarness.start(dir, clock);
        browser = new PagesClient(People.pages(broker));
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    @Test
    void enrolledPasskeySignsInAndEverythingIsRecorded() {
        String secret = People.register(broker, "alice", "alice@example.com", "Alice");
        People.enroll(broker, browser, secret, key);

        People.signIn(broker, browser, key);
        PagesClient.Page home = browser.get("/ui/");

        assertThat(home.body()).contains("Signed in as <strong>Alice</strong>");
        JsonNode records = broker.get("/v1/audit", broker.adminToken()).json().get("records");
        List<String> actions = records.findValuesAsText("action");
        assertThat(actions).containsSubsequence("person.create", "person.passkey_enroll", "person.sign_in");
        assertThat(records.findValuesAsText("actor")).contains("person:alice");
        assertThat(broker.get("/v1/people/alice", broker.adminToken()).json().get("passkeys").asInt()).isEqualTo(1);
    }

    @Test
    void usedLinkIsRefused() {
        String secret = People.register(broker, "alice", "alice@example.com", null);
        People.enroll(broker, browser, secret, key);

        browser.get("/ui/enroll");
        PagesClient.Page again = browser.post("/ui/enroll/options", "{\"token\":\"" + secret + "\"}");

        assertThat(again.status()).isEqualTo(410);
        assertThat(again.text("type")).isEqualTo("urn:stint:problem:enrollment-link-invalid");
        assertThat(again.text("detail")).isEqualTo("this enrollment link was used already; ask an admin for a new one");
    }

    @Test
    void linkWorksUntilItsDayIsOver() {
        String secret = People.register(broker, "alice", "alice@example.com", null);
        browser.get("/ui/enroll");

        clock.advance(Duration.ofHours(24).minusSeconds(1));
        PagesClient.Page before = browser.post("/ui/enroll/options", "{\"token\":\"" + secret + "\"}");
        clock.advance(Duration.ofSeconds(1));
        PagesClient.Page after = browser.post("/ui/enroll/options", "{\"token\":\"" + secret + "\"}");

        assertThat(before.status()).isEqualTo(200);
        assertThat(after.status()).isEqualTo(410);
        assertThat(after.text("detail"))
                .isEqualTo("this enrollment link expired at 2026-11-25T10:00:00Z; ask an admin for a new one");
    }

    @Test
    void tamperedLinkIsRefused() {
        String secret = People.register(broker, "alice", "alice@example.com", null);
        String tampered = secret.substring(0, secret.length() - 1) + (secret.endsWith("A") ? "B" : "A");
        browser.get("/ui/enroll");

        PagesClient.Page options = browser.post("/ui/enroll/options", "{\"token\":\"" + tampered + "\"}");

        assertThat(options.status()).isEqualTo(404);
        assertThat(options.text("detail")).isEqualTo("this enrollment link is not valid; check that it was copied whole");
    }

    @Test
    void registrationWithTheChallengeOfAnotherAttemptIsRefusedAndSpendsTheAttempt() {
        String secret = People.register(broker, "alice", "alice@example.com", null);
        JsonNode first = People.enrollOptions(browser, secret);
        JsonNode second = People.enrollOptions(browser, secret);
        String handle = first.at("/public_key/user/id").asText();

        PagesClient.Page crossed = People.finishEnroll(browser, secret, first,
                key.registration(People.honest(broker, second.at("/public_key/challenge").asText()), handle));
        PagesClient.Page retried = People.finishEnroll(browser, secret, first,
                key.registration(People.honest(broker, first.at("/public_key/challenge").asText()), handle));

        assertThat(crossed.status()).isEqualTo(400);
        assertThat(crossed.text("type")).isEqualTo("urn:stint:problem:passkey-rejected");
        assertThat(crossed.text("detail"))
                .isEqualTo("registration rejected: the challenge is not the one this ceremony was given");
        assertThat(retried.status()).isEqualTo(400);
        assertThat(retried.text("detail"))
                .isEqualTo("this passkey attempt is not known or was used already; start again");
        JsonNode records = broker.get("/v1/audit", broker.adminToken()).json().get("records");
        assertThat(records.findValuesAsText("decision")).contains("deny");
    }

    @Test
    void registrationFromAnotherOriginIsRefused() {
        String secret = People.register(broker, "alice", "alice@example.com", null);
        JsonNode options = People.enrollOptions(browser, secret);

        PagesClient.Page done = People.finishEnroll(browser, secret, options, key.registration(
                new TestAuthenticator.Made("http://127.0.0.1:" + broker.port(), "localhost",
                        options.at("/public_key/challenge").asText(), true), options.at("/public_key/user/id").asText()));

        assertThat(done.status()).isEqualTo(400);
        assertThat(done.text("detail")).isEqualTo("registration rejected: the origin is not this broker's page origin");
    }

    @Test
    void registrationWithoutUserVerificationIsRefused() {
        String secret = People.register(broker, "alice", "alice@example.com", null);
        JsonNode options = People.enrollOptions(browser, secret);

        PagesClient.Page done = People.finishEnroll(browser, secret, options, key.registration(
                new TestAuthenticator.Made(People.pages(broker), "localhost",
                        options.at("/public_key/challenge").asText(), false), options.at("/public_key/user/id").asText()));

        assertThat(done.status()).isEqualTo(400);
        assertThat(done.text("detail")).isEqualTo(
                "registration rejected: user verification is required (a PIN or biometric on the authenticator)");
    }

    @Test
    void optionsAskForUserVerificationAtLocalhost() {
        String secret = People.register(broker, "alice", "alice@example.com", "Alice");
        JsonNode options = People.enrollOptions(browser, secret);
        JsonNode signIn = People.signInOptions(browser);

        assertThat(options.at("/public_key/rp/id").asText()).isEqualTo("localhost");
        assertThat(options.at("/public_key/authenticatorSelection/userVerification").asText()).isEqualTo("required");
        assertThat(options.at("/person/name").asText()).isEqualTo("Alice");
        assertThat(signIn.at("/public_key/rpId").asText()).isEqualTo("localhost");
        assertThat(signIn.at("/public_key/userVerification").asText()).isEqualTo("required");
    }

    @Test
    void unknownPasskeyCannotSignIn() {
        String secret = People.register(broker, "alice", "alice@example.com", null);
        People.enroll(broker, browser, secret, key);
        TestAuthenticator stranger = new TestAuthenticator();
        stranger.registration(People.honest(broker, "x"), "AAAA");

        JsonNode options = People.signInOptions(browser);
        PagesClient.Page done = People.finishSignIn(browser, options,
                stranger.assertion(People.honest(broker, options.at("/public_key/challenge").asText())));

        assertThat(done.status()).isEqualTo(401);
        assertThat(browser.cookies).doesNotContainKey("__Host-stint-session");
    }

    @Test
    void signCountThatDoesNotGoUpIsRefused() {
        String secret = People.register(broker, "alice", "alice@example.com", null);
        People.enroll(broker, browser, secret, key);
        People.signIn(broker, browser, key);
        key.setCounter(0);

        JsonNode options = People.signInOptions(browser);
        PagesClient.Page cloned = People.finishSignIn(browser, options,
                key.assertion(People.honest(broker, options.at("/public_key/challenge").asText())));

        assertThat(cloned.status()).isEqualTo(400);
        assertThat(cloned.text("type")).isEqualTo("urn:stint:problem:passkey-rejected");
        assertThat(cloned.text("detail")).contains("sign count did not go up");
        JsonNode records = broker.get("/v1/audit", broker.adminToken()).json().get("records");
        JsonNode last = records.get(records.size() - 1);
        assertThat(last.get("action").asText()).isEqualTo("person.sign_in");
        assertThat(last.get("actor").asText()).isEqualTo("person:alice");
        assertThat(last.get("decision").asText()).isEqualTo("deny");
        assertThat(last.get("reason").asText()).isEqualTo(cloned.text("detail"));
    }

    @Test
    void signInAnswerIsSpentOnce() {
        String secret = People.register(broker, "alice", "alice@example.com", null);
        People.enroll(broker, browser, secret, key);
        JsonNode options = People.signInOptions(browser);
        String answer = key.assertion(People.honest(broker, options.at("/public_key/challenge").asText()));

        PagesClient.Page first = People.finishSignIn(browser, options, answer);
        PagesClient eavesdropper = new PagesClient(People.pages(broker));
        eavesdropper.get("/ui/");
        PagesClient.Page replay = People.finishSignIn(eavesdropper, options, answer);

        assertThat(first.status()).isEqualTo(200);
        assertThat(replay.status()).isEqualTo(400);
        assertThat(eavesdropper.cookies).doesNotContainKey("__Host-stint-session");
    }

    @Test
    void expiredSignInAttemptIsRefused() {
        String secret = People.register(broker, "alice", "alice@example.com", null);
        People.enroll(broker, browser, secret, key);
        JsonNode options = People.signInOptions(browser);
        clock.advance(Duration.ofMinutes(5));

        PagesClient.Page late = People.finishSignIn(browser, options,
                key.assertion(People.honest(broker, options.at("/public_key/challenge").asText())));

        assertThat(late.status()).isEqualTo(400);
        assertThat(late.text("detail")).isEqualTo("this passkey attempt expired; start again");
    }
}
