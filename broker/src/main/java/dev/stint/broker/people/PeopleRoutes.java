package dev.stint.broker.people;

import dev.stint.broker.audit.AuditEvent;
import dev.stint.broker.audit.AuditRows;
import dev.stint.broker.http.Attempt;
import dev.stint.broker.http.Gate;
import dev.stint.broker.http.Json;
import dev.stint.broker.http.ProblemType;
import dev.stint.broker.http.RejectedException;
import dev.stint.broker.store.Store;
import dev.stint.broker.store.Tx;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * People, by the admin credential: {@code POST /v1/people} (answers a one-time enrollment link),
 * {@code GET /v1/people}, {@code GET /v1/people/{id}}, {@code POST /v1/people/{id}/disable} and
 * {@code POST /v1/people/{id}/enrollment} (a new link, for a lost passkey).
 */
public final class PeopleRoutes {

    private final Store store;
    private final Gate admin;
    private final RelyingParty rp;
    private final SignedInSessions sessions;
    private final PersonDisabled disabled;
    private final Clock clock;

    /** @param sessions ends a disabled person's sessions inside the unit that disables them */
    public PeopleRoutes(Store store, Gate admin, RelyingParty rp, SignedInSessions sessions, Clock clock) {
        this(store, admin, rp, sessions, PersonDisabled.NOTHING, clock);
    }

