package dev.stint.broker;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The broker's packages depend one way: the leaves ({@code http}: exception roots, problems, JSON,
 * free text; {@code yaml}: strict YAML reading; {@code deployment}: where things are) at the bottom, the store above it, features above that, the wiring
 * ({@code dev.stint.broker} itself) on top. No feature package imports another that imports it
 * back.
 */
class PackageDependencyTest {

    private static JavaClasses broker;

    @BeforeAll
    static void importBroker() {
        broker = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.stint.broker");
    }

    @Test
    void featurePackagesFormNoCycle() {
        slices().matching("dev.stint.broker.(*)..").should().beFreeOfCycles().check(broker);
    }

    /** Every feature package, and the wiring. */
    private static final String[] ABOVE_THE_STORE = {"dev.stint.broker.agents..", "dev.stint.broker.audit..",
            "dev.stint.broker.auth..", "dev.stint.broker.keys..", "dev.stint.broker.oauth..",
            "dev.stint.broker.policy..", "dev.stint.broker.tasks..", "dev.stint.broker.tokens..",
            "dev.stint.broker.federation..", "dev.stint.broker.credentials..", "dev.stint.broker.people..",
            "dev.stint.broker.ui..", "dev.stint.broker.notify..", "dev.stint.broker"};

    @Test
    void leafDependsOnNoOtherBrokerPackage() {
        noClasses().that().resideInAPackage("dev.stint.broker.http..")
                .should().dependOnClassesThat().resideInAnyPackage(ABOVE_THE_STORE)
                .orShould().dependOnClassesThat().resideInAPackage("dev.stint.broker.store..")
                .check(broker);
    }

    @Test
    void yamlReadingDependsOnNoOtherBrokerPackage() {
        classes().that().resideInAPackage("dev.stint.broker.yaml..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("dev.stint.broker.yaml..", "java..",
                        "org.snakeyaml..")
                .check(broker);
    }

    /**
     * The deployment file is read before anything starts and is fixed for the process; the policy
     * checks its roles against it, so it must know no feature (and no feature's secrets leak up).
     */
    @Test
    void deploymentDependsOnNoFeature() {
        classes().that().resideInAPackage("dev.stint.broker.deployment..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("dev.stint.broker.deployment..",
                        "dev.stint.broker.yaml..", "dev.stint.token..", "java..", "org.snakeyaml..", "org.slf4j..")
                .check(broker);
    }

    /**
     * The PostgreSQL login provider is a leaf the policy loader and the credentials feature both
     * import, and the {@code reap} command runs without a broker: it knows no broker package, and no
     * Vert.x (it blocks on JDBC, on whatever worker thread calls it).
     */
    @Test
    void postgresRolesDependOnNoOtherBrokerPackage() {
        noClasses().that().resideInAPackage("dev.stint.broker.pgroles..")
                .should().dependOnClassesThat(resideInAPackage("dev.stint.broker..")
                        .and(not(resideInAPackage("dev.stint.broker.pgroles.."))))
                .orShould().dependOnClassesThat().resideInAPackage("io.vertx..")
                .check(broker);
    }

    @Test
    void storeKnowsNoFeature() {
        noClasses().that().resideInAPackage("dev.stint.broker.store..")
                .should().dependOnClassesThat().resideInAnyPackage(ABOVE_THE_STORE)
                .check(broker);
    }

    @Test
    void nothingImportsTheWiring() {
        noClasses().that().resideOutsideOfPackage("dev.stint.broker")
                .should().dependOnClassesThat().resideInAPackage("dev.stint.broker")
                .check(broker);
    }

    @Test
    void policyTakesASubjectNotTheAgentRecord() {
        noClasses().that().resideInAPackage("dev.stint.broker.policy..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.stint.broker.agents..",
                        "dev.stint.broker.auth..", "dev.stint.broker.store..")
                .check(broker);
    }
}
