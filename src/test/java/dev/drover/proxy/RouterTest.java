package dev.drover.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.config.RouteSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouterTest {
    private static Route route(String host, String path, String process) {
        return Route.toProcess(RouteSpec.toProcess(host, path, process), new Pool(process));
    }

    private final Router router = new Router(List.of(
            route(null, "/", "site"),
            route(null, "/api", "api"),
            route("example.test", "/api", "exact"),
            route("*.example.test", "/api", "wild"),
            route("*.example.test", "/api/v2", "wild-v2")));

    private String match(String host, String path) {
        Route route = router.match(host, path);
        return route == null ? null : route.spec().process();
    }

    @Test
    void theLongestPathPrefixWinsAmongTheRoutesWhoseHostMatches() {
        assertThat(match("other.test", "/")).isEqualTo("site");
        assertThat(match("other.test", "/api/users")).isEqualTo("api");
        assertThat(match("a.example.test", "/api/v2/users")).isEqualTo("wild-v2");
        assertThat(match("a.example.test", "/api/v1")).isEqualTo("wild");
    }

    @Test
    void anExactHostBeatsAWildcardBeatsAnyHostOnTheSamePath() {
        assertThat(match("example.test", "/api")).isEqualTo("exact");
        assertThat(match("deep.sub.example.test", "/api"))
                .as("a wildcard covers any depth")
                .isEqualTo("wild");
        assertThat(match("EXAMPLE.test", "/api")).as("hosts ignore case").isEqualTo("exact");
    }

    @Test
    void aWildcardDoesNotMatchTheBareDomainNorASuffixThatIsNotALabel() {
        assertThat(Router.hostMatches("*.example.test", "example.test")).isFalse();
        assertThat(Router.hostMatches("*.example.test", "badexample.test")).isFalse();
        assertThat(Router.hostMatches("*.example.test", "a.example.test")).isTrue();
    }

    @Test
    void aPrefixMatchesWholeSegmentsOnly() {
        assertThat(Router.prefixMatches("/api", "/api")).isTrue();
        assertThat(Router.prefixMatches("/api", "/api/")).isTrue();
        assertThat(Router.prefixMatches("/api", "/api/x")).isTrue();
        assertThat(Router.prefixMatches("/api", "/apix")).isFalse();
        assertThat(Router.prefixMatches("/api/", "/api/x")).isTrue();
        assertThat(match("other.test", "/apix")).isEqualTo("site");
    }

    @Test
    void stripPrefixRemovesTheRoutesPathAndKeepsARootSlash() {
        RouteSpec strip = new RouteSpec(null, "/api", "api", null, true, RouteSpec.Balance.ROUND_ROBIN);
        assertThat(Router.forwardedPath(strip, "/api/users/1")).isEqualTo("/users/1");
        assertThat(Router.forwardedPath(strip, "/api")).isEqualTo("/");
        RouteSpec keep = RouteSpec.toProcess(null, "/api", "api");
        assertThat(Router.forwardedPath(keep, "/api/users")).isEqualTo("/api/users");
    }

    @Test
    void roundRobinSpreadsAndLeastConnectionsPrefersTheIdleInstance() {
        Pool pool = new Pool("web");
        pool.refresh(
                List.of(
                        new dev.drover.control.Backends.Backend("web.0", 10, 1000),
                        new dev.drover.control.Backends.Backend("web.1", 11, 1001)),
                java.util.Set.of());
        Upstream first = pool.pick(RouteSpec.Balance.ROUND_ROBIN, java.util.Set.of(), null);
        Upstream second = pool.pick(RouteSpec.Balance.ROUND_ROBIN, java.util.Set.of(), null);
        assertThat(first).isNotSameAs(second);
        first.begin();
        first.begin();
        for (int i = 0; i < 4; i++) {
            assertThat(pool.pick(RouteSpec.Balance.LEAST_CONN, java.util.Set.of(), null))
                    .isSameAs(second);
        }
        assertThat(pool.pick(RouteSpec.Balance.ROUND_ROBIN, java.util.Set.of("web.1"), null))
                .as("held by hand")
                .isSameAs(first);
        first.quarantine(System.nanoTime());
        assertThat(pool.pick(RouteSpec.Balance.ROUND_ROBIN, java.util.Set.of("web.1"), null))
                .as("refused a connection: out for a moment")
                .isNull();
    }

    @Test
    void aDrainCompletesWhenTheLastRequestEnds() {
        Upstream upstream = new Upstream("web.0", 10, 1000);
        upstream.begin();
        var drained = upstream.drain();
        assertThat(upstream.available(System.nanoTime())).isFalse();
        assertThat(drained).isNotDone();
        upstream.end();
        assertThat(drained).isDone();
    }
}
