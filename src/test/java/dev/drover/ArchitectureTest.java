package dev.drover;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SlicesRuleDefinition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The direction of dependencies DESIGN §1 draws, checked on the compiled classes: a change that
 * breaks one fails the build here, with the offending import named.
 */
class ArchitectureTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.drover");
    }

    @Test
    void theStatePackageImportsNothingElseOfDrovers() {
        onlyItself("state").check(classes);
    }

    @Test
    void theOsEdgeImportsNoOtherDroverPackage() {
        onlyItself("launch").check(classes);
    }

    @Test
    void theConfigurationImportsNoOtherDroverPackage() {
        onlyItself("config").check(classes);
    }

    @Test
    void theControlContractImportsNoOtherDroverPackage() {
        onlyItself("control").check(classes);
    }

    @Test
    void theEngineNeverImportsJetty() {
        noClasses()
                .that()
                .resideInAPackage("dev.drover.engine..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("org.eclipse.jetty..")
                .because("the engine knows nothing of HTTP; the proxy and the API reach it through control and Traffic")
                .check(classes);
    }

    @Test
    void theCliReachesTheEngineOnlyThroughControlOrTheDaemon() {
        noClasses()
                .that()
                .resideInAPackage("dev.drover.cli..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.drover.engine..", "dev.drover.state..", "dev.drover.api..")
                .because("commands talk to a daemon through the Control interface, or run the daemon wiring itself")
                .check(classes);
    }

    @Test
    void probesKnowNothingOfProcesses() {
        noClasses()
                .that()
                .resideInAPackage("dev.drover.health..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.drover.engine..", "dev.drover.state..")
                .check(classes);
    }

    @Test
    void packagesHaveNoCycles() {
        SlicesRuleDefinition.slices()
                .matching("dev.drover.(*)..")
                .should()
                .beFreeOfCycles()
                .check(classes);
    }

    private static ArchRule onlyItself(String name) {
        String own = "dev.drover." + name + "..";
        return noClasses()
                .that()
                .resideInAPackage(own)
                .should()
                .dependOnClassesThat(resideInAPackage("dev.drover..").and(not(resideInAPackage(own))))
                .because("dev.drover." + name + " imports no other package of Drover (DESIGN §1)");
    }
}
