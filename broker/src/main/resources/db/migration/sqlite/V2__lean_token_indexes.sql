-- Every mint inserts a task token row: keep its indexes to what is queried.
-- Opaque-token hashes exist only for agent tokens, and only agent tokens are looked up by agent
-- (a suspended agent's task tokens are found through its tasks).
DROP INDEX issued_tokens_by_agent;
CREATE INDEX issued_tokens_agent_tokens ON issued_tokens (agent_id) WHERE kind = 'agent';
