package dev.stint.broker.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The CI run behind a federated agent token, as the audit log names it: which pipeline, at which
 * ref, started by whom. Values come from a verified OIDC token; they are still cut to printable
 * text of bounded length, because they end up in logs and answers. Only {@code issuer} and
 * {@code subject} are always present.
 *
 * @param runId GitHub {@code run_id}, GitLab {@code pipeline_id}
 * @param runAttempt GitHub {@code run_attempt}; GitLab has none (a retried job is a new job)
 * @param jobId GitLab {@code job_id}; GitHub tokens carry none
 */
public record CiOrigin(
        String issuer,
        String subject,
        String repository,
        String ref,
        String workflow,
        String runId,
        String runAttempt,
        String jobId,
        String actor) {

    static final int MAX_VALUE = 256;
    private static final ObjectMapper JSON = new ObjectMapper();

    public CiOrigin {
        issuer = clean(Objects.requireNonNull(issuer, "issuer"));
        subject = clean(Objects.requireNonNull(subject, "subject"));
        repository = clean(repository);
        ref = clean(ref);
        workflow = clean(workflow);
        runId = clean(runId);
        runAttempt = clean(runAttempt);
        jobId = clean(jobId);
        actor = clean(actor);
    }

    /** The fields present, in a fixed order, under their wire names. */
    public Map<String, String> fields() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("issuer", issuer);
        out.put("subject", subject);
        putPresent(out, "repository", repository);
        putPresent(out, "ref", ref);
        putPresent(out, "workflow", workflow);
        putPresent(out, "run_id", runId);
        putPresent(out, "run_attempt", runAttempt);
        putPresent(out, "job_id", jobId);
        putPresent(out, "actor", actor);
        return out;
    }

    /** The compact JSON stored with tokens, tasks and audit records; part of a record's hash. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(fields());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings always serialises", e);
        }
    }

    /** Reads {@link #toJson()} back; {@code null} for {@code null}. */
    public static CiOrigin fromJson(String json) {
        if (json == null) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(json);
            return new CiOrigin(text(node, "issuer"), text(node, "subject"), text(node, "repository"),
                    text(node, "ref"), text(node, "workflow"), text(node, "run_id"), text(node, "run_attempt"),
                    text(node, "job_id"), text(node, "actor"));
        } catch (JsonProcessingException | NullPointerException e) {
            throw new IllegalStateException("a stored CI origin is not readable", e);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static void putPresent(Map<String, String> out, String key, String value) {
        if (value != null) {
            out.put(key, value);
        }
    }

    /** Printable characters only (no control, format or bidi characters), at most {@value #MAX_VALUE}. */
    private static String clean(String value) {
        if (value == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(Math.min(value.length(), MAX_VALUE));
        value.codePoints().filter(c -> !Character.isISOControl(c) && Character.getType(c) != Character.FORMAT)
                .limit(MAX_VALUE).forEach(out::appendCodePoint);
        return out.toString();
    }
}