    /** @param disabled what else a person's disabling takes with it (tasks approved by them) */
    public PeopleRoutes(Store store, Gate admin, RelyingParty rp, SignedInSessions sessions, PersonDisabled disabled,
            Clock clock) {
        this.disabled = Objects.requireNonNull(disabled, "disabled");
        this.store = Objects.requireNonNull(store, "store");
        this.admin = Objects.requireNonNull(admin, "admin");
        this.rp = Objects.requireNonNull(rp, "rp");
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public void mount(Router router) {
        router.post("/v1/people").handler(this::create);
        router.get("/v1/people").handler(this::list);
        router.get("/v1/people/:person_id").handler(this::get);
        router.post("/v1/people/:person_id/disable").handler(this::disable);
        router.post("/v1/people/:person_id/enrollment").handler(this::newLink);
    }

    private void create(RoutingContext ctx) {
        Instant now = clock.instant();
        admin.admit(ctx)
                .compose(actor -> Attempt.of(() -> Json.body(ctx, PersonRegistration.class).toPerson(now))
                        .compose(person -> store.write(tx -> {
                            PersonRows people = new PersonRows(tx);
                            if (people.find(person.id()).isPresent()) {
                                throw new RejectedException(409, ProblemType.PERSON_EXISTS,
                                        "person " + person.id() + " is already registered");
                            }
                            if (people.byEmail(person.email()).isPresent() || !people.insert(person)) {
                                throw new RejectedException(409, ProblemType.PERSON_EXISTS,
                                        "another person already has email " + person.email());
                            }
                            EnrollmentLink link = EnrollmentLink.issue(tx, person.id(), rp, now);
                            audit(tx, actor, "person.create", person.id() + " registered with roles "
                                    + roles(person) + ", email " + person.email()
                                    + "; enrollment link valid until " + link.expiresAt(), now);
                            return json(person, 0, link);
                        })))
                .onSuccess(body -> ctx.response().setStatusCode(201)
                        .putHeader("Content-Type", "application/json")
                        .putHeader("Location", "/v1/people/" + body.get("person_id"))
                        .end(Json.write(body)))
                .onFailure(ctx::fail);
    }

    private void list(RoutingContext ctx) {
        admin.admit(ctx)
                .compose(actor -> store.read(tx -> {
                    List<Map<String, Object>> people = new java.util.ArrayList<>();
                    for (Person person : new PersonRows(tx).all()) {
                        people.add(json(person, new PasskeyRows(tx).of(person.id()).size(), null));
                    }
                    return Map.of("people", people);
                }))
                .onSuccess(body -> ctx.response().putHeader("Content-Type", "application/json").end(Json.write(body)))
                .onFailure(ctx::fail);
    }

    private void get(RoutingContext ctx) {
        admin.admit(ctx)
                .compose(actor -> personId(ctx))
                .compose(id -> store.read(tx -> json(existing(tx, id), new PasskeyRows(tx).of(id).size(), null)))
                .onSuccess(body -> ctx.response().putHeader("Content-Type", "application/json").end(Json.write(body)))
                .onFailure(ctx::fail);
    }

    /** Idempotent: the person can no longer sign in, their sessions and open links die. */
    private void disable(RoutingContext ctx) {
        Instant now = clock.instant();
        admin.admit(ctx)
                .compose(actor -> personId(ctx).compose(id -> store.write(tx -> {
                    Person person = existing(tx, id);
                    PersonRows people = new PersonRows(tx);
                    if (person.isActive()) {
                        people.updateStatus(id, PersonStatus.DISABLED, now);
                        int ended = sessions.endAllOf(tx, id, now);
                        int links = new EnrollmentRows(tx).voidAllOf(id, now);
                        new CeremonyRows(tx).deleteAllOf(id);
                        String more = disabled.disabled(tx, people.find(id).orElseThrow(), actor, now);
                        audit(tx, actor, "person.disable", id + " disabled by " + actor + "; " + ended
                                + " session(s) ended, " + links + " enrollment link(s) voided"
                                + (more.isEmpty() ? "" : ", " + more), now);
                    }
                    return json(people.find(id).orElseThrow(), new PasskeyRows(tx).of(id).size(), null);
                })))
                .onSuccess(body -> ctx.response().putHeader("Content-Type", "application/json").end(Json.write(body)))
                .onFailure(ctx::fail);
    }

    private void newLink(RoutingContext ctx) {
        Instant now = clock.instant();
        admin.admit(ctx)
                .compose(actor -> personId(ctx).compose(id -> store.write(tx -> {
                    Person person = existing(tx, id);
                    if (!person.isActive()) {
                        throw new RejectedException(409, ProblemType.ENROLLMENT_LINK_INVALID,
                                "person " + id + " is disabled: a disabled person gets no enrollment link");
                    }
                    EnrollmentLink link = EnrollmentLink.issue(tx, id, rp, now);
                    audit(tx, actor, "person.enrollment_link", "new enrollment link for " + id + ", valid until "
                            + link.expiresAt(), now);
                    return json(person, new PasskeyRows(tx).of(id).size(), link);
                })))
                .onSuccess(body -> ctx.response().setStatusCode(201).putHeader("Content-Type", "application/json")
                        .end(Json.write(body)))
                .onFailure(ctx::fail);
    }

    private static Person existing(Tx tx, String id) throws RejectedException,
            dev.stint.broker.http.UnavailableException {
        return new PersonRows(tx).find(id).orElseThrow(() -> RejectedException.notFound(
                ProblemType.PERSON_NOT_FOUND, "person " + id + " is not registered"));
    }

    private static Future<String> personId(RoutingContext ctx) {
        return Attempt.of(() -> PersonRegistration.requireId(ctx.pathParam("person_id")));
    }

    static void audit(Tx tx, String actor, String action, String reason, Instant now)
            throws dev.stint.broker.http.UnavailableException {
        new AuditRows(tx).append(new AuditEvent(actor, action, AuditEvent.Decision.ALLOW, null, null, null, "",
                reason), now);
    }

    private static String roles(Person person) {
        return String.join(",", person.roles().stream().map(Role::wireName).toList());
    }

    /** @param link the new enrollment link, answered once; {@code null} when none was made */
    static Map<String, Object> json(Person person, int passkeys, EnrollmentLink link) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("person_id", person.id());
        body.put("email", person.email());
        body.put("name", person.name());
        body.put("roles", person.roles().stream().map(Role::wireName).toList());
        body.put("status", person.status().wireName());
        body.put("passkeys", passkeys);
        body.put("created_at", person.createdAt().toString());
        body.put("updated_at", person.updatedAt().toString());
        if (link != null) {
            body.put("enrollment_url", link.url());
            body.put("enrollment_expires_at", link.expiresAt().toString());
        }
        return body;
    }
}
