package dev.stint.broker.people;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stint.broker.BrokerHarness;
import dev.stint.broker.BrokerHarness.Response;
import dev.stint.broker.MutableClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code /v1/people}: the admin registers people, lists and disables them, through the real router. */
class PeopleApiTest {

    static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    @TempDir
    Path dir;
    BrokerHarness broker;

    @BeforeEach
    void start() {
        broker = BrokerHarness.start(dir, new MutableClock(T0));
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    Response create(String body) {
        return broker.postJson("/v1/people", body, broker.adminToken());
    }

    @Test
    void createdPersonGetsAOneTimeLinkAtLocalhost() {
        Response created = create("{\"person_id\":\"alice\",\"email\":\"Alice@Example.com\",\"name\":\"Alice\","
                + "\"roles\":[\"approver\",\"auditor\"]}");

        assertThat(created.status()).isEqualTo(201);
        JsonNode body = created.json();
        assertThat(body.get("person_id").asText()).isEqualTo("alice");
        assertThat(body.get("email").asText()).isEqualTo("alice@example.com");
        assertThat(body.get("roles").toString()).isEqualTo("[\"approver\",\"auditor\"]");
        assertThat(body.get("status").asText()).isEqualTo("active");
        assertThat(body.get("enrollment_url").asText())
                .startsWith("http://localhost:" + broker.port() + "/ui/enroll#stint_enroll_");
        assertThat(body.get("enrollment_expires_at").asText()).isEqualTo("2026-11-25T10:00:00Z");
        assertThat(created.headers().firstValue("Location")).contains("/v1/people/alice");
    }

    @Test
    void enrollmentSecretIsStoredNowhereInClear() throws IOException {
        String url = create("{\"person_id\":\"alice\",\"email\":\"alice@example.com\",\"roles\":[\"approver\"]}")
                .text("enrollment_url");
        String secret = url.substring(url.indexOf('#') + 1);
        broker.close();

        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                assertThat(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1))
                        .as(file.toString()).doesNotContain(secret);
            }
        }
    }

    record Refusal(String name, String body, String detail) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Refusal> refusals() {
        return Stream.of(
                new Refusal("no roles", "{\"person_id\":\"a\",\"email\":\"a@example.com\",\"roles\":[]}",
                        "roles is required: one or more of approver, admin, auditor"),
                new Refusal("unknown role", "{\"person_id\":\"a\",\"email\":\"a@example.com\",\"roles\":[\"root\"]}",
                        "roles may hold only approver, admin and auditor"),
                new Refusal("role twice", "{\"person_id\":\"a\",\"email\":\"a@example.com\","
                        + "\"roles\":[\"admin\",\"admin\"]}", "roles names admin twice"),
                new Refusal("upper-case id", "{\"person_id\":\"Alice\",\"email\":\"a@example.com\","
                        + "\"roles\":[\"admin\"]}",
                        "person_id must be 1-64 of a-z 0-9 . _ - starting with a letter or digit"),
                new Refusal("markup in the email", "{\"person_id\":\"a\",\"email\":\"<script>@example.com\","
                        + "\"roles\":[\"admin\"]}", "email must be an address like alice@example.com"),
                new Refusal("two @", "{\"person_id\":\"a\",\"email\":\"a@b@example.com\",\"roles\":[\"admin\"]}",
                        "email must be an address like alice@example.com"),
                new Refusal("name with a control character", "{\"person_id\":\"a\",\"email\":\"a@example.com\","
                        + "\"name\":\"A\\u001b[31m\",\"roles\":[\"admin\"]}",
                        "name contains control or invisible formatting characters"),
                new Refusal("unknown field", "{\"person_id\":\"a\",\"email\":\"a@example.com\",\"roles\":[\"admin\"],"
                        + "\"password\":\"x\"}", "unknown field 'password'; allowed: email, name, person_id, roles"));
    }

    @ParameterizedTest
    @MethodSource("refusals")
    void malformedRegistrationIsRefused(Refusal refusal) {
        Response response = create(refusal.body());

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.contentType()).isEqualTo("application/problem+json");
        assertThat(response.text("detail")).isEqualTo(refusal.detail());
    }

    @Test
    void idAndEmailAreUnique() {
        create("{\"person_id\":\"alice\",\"email\":\"alice@example.com\",\"roles\":[\"approver\"]}");

        Response sameId = create("{\"person_id\":\"alice\",\"email\":\"other@example.com\",\"roles\":[\"admin\"]}");
        Response sameEmail = create("{\"person_id\":\"alice2\",\"email\":\"ALICE@example.com\",\"roles\":[\"admin\"]}");

        assertThat(sameId.status()).isEqualTo(409);
        assertThat(sameId.text("type")).isEqualTo("urn:stint:problem:person-exists");
        assertThat(sameEmail.status()).isEqualTo(409);
        assertThat(sameEmail.text("detail")).isEqualTo("another person already has email alice@example.com");
    }

    @Test
    void onlyTheAdminManagesPeople() {
        Response anonymous = broker.postJson("/v1/people",
                "{\"person_id\":\"a\",\"email\":\"a@example.com\",\"roles\":[\"admin\"]}", null);
        Response list = broker.get("/v1/people", null);

        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(list.status()).isEqualTo(401);
    }

    @Test
    void listShowsPeopleWithoutLinks() {
        create("{\"person_id\":\"bob\",\"email\":\"bob@example.com\",\"roles\":[\"admin\"]}");
        create("{\"person_id\":\"alice\",\"email\":\"alice@example.com\",\"name\":\"Alice\",\"roles\":[\"approver\"]}");

        JsonNode people = broker.get("/v1/people", broker.adminToken()).json().get("people");

        assertThat(people).hasSize(2);
        assertThat(people.get(0).get("person_id").asText()).isEqualTo("alice");
        assertThat(people.get(0).get("passkeys").asInt()).isZero();
        assertThat(people.get(0).has("enrollment_url")).isFalse();
        assertThat(people.get(1).get("person_id").asText()).isEqualTo("bob");
    }

    @Test
    void disablingIsRecordedAndIdempotent() {
        create("{\"person_id\":\"alice\",\"email\":\"alice@example.com\",\"roles\":[\"approver\"]}");

        Response first = broker.postRaw("/v1/people/alice/disable", null, new byte[0], broker.adminToken());
        Response again = broker.postRaw("/v1/people/alice/disable", null, new byte[0], broker.adminToken());
        Response unknown = broker.postRaw("/v1/people/nobody/disable", null, new byte[0], broker.adminToken());

        assertThat(first.status()).isEqualTo(200);
        assertThat(first.text("status")).isEqualTo("disabled");
        assertThat(again.status()).isEqualTo(200);
        assertThat(unknown.status()).isEqualTo(404);
        JsonNode records = broker.get("/v1/audit", broker.adminToken()).json().get("records");
        assertThat(records.findValuesAsText("action")).containsSubsequence("person.create", "person.disable");
        assertThat(records.findValuesAsText("action").stream().filter("person.disable"::equals)).hasSize(1);
        assertThat(records.findValuesAsText("actor")).contains("admin");
    }

    @Test
    void disabledPersonGetsNoNewLink() {
        create("{\"person_id\":\"alice\",\"email\":\"alice@example.com\",\"roles\":[\"approver\"]}");
        broker.postRaw("/v1/people/alice/disable", null, new byte[0], broker.adminToken());

        Response link = broker.postRaw("/v1/people/alice/enrollment", null, new byte[0], broker.adminToken());

        assertThat(link.status()).isEqualTo(409);
    }
}
