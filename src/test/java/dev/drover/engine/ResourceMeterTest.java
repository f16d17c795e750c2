package dev.drover.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.config.LimitsSpec;
import dev.drover.launch.Usage;
import dev.drover.state.Failure;
import org.junit.jupiter.api.Test;

class ResourceMeterTest {
    private static final long MIB = 1L << 20;
    private static final long SECOND = 1_000_000_000L;

    @Test
    void memoryOverTheLimitForThreeSamplesInARowBreaksIt() {
        ResourceMeter meter = new ResourceMeter(new LimitsSpec(100 * MIB, null));
        assertThat(meter.record(null, new Usage(0, 150 * MIB, 1), 0)).isNull();
        assertThat(meter.record(null, new Usage(0, 150 * MIB, 1), 2 * SECOND)).isNull();
        assertThat(meter.record(null, new Usage(0, 50 * MIB, 1), 4 * SECOND))
                .as("a dip starts the count over")
                .isNull();
        assertThat(meter.record(null, new Usage(0, 150 * MIB, 1), 6 * SECOND)).isNull();
        assertThat(meter.record(null, new Usage(0, 150 * MIB, 1), 8 * SECOND)).isNull();
        Failure broken = meter.record(null, new Usage(0, 150 * MIB, 1), 10 * SECOND);
        assertThat(broken).isInstanceOf(Failure.LimitBroken.class);
        assertThat(((Failure.LimitBroken) broken).resource()).isEqualTo(Failure.Resource.MEMORY);
        assertThat(broken.describe())
                .startsWith("memory limit: using 150.0 MiB, over the limit of 100.0 MiB for 3 samples");
        assertThat(meter.record(null, new Usage(0, 150 * MIB, 1), 12 * SECOND))
                .as("counted afresh after a breach")
                .isNull();
        assertThat(meter.memoryBytes()).isEqualTo(150 * MIB);
    }

    @Test
    void cpuPercentIsCpuTimeOverWallTimeAndBreaksTheCpuLimit() {
        ResourceMeter meter = new ResourceMeter(new LimitsSpec(null, 50.0));
        assertThat(meter.record(null, new Usage(0, MIB, 1), 0)).isNull();
        assertThat(meter.cpuPercent()).as("no figure from one sample").isNull();
        // 1.5 s of CPU in 2 s: 75% of one core.
        assertThat(meter.record(null, new Usage(3 * SECOND / 2, MIB, 1), 2 * SECOND))
                .isNull();
        assertThat(meter.cpuPercent()).isEqualTo(75.0);
        assertThat(meter.record(null, new Usage(3 * SECOND, MIB, 1), 4 * SECOND))
                .isNull();
        Failure broken = meter.record(null, new Usage(9 * SECOND / 2, MIB, 1), 6 * SECOND);
        assertThat(((Failure.LimitBroken) broken).resource()).isEqualTo(Failure.Resource.CPU);
        assertThat(broken.describe()).startsWith("cpu limit: using 75% of a core");
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
}
