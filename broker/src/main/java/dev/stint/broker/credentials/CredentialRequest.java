package dev.stint.broker.credentials;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The body of {@code POST /v1/tasks/{id}/database-credentials}: which of the policy's roles. */
public record CredentialRequest(@JsonProperty("role") String role) {
}
