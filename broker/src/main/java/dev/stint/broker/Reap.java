package dev.stint.broker;

import dev.stint.broker.credentials.CredentialBackends;
import dev.stint.broker.deployment.Deployment;
import dev.stint.broker.deployment.DeploymentFile;
import dev.stint.broker.deployment.DeploymentFileException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code stint reap --config FILE}: one pass, for cron or a systemd timer, that ends the sessions
 * and drops the roles of Stint's database logins whose deadline has passed, on every PostgreSQL
 * connection of the deployment file, from each database's catalog alone: no broker, no store.
 * {@code VALID UNTIL} already refuses their new logins; this ends what is still open.
 */
@Command(name = "reap", mixinStandardHelpOptions = true,
        description = "End the sessions and drop the roles of expired Stint database logins (no broker needed).")
final class Reap implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", required = true,
            description = "Deployment file whose backends.postgres connections to reap.")
    Path config;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Deployment deployment;
        try {
            deployment = DeploymentFile.load(config);
        } catch (DeploymentFileException e) {
            err.println("stint: " + e.getMessage());
            return 2;
        }
        if (deployment.backends().postgres().isEmpty()) {
            out.println("stint reap: the deployment file has no backends.postgres connection; nothing to reap");
            return 0;
        }
        Clock clock = Clock.systemUTC();
        try (CredentialBackends backends = CredentialBackends.from(deployment.backends(), "stint-reap", clock)) {
            List<CredentialBackends.ReapOutcome> outcomes = backends.reapAll(clock.instant());
            boolean clean = true;
            for (CredentialBackends.ReapOutcome outcome : outcomes) {
                (outcome.clean() ? out : err).println("stint reap: " + outcome.connection() + ": " + outcome.text());
                clean &= outcome.clean();
            }
            return clean ? 0 : 1;
        }
    }
}
