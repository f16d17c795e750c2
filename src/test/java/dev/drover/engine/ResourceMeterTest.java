package dev.drover.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.config.LimitsSpec;
import dev.drover.launch.Usage;
import dev.drover.state.Event;
import dev.drover.state.Status;
import org.junit.jupiter.api.Test;

class ResourceMeterTest {
    private static final long MIB = 1L << 20;
    private static final long SECOND = 1_000_000_000L;

    @Test
    void memoryOverTheLimitForThreeSamplesInARowBreaksIt() {
        ResourceMeter meter = new ResourceMeter(new LimitsSpec(100 * MIB, null));
        assertThat(meter.record(null, new Usage(0, 150 * MIB, 1), 0)).isNull();
        assertThat(meter.record(null, new Usage(0, 150 * MIB, 1), 2 * SECOND)).isNull();
        assertThat(meter.record(null, new Usage(0, 50 * MIB, 1), 4 * SECOND)).as("a dip starts the count over").isNull();
        assertThat(meter.record(null, new Usage(0, 150 * MIB, 1), 6 * SECOND)).isNull();
        assertThat(meter.record(null, new Usage(0, 150 * MIB, 1), 8 * SECOND)).isNull();
        String broken = meter.record(null, new Usage(0, 150 * MIB, 1), 10 * SECOND);
        assertThat(broken).startsWith("memory limit: using 150.0 MiB, over the limit of 100.0 MiB for 3 samples");
        assertThat(meter.record(null, new Usage(0, 150 * MIB, 1), 12 * SECOND)).as("counted afresh after a breach").isNull();
        assertThat(meter.memoryBytes()).isEqualTo(150 * MIB);
    }

    @Test
    void cpuPercentIsCpuTimeOverWallTimeAndBreaksTheCpuLimit() {
        ResourceMeter meter = new ResourceMeter(new LimitsSpec(null, 50.0));
        assertThat(meter.record(null, new Usage(0, MIB, 1), 0)).isNull();
        assertThat(meter.cpuPercent()).as("no figure from one sample").isNull();
        // 1.5 s of CPU in 2 s: 75% of one core.
        assertThat(meter.record(null, new Usage(3 * SECOND / 2, MIB, 1), 2 * SECOND)).isNull();
        assertThat(meter.cpuPercent()).isEqualTo(75.0);
        assertThat(meter.record(null, new Usage(3 * SECOND, MIB, 1), 4 * SECOND)).isNull();
        assertThat(meter.record(null, new Usage(9 * SECOND / 2, MIB, 1), 6 * SECOND)).startsWith("cpu limit: using 75% of a core");
        assertThat(meter.cpuSeconds()).isEqualTo(4.5);
    }

    @Test
    void totalsAreKeptWhenIdleAndFiguresCleared() {
        ResourceMeter meter = new ResourceMeter(new LimitsSpec(null, null));
        meter.record(null, new Usage(2 * SECOND, 10 * MIB, 2), 0);
        meter.idle();
        assertThat(meter.memoryBytes()).isNull();
        assertThat(meter.cpuPercent()).isNull();
        assertThat(meter.cpuSeconds()).isEqualTo(2.0);
    }

    @Test
    void endsAreClassifiedForTheExitsMetric() {
        Status running = new Status(dev.drover.state.ProcessState.RUNNING, dev.drover.state.Health.READY, true, true, null, 42, 1, 1, 0,
                java.util.List.of(), 0, 0, null, null, false, false);
        Status gone = new Status(dev.drover.state.ProcessState.BACKOFF, dev.drover.state.Health.UNKNOWN, true, true, null, 0, 0, 0, 1,
                java.util.List.of(), 1, 1, null, null, false, false);
        assertThat(ProcessSupervisor.endKind(running, gone, new Event.Exited(42, "exit code 0", true, 1, 0))).isEqualTo("success");
        assertThat(ProcessSupervisor.endKind(running, gone, new Event.Exited(42, "exit code 3", false, 1, 0))).isEqualTo("failure");
        assertThat(ProcessSupervisor.endKind(running, gone, new Event.Exited(42, "killed by SIGKILL", false, 1, 0))).isEqualTo("signal");
        Status stoppingForMemory = new Status(dev.drover.state.ProcessState.STOPPING, dev.drover.state.Health.UNKNOWN, true, true, null, 42, 1, 0, 0,
                java.util.List.of(), 0, 0, "memory limit: using 1 GiB", null, false, true);
        assertThat(ProcessSupervisor.endKind(stoppingForMemory, gone, new Event.Stopped(42, "killed by SIGTERM", false, 1))).isEqualTo("memory_limit");
        Status stoppingForLiveness = new Status(dev.drover.state.ProcessState.STOPPING, dev.drover.state.Health.UNKNOWN, true, true, null, 42, 1, 0, 0,
                java.util.List.of(), 0, 0, "liveness failed: no answer", null, false, true);
        assertThat(ProcessSupervisor.endKind(stoppingForLiveness, gone, new Event.Stopped(42, "killed by SIGTERM", false, 1))).isEqualTo("liveness");
        Status stopping = new Status(dev.drover.state.ProcessState.STOPPING, dev.drover.state.Health.UNKNOWN, false, true, null, 42, 1, 0, 0,
                java.util.List.of(), 0, 0, null, null, false, false);
        assertThat(ProcessSupervisor.endKind(stopping, gone, new Event.Stopped(42, "killed by SIGTERM", false, 1))).isEqualTo("stopped");
        assertThat(ProcessSupervisor.endKind(running, running, new Event.Exited(41, "exit code 0", true, 1, 0))).as("a stale exit").isNull();
    }
}
