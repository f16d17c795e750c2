package dev.drover.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drover.api.ApiHandler;
import dev.drover.api.ApiServer;
import dev.drover.api.TestEngines;
import dev.drover.control.ControlException;
import dev.drover.control.LogEntry;
import dev.drover.engine.Engine;
import dev.drover.engine.EngineControl;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.StandardProtocolFamily;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What only the remote client does: reaching (or not) a daemon over its socket. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RemoteControlTest {
    private static final String WEB = """
            processes:
              web:
                command: "exec sleep 300"
            """;

    @TempDir
    Path dir;

    private TestEngines engines;
    private ApiServer server;

    @BeforeEach
    void createEngines() {
        engines = new TestEngines(dir);
    }

    @AfterEach
    void stopEverything() {
        try {
            if (server != null) {
                server.stop();
            }
        } finally {
            engines.close();
        }
    }

    private Path serve() throws Exception {
        Engine engine = engines.start(WEB);
        EngineControl control = new EngineControl(engine, force -> engine.shutdown());
        server = ApiServer.start(control, new ApiHandler(control), dir.resolve("drover.sock"));
        return server.socket();
    }

    @Test
    void noSocketMeansNoDaemon() {
        RemoteControl remote = new RemoteControl(dir.resolve("drover.sock"));
        assertThatExceptionOfType(ControlException.class)
                .isThrownBy(remote::processes)
                .satisfies(e -> {
                    assertThat(e.status()).isEqualTo(ControlException.UNREACHABLE);
                    assertThat(e.getMessage())
                            .isEqualTo("no drover daemon is running for " + dir + " (start one with `drover up -d`)");
                });
    }

    @Test
    void aSocketLeftByADeadDaemonMeansNoDaemon() throws Exception {
        Path socket = dir.resolve("drover.sock");
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(socket));
        }
        assertThat(socket).exists();
        assertThatExceptionOfType(ControlException.class)
                .isThrownBy(() -> new RemoteControl(socket).health())
                .satisfies(e -> {
                    assertThat(e.status()).isEqualTo(ControlException.UNREACHABLE);
                    assertThat(e.getMessage()).startsWith("no drover daemon is running for " + dir);
                });
    }

    @Test
    void aDaemonThatDoesNotAnswerTimesOut() throws Exception {
        Path socket = dir.resolve("drover.sock");
        try (ServerSocketChannel silent = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            silent.bind(UnixDomainSocketAddress.of(socket));
            RemoteControl remote = new RemoteControl(socket, Duration.ofMillis(300));
            assertThatExceptionOfType(ControlException.class)
                    .isThrownBy(remote::processes)
                    .satisfies(e -> {
                        assertThat(e.status()).isEqualTo(504);
                        assertThat(e.getMessage()).contains("did not answer");
                    });
            try (SocketChannel accepted = silent.accept()) {
                assertThat(accepted).isNotNull();
            }
        }
    }

    @Test
    void aDaemonShortOfDescriptorsIsReportedAsSoByEveryCallHealthIncluded() throws Exception {
        // What the API's listener answers when it has no descriptor to spare (AcceptFailures).
        byte[] body = "{\"error\":\"the daemon has no file descriptor to spare (Too many open files); try again\"}"
                .getBytes(StandardCharsets.UTF_8);
        byte[] answer = ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: "
                        + body.length + "\r\nConnection: close\r\n\r\n" + new String(body, StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.UTF_8);
        Path socket = dir.resolve("drover.sock");
        try (ServerSocketChannel busy = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            busy.bind(UnixDomainSocketAddress.of(socket));
            Thread refuser = Thread.ofVirtual().start(() -> {
                while (true) {
                    try (SocketChannel client = busy.accept()) {
                        client.write(java.nio.ByteBuffer.wrap(answer));
                    } catch (IOException e) {
                        return; // closed: the test is over
                    }
                }
            });
            RemoteControl remote = new RemoteControl(socket, Duration.ofSeconds(5));
            for (org.assertj.core.api.ThrowableAssert.ThrowingCallable call :
                    List.<org.assertj.core.api.ThrowableAssert.ThrowingCallable>of(remote::health, remote::processes)) {
                assertThatExceptionOfType(ControlException.class)
                        .isThrownBy(call)
                        .satisfies(e -> {
                            assertThat(e.status()).isEqualTo(503);
                            assertThat(e.getMessage()).contains("Too many open files");
                        });
            }
            busy.close();
            refuser.join(Duration.ofSeconds(5));
        }
    }

    @Test
    void aFollowEndsWhenTheDaemonGoesAway() throws Exception {
        Path socket = serve();
        List<LogEntry> received = new CopyOnWriteArrayList<>();
        SseFollow<LogEntry> follow = new RemoteControl(socket).followLogs(List.of("web"), received::add);
        assertThat(follow.awaitEnd(Duration.ofMillis(50))).isFalse();
        server.stop();
        assertThat(follow.awaitEnd(Duration.ofSeconds(20))).isTrue();
        assertThat(follow.failure()).isNull();
        follow.close();
    }

    @Test
    void idsArePercentEncodedAsOnePathSegment() {
        assertThat(RemoteControl.pathSegment("api.0")).isEqualTo("api.0");
        assertThat(RemoteControl.pathSegment("a b/c?d")).isEqualTo("a%20b%2Fc%3Fd");
        assertThat(RemoteControl.pathSegment("é")).isEqualTo("%C3%A9");
    }

    /** The CLI must start fast: the client runs with the JDK and Jackson alone, no Jetty class in sight. */
    @Test
    void theClientNeedsNoJetty() throws Exception {
        Path socket = serve();
        URL[] classpath = {
            codeSource(RemoteControl.class),
            codeSource(ObjectMapper.class),
            codeSource(JsonFactory.class),
            codeSource(JsonAutoDetect.class),
        };
        try (URLClassLoader isolated = new URLClassLoader(classpath, ClassLoader.getPlatformClassLoader())) {
            assertThatThrownBy(() -> isolated.loadClass("org.eclipse.jetty.server.Server"))
                    .isInstanceOf(ClassNotFoundException.class);
            Class<?> remote = isolated.loadClass(RemoteControl.class.getName());
            Object client = remote.getConstructor(Path.class).newInstance(socket);
            List<?> processes = (List<?>) invoke(remote, client, "processes");
            assertThat(processes).hasSize(1);
            Object health = invoke(remote, client, "health");
            assertThat(health.getClass().getClassLoader()).isSameAs(isolated);
        }
    }

    private static Object invoke(Class<?> type, Object target, String method) throws Exception {
        try {
            return type.getMethod(method).invoke(target);
        } catch (InvocationTargetException e) {
            throw new AssertionError("the client failed without Jetty on its classpath", e.getCause());
        }
    }

    private static URL codeSource(Class<?> type) {
        return type.getProtectionDomain().getCodeSource().getLocation();
    }
}
