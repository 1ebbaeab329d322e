package dev.stint.broker.approvals;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stint.broker.BrokerHarness;
import dev.stint.broker.people.TestAuthenticator;
import dev.stint.broker.ui.PagesClient;
import dev.stint.broker.ui.People;

/** A person with a passkey, signed in at the pages in their own browser, who approves and denies over the API. */
public final class Approvers {

    public final String id;
    public final PagesClient browser;
    public final TestAuthenticator key = new TestAuthenticator();
    private final BrokerHarness broker;

    private Approvers(BrokerHarness broker, String id) {
        this.broker = broker;
        this.id = id;
        this.browser = new PagesClient(People.pages(broker));
    }

    /** Registers {@code id} with {@code roles} (JSON array text), enrolls a passkey and signs in. */
    public static Approvers signedIn(BrokerHarness broker, String id, String email, String roles) {
        return signedIn(broker, id, email, null, roles);
    }

    /** As {@link #signedIn(BrokerHarness, String, String, String)}, with a {@code name} ({@code null}: none). */
    public static Approvers signedIn(BrokerHarness broker, String id, String email, String name, String roles) {
        BrokerHarness.Response created = broker.postJson("/v1/people", "{\"person_id\":\"" + id + "\",\"email\":\""
                + email + "\"," + (name == null ? "" : "\"name\":" + People.quoted(name) + ",") + "\"roles\":"
                + roles + "}", broker.adminToken());
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String url = created.text("enrollment_url");
        Approvers person = new Approvers(broker, id);
        People.enroll(broker, person.browser, url.substring(url.indexOf('#') + 1), person.key);
        People.signIn(broker, person.browser, person.key);
        person.browser.get("/ui/"); // the signed-in page carries the session's CSRF token
        return person;
    }

    public static Approvers approver(BrokerHarness broker, String id) {
        return signedIn(broker, id, id + "@example.com", "[\"approver\"]");
    }

    PagesClient.Page options(String approvalId) {
        return browser.post("/v1/approvals/" + approvalId + "/options", "{}");
    }

    /** The whole approval, honestly done: options, a user-verified assertion over its challenge, approve. */
    public PagesClient.Page approve(String approvalId) {
        return approve(approvalId, null);
    }

    public PagesClient.Page approve(String approvalId, String comment) {
        PagesClient.Page options = options(approvalId);
        if (options.status() != 200) {
            return options;
        }
        return answer(approvalId, options.json(), key.assertion(honest(options.json())), comment);
    }

    TestAuthenticator.Made honest(JsonNode options) {
        return People.honest(broker, options.at("/public_key/challenge").asText());
    }

    PagesClient.Page answer(String approvalId, JsonNode options, String credential, String comment) {
        return browser.post("/v1/approvals/" + approvalId + "/approve", "{\"ceremony_id\":\""
                + options.get("ceremony_id").asText() + "\",\"credential\":" + credential
                + (comment == null ? "" : ",\"comment\":" + People.quoted(comment)) + "}");
    }

    public PagesClient.Page deny(String approvalId, String comment) {
        return browser.post("/v1/approvals/" + approvalId + "/deny",
                comment == null ? "{}" : "{\"comment\":" + People.quoted(comment) + "}");
    }
}
