package dev.stint.broker.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stint.broker.BrokerHarness;
import dev.stint.broker.people.TestAuthenticator;

/** Scenario steps of the people's pages, through the real router. */
public final class People {

    private People() {
    }

    /** Registers a person (as admin) and returns the secret of their enrollment link. */
    public static String register(BrokerHarness broker, String id, String email, String name) {
        String body = "{\"person_id\":\"" + id + "\",\"email\":\"" + email + "\","
                + (name == null ? "" : "\"name\":" + quoted(name) + ",") + "\"roles\":[\"approver\"]}";
        BrokerHarness.Response created = broker.postJson("/v1/people", body, broker.adminToken());
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String url = created.text("enrollment_url");
        return url.substring(url.indexOf('#') + 1);
    }

    public static String pages(BrokerHarness broker) {
        return "http://localhost:" + broker.port();
    }

    public static TestAuthenticator.Made honest(BrokerHarness broker, String challenge) {
        return new TestAuthenticator.Made(pages(broker), "localhost", challenge, true);
    }

    /** Opens the enrollment page and asks for the creation options of {@code secret}. */
    public static JsonNode enrollOptions(PagesClient browser, String secret) {
        browser.get("/ui/enroll");
        PagesClient.Page options = browser.post("/ui/enroll/options", "{\"token\":\"" + secret + "\"}");
        assertThat(options.status()).as(options.body()).isEqualTo(200);
        return options.json();
    }

    public static PagesClient.Page finishEnroll(PagesClient browser, String secret, JsonNode options, String credential) {
        return browser.post("/ui/enroll/finish", "{\"token\":\"" + secret + "\",\"ceremony_id\":\""
                + options.get("ceremony_id").asText() + "\",\"credential\":" + credential + "}");
    }

    /** The whole enrollment, honestly done. */
    public static void enroll(BrokerHarness broker, PagesClient browser, String secret, TestAuthenticator key) {
        JsonNode options = enrollOptions(browser, secret);
        String credential = key.registration(honest(broker, options.at("/public_key/challenge").asText()),
                options.at("/public_key/user/id").asText());
        PagesClient.Page done = finishEnroll(browser, secret, options, credential);
        assertThat(done.status()).as(done.body()).isEqualTo(201);
    }

    public static JsonNode signInOptions(PagesClient browser) {
        browser.get("/ui/");
        PagesClient.Page options = browser.post("/ui/sign-in/options", "{}");
        assertThat(options.status()).as(options.body()).isEqualTo(200);
        return options.json();
    }

    public static PagesClient.Page finishSignIn(PagesClient browser, JsonNode options, String credential) {
        return browser.post("/ui/sign-in/finish", "{\"ceremony_id\":\"" + options.get("ceremony_id").asText()
                + "\",\"credential\":" + credential + "}");
    }

    /** The whole sign-in, honestly done; the browser then holds a session. */
    public static void signIn(BrokerHarness broker, PagesClient browser, TestAuthenticator key) {
        JsonNode options = signInOptions(browser);
        PagesClient.Page done = finishSignIn(browser, options,
                key.assertion(honest(broker, options.at("/public_key/challenge").asText())));
        assertThat(done.status()).as(done.body()).isEqualTo(200);
    }

    public static String quoted(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
