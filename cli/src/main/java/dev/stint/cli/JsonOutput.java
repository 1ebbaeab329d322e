package dev.stint.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stint.cli.exec.DatabaseUrl;
import dev.stint.sdk.AgentToken;
import dev.stint.sdk.DatabaseCredentials;
import dev.stint.sdk.TaskInfo;
import dev.stint.sdk.TaskToken;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;

/**
 * The JSON the script commands print on stdout, one object per line, with the broker's field
 * names. These print secrets by design: they are what the caller asked for.
 */
final class JsonOutput {

    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonOutput() {
    }

    static ObjectNode agentToken(AgentToken token, Instant now) {
        return JSON.createObjectNode()
                .put("access_token", token.value())
                .put("token_type", "Bearer")
                .put("expires_in", secondsLeft(token.expiresAt(), now))
                .put("expires_at", token.expiresAt().toString());
    }

    static ObjectNode taskToken(TaskToken token, Instant now) {
        return JSON.createObjectNode()
                .put("access_token", token.value())
                .put("token_type", "Bearer")
                .put("expires_in", secondsLeft(token.expiresAt(), now))
                .put("expires_at", token.expiresAt().toString())
                .put("task_id", token.taskId().value())
                .put("tier", token.tier().name());
    }

    static ObjectNode task(TaskInfo task) {
        ObjectNode node = JSON.createObjectNode()
                .put("task_id", task.taskId().value())
                .put("agent_id", task.agentId().value())
                .put("tier", task.tier().name())
                .put("purpose", task.purpose());
        ArrayNode scopes = node.putArray("scopes");
        task.scopes().forEach(scope -> scopes.add(scope.toString()));
        return node.put("deadline", task.deadline().at().toString())
                .put("status", task.status().wireName())
                .put("opened_at", task.openedAt().toString());
    }

    static ObjectNode databaseCredentials(DatabaseCredentials login) {
        return JSON.createObjectNode()
                .put("username", login.username())
                .put("password", login.password())
                .put("lease_id", login.leaseId())
                .put("expires_at", login.expiresAt().toString())
                .put("host", login.host())
                .put("port", login.port())
                .put("database", login.database())
                .put("role", login.role())
                .put("tier", login.tier().name())
                .put("database_url", DatabaseUrl.of(login.username(), login.password(), login.host(), login.port(),
                        login.database()));
    }

    static void print(PrintStream out, ObjectNode node) {
        try {
            out.print(JSON.writeValueAsString(node) + "\n");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
        out.flush();
    }

    private static long secondsLeft(Instant expiresAt, Instant now) {
        return Math.max(0, Duration.between(now, expiresAt).toSeconds());
    }
}
