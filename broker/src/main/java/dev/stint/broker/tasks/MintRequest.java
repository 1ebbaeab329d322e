package dev.stint.broker.tasks;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The optional body of {@code POST /v1/tasks/{id}/token}: {@code audience} defaults to the tier's. */
public record MintRequest(@JsonProperty("audience") String audience) {

    static final MintRequest EMPTY = new MintRequest(null);
}
