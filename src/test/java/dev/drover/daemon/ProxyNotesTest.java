package dev.drover.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.config.Defaults;
import dev.drover.config.ProxySpec;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A reload says which proxy keys wait for a restart of the daemon, and says nothing when none changed. */
class ProxyNotesTest {
    private static final ProxySpec RUNNING = new ProxySpec(
            "127.0.0.1:8080", null, Defaults.PROXY_TIMEOUTS, null, Defaults.PROXY_MAX_BODY, Defaults.QUEUE_TIMEOUT);

    @Test
    void nothingChangedNothingToSay() {
        assertThat(Daemon.proxyNotes(RUNNING, RUNNING)).isEmpty();
        assertThat(Daemon.proxyNotes(null, null)).isEmpty();
    }

    @Test
    void changedKeysAreNamed() {
        ProxySpec read =
                new ProxySpec("127.0.0.1:9090", null, Defaults.PROXY_TIMEOUTS, null, 1024, Duration.ofSeconds(3));
        assertThat(Daemon.proxyNotes(RUNNING, read))
                .containsExactly("proxy.listen, proxy.max_body, proxy.queue_timeout changed: takes effect after a"
                        + " restart of the daemon (drover down, then up)");
    }

    @Test
    void anAddedOrRemovedProxySectionIsNamed() {
        assertThat(Daemon.proxyNotes(null, RUNNING))
                .singleElement()
                .asString()
                .startsWith("the new proxy section takes effect after a restart");
        assertThat(Daemon.proxyNotes(RUNNING, null))
                .singleElement()
                .asString()
                .startsWith("the proxy keeps listening on 127.0.0.1:8080 until a restart");
    }
}
