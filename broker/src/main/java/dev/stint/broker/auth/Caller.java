package dev.stint.broker.auth;

import dev.stint.broker.agents.Agent;
import dev.stint.broker.audit.CiOrigin;

/** Who is calling, once authenticated: the security team's admin credential or an agent. */
public sealed interface Caller {

    /** The name recorded as the actor in audit records. */
    String actor();

    record Admin() implements Caller {
        @Override
        public String actor() {
            return "admin";
        }
    }

    /**
     * @param tokenJti the jti of the agent token the call came with; {@code null} for a client assertion
     * @param origin the CI run the agent token was exchanged for; {@code null} when it came from a key
     */
    record AgentCaller(Agent agent, String tokenJti, CiOrigin origin) implements Caller {

        public AgentCaller(Agent agent, String tokenJti) {
            this(agent, tokenJti, null);
        }

        @Override
        public String actor() {
            return "agent:" + agent.id();
        }
    }
}
