package dev.drover.engine;

import dev.drover.config.DroverConfig;
import dev.drover.config.ProcessSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * What a reload does, decided from the two configurations alone (a pure function, unit-tested):
 * processes whose definition changed are stopped and started anew if they were wanted, removed ones
 * stopped, added ones started when enabled, unchanged ones left alone. A process whose definition
 * differs only in its replica count, and whose instance names stay the same ({@code api.0}… before
 * and after, so not from or to one instance, which is named {@code api}), is rescaled: the instances
 * both counts have keep running, surplus ones are stopped (drained first when routed) and missing
 * ones started if the process was wanted.
 *
 * @param restart the changed processes to start again once their old instances are stopped
 * @param start the added processes to start
 */
record ReloadPlan(
        List<String> removed,
        List<String> added,
        List<String> changed,
        List<String> unchanged,
        List<String> rescaled,
        List<String> restart,
        List<String> start) {

    /**
     * @param running what each process of the running configuration runs: its definition, or null
     *     when its instances run different ones (a rollout that failed half way), which counts as changed
     * @param wanted whether a process of the running configuration should be running now (one of
     *     its instances is meant to run and has not completed)
     */
    static ReloadPlan of(Map<String, ProcessSpec> running, DroverConfig next, Predicate<String> wanted) {
        Map<String, ProcessSpec> before = running;
        Map<String, ProcessSpec> after = next.processes();
        List<String> removed = new ArrayList<>(),
                added = new ArrayList<>(),
                changed = new ArrayList<>(),
                unchanged = new ArrayList<>(),
                rescaled = new ArrayList<>();
        for (String name : before.keySet()) {
            if (!after.containsKey(name)) {
                removed.add(name);
            } else if (after.get(name).equals(before.get(name)) && before.get(name) != null) {
                unchanged.add(name);
            } else if (rescales(before.get(name), after.get(name))) {
                rescaled.add(name);
            } else {
                changed.add(name);
            }
        }
        after.keySet().stream().filter(name -> !before.containsKey(name)).forEach(added::add);
        List<String> restart = changed.stream().filter(wanted).toList();
        List<String> start = added.stream()
                .filter(name -> after.get(name).enabled()
                        && !after.get(name).traffic().onDemand()
                        && after.get(name).schedule() == null)
                .toList();
        return new ReloadPlan(
                List.copyOf(removed),
                List.copyOf(added),
                List.copyOf(changed),
                List.copyOf(unchanged),
                List.copyOf(rescaled),
                restart,
                start);
    }

    /** Only the replica count differs, and on both sides the instances are numbered ({@code api.0}…). */
    private static boolean rescales(ProcessSpec before, ProcessSpec after) {
        return before != null
                && before.replicas() != after.replicas()
                && before.replicas() > 1
                && after.replicas() > 1
                && before.withReplicas(after.replicas()).equals(after);
    }

    /** The processes whose running instances go away: removed and changed. */
    List<String> leaving() {
        List<String> leaving = new ArrayList<>(removed);
        leaving.addAll(changed);
        return leaving;
    }
}
