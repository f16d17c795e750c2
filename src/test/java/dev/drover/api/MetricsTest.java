package dev.drover.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MetricsTest {
    @Test
    void theJvmsMetricsAppearFromTheFirstScrapeAfterTheyAreWanted() {
        Metrics metrics = new Metrics();
        String before = new String(metrics.scrape(), StandardCharsets.UTF_8);
        assertThat(before).as("nothing of the JVM before it is wanted").doesNotContain("jvm_");

        metrics.instrumentJvm();
        assertThat(metrics.registry().scrape().stream().map(m -> m.getMetadata().getName()))
                .as("registered by the first scrape, not at once (their set-up starts JMX)")
                .noneMatch(name -> name.startsWith("jvm_"));
        String first = new String(metrics.scrape(), StandardCharsets.UTF_8);
        assertThat(first).contains("jvm_threads_current", "jvm_memory_used_bytes");
        String second = new String(metrics.scrape(), StandardCharsets.UTF_8);
        assertThat(second.lines().filter(l -> l.startsWith("# TYPE jvm_threads_current")))
                .as("registered once")
                .hasSize(1);
    }
}
