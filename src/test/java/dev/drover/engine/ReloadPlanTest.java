package dev.drover.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.config.ConfigLoader;
import dev.drover.config.DroverConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The reload plan is a pure function of the two configurations (and of what is wanted now). */
class ReloadPlanTest {
    private static DroverConfig config(String yaml) throws Exception {
        return ConfigLoader.parse(yaml, Path.of("/srv/app/drover.yaml"), Map.of());
    }

    @Test
    void changedRemovedAddedAndUnchangedProcessesAreToldApart() throws Exception {
        DroverConfig before = config("""
                processes:
                  same: {command: "sleep 1"}
                  edited: {command: "sleep 1"}
                  gone: {command: "sleep 1"}
                  stoppedByHand: {command: "sleep 1"}
                """);
        DroverConfig after = config("""
                processes:
                  same: {command: "sleep 1"}
                  edited: {command: "sleep 2"}
                  stoppedByHand: {command: "sleep 2"}
                  fresh: {command: "sleep 1"}
                  freshButDisabled: {command: "sleep 1", enabled: false}
                """);
        ReloadPlan plan = ReloadPlan.of(before.processes(), after, Set.of("same", "edited", "gone")::contains);
        assertThat(plan.unchanged()).containsExactly("same");
        assertThat(plan.changed()).containsExactly("edited", "stoppedByHand");
        assertThat(plan.removed()).containsExactly("gone");
        assertThat(plan.added()).containsExactly("fresh", "freshButDisabled");
        assertThat(plan.restart())
                .as("a changed process that was not wanted stays stopped")
                .containsExactly("edited");
        assertThat(plan.start()).as("an added process starts only when enabled").containsExactly("fresh");
        assertThat(plan.leaving()).containsExactly("gone", "edited", "stoppedByHand");
    }

    @Test
    void turningNotifyOnOrChangingTheWatchdogRestartsTheProcess() throws Exception {
        DroverConfig before = config("""
                processes:
                  on: {command: "sleep 1"}
                  dog: {command: "sleep 1", notify: true, watchdog: 10s}
                  same: {command: "sleep 1", notify: true, watchdog: 10s}
                """);
        DroverConfig after = config("""
                processes:
                  on: {command: "sleep 1", notify: true}
                  dog: {command: "sleep 1", notify: true, watchdog: 20s}
                  same: {command: "sleep 1", notify: true, watchdog: 10s}
                """);
        ReloadPlan plan = ReloadPlan.of(before.processes(), after, name -> true);
        assertThat(plan.restart()).containsExactly("on", "dog");
        assertThat(plan.unchanged()).containsExactly("same");
    }

    @Test
    void anIdenticalFileChangesNothing() throws Exception {
        String yaml = """
                processes:
                  a: {command: "sleep 1"}
                  b: {command: "sleep 1", depends_on: [a]}
                """;
        ReloadPlan plan = ReloadPlan.of(config(yaml).processes(), config(yaml), name -> true);
        assertThat(plan.unchanged()).containsExactly("a", "b");
        assertThat(plan.leaving()).isEmpty();
        assertThat(plan.restart()).isEmpty();
        assertThat(plan.start()).isEmpty();
    }

    @Test
    void aProcessWhoseInstancesRunDifferentDefinitionsIsChangedEvenIfTheFileIsNot() throws Exception {
        // A rollout that failed half way leaves old and new definitions side by side: the next
        // reload of the same file must try again rather than call it unchanged.
        String yaml = """
                processes:
                  web: {command: "sleep 1", port: auto}
                  db: {command: "sleep 1"}
                """;
        Map<String, dev.drover.config.ProcessSpec> running =
                new java.util.HashMap<>(config(yaml).processes());
        running.put("web", null);
        ReloadPlan plan = ReloadPlan.of(running, config(yaml), name -> true);
        assertThat(plan.changed()).containsExactly("web");
        assertThat(plan.unchanged()).containsExactly("db");
        assertThat(plan.restart()).containsExactly("web");
    }

    @Test
    void aReplicaCountAloneRescalesWhileInstanceNamesStayNumbered() throws Exception {
        DroverConfig before = config("""
                processes:
                  web: {command: "sleep 1", port: auto, replicas: 3}
                  single: {command: "sleep 1", port: auto}
                  edited: {command: "sleep 1", replicas: 2}
                """);
        DroverConfig after = config("""
                processes:
                  web: {command: "sleep 1", port: auto, replicas: 2}
                  single: {command: "sleep 1", port: auto, replicas: 3}
                  edited: {command: "sleep 2", replicas: 4}
                """);

        ReloadPlan plan = ReloadPlan.of(before.processes(), after, name -> true);

        assertThat(plan.rescaled()).as("3 → 2: web.0 and web.1 keep running").containsExactly("web");
        assertThat(plan.changed())
                .as("single → single.0…: the names change; edited: more than the count changed")
                .containsExactly("single", "edited");
        assertThat(plan.leaving()).doesNotContain("web");
        assertThat(plan.restart()).doesNotContain("web");
    }
}
