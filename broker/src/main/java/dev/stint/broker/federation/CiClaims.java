package dev.stint.broker.federation;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.stint.broker.audit.CiOrigin;

/**
 * The CI run a verified token describes, from GitHub Actions' or GitLab's claims: GitHub names
 * the repository, workflow, run and attempt and the actor; GitLab the project path, pipeline, job
 * and user. Claims that are absent or not strings are left out.
 */
final class CiClaims {

    private CiClaims() {
    }

    static CiOrigin origin(JWTClaimsSet claims) {
        return new CiOrigin(claims.getIssuer(), claims.getSubject(),
                first(claims, "repository", "project_path"),
                string(claims, "ref"),
                first(claims, "workflow", "ci_config_ref_uri"),
                first(claims, "run_id", "pipeline_id"),
                string(claims, "run_attempt"),
                string(claims, "job_id"),
                first(claims, "actor", "user_login"));
    }

    private static String first(JWTClaimsSet claims, String github, String gitlab) {
        String value = string(claims, github);
        return value != null ? value : string(claims, gitlab);
    }

    private static String string(JWTClaimsSet claims, String name) {
        return claims.getClaim(name) instanceof String value ? value : null;
    }
}
