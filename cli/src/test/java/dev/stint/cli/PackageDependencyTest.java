package dev.stint.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The command line's packages depend one way: the commands ({@code dev.stint.cli}) use the
 * pieces of {@code exec} (child process, environment, token file) and {@code ci} (CI token
 * sources); the pieces use neither the commands nor each other. Nothing uses the broker.
 */
class PackageDependencyTest {

    private static JavaClasses cli;

    @BeforeAll
    static void importCli() {
        cli = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.stint.cli");
    }

    @Test
    void execAndCiDoNotUseTheCommands() {
        noClasses().that().resideInAnyPackage("dev.stint.cli.exec..", "dev.stint.cli.ci..")
                .should().dependOnClassesThat().resideInAPackage("dev.stint.cli").check(cli);
    }

    @Test
    void execAndCiDoNotUseEachOther() {
        noClasses().that().resideInAPackage("dev.stint.cli.exec..")
                .should().dependOnClassesThat().resideInAPackage("dev.stint.cli.ci..").check(cli);
        noClasses().that().resideInAPackage("dev.stint.cli.ci..")
                .should().dependOnClassesThat().resideInAPackage("dev.stint.cli.exec..").check(cli);
    }

    @Test
    void nothingUsesTheBroker() {
        noClasses().should().dependOnClassesThat().resideInAPackage("dev.stint.broker..").check(cli);
    }
}
