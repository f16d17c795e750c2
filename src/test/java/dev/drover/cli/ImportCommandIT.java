package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.Waits;
import dev.drover.interop.Fixtures;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** `drover import` through the real jar: the file it writes validates, and the stack it describes runs. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ImportCommandIT {
    @TempDir
    Path dir;

    @Test
    void aSupervisordStackImportsValidatesAndRuns() throws Exception {
        Fixtures.copy("supervisord", dir);
        int port = freePort();
        try (DaemonHarness drover = new DaemonHarness(dir).env("WEB_PORT", Integer.toString(port))) {
            DaemonHarness.Result imported = drover.run("import", "supervisord.conf");
            assertThat(imported.exitCode()).as(imported.toString()).isZero();
            assertThat(imported.output())
                    .contains("wrote " + dir.resolve("drover.yaml"))
                    .contains("[program:web] command -> processes.web.command")
                    .contains("[program:worker] stderr_logfile -> not mapped: ")
                    .containsPattern("\\d+ keys mapped, \\d+ not mapped");
            assertThat(drover.run("validate").output()).isEqualTo("ok\n");

            DaemonHarness.Result up = drover.up();
            assertThat(up.exitCode()).as(up.toString()).isZero();
            Waits.until(
                    Duration.ofSeconds(30),
                    "cache, web, worker.0, worker.1 and janitor running and report left stopped",
                    () -> {
                        var processes = drover.processes();
                        return processes
                                        .keySet()
                                        .containsAll(
                                                java.util.List.of("cache", "web", "worker.0", "worker.1", "janitor"))
                                && java.util.List.of("cache", "web", "worker.0", "worker.1", "janitor").stream()
                                        .allMatch(id -> processes
                                                .get(id)
                                                .get("state")
                                                .asText()
                                                .equals("running"))
                                && !processes
                                        .get("report")
                                        .get("state")
                                        .asText()
                                        .equals("running");
                    },
                    () -> drover.run("ps").output());
            HttpResponse<String> page = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                                    .timeout(Duration.ofSeconds(10))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("supervisord.conf");
            DaemonHarness.Result logs = drover.run("logs", "-n", "20", "worker");
            assertThat(logs.output()).contains("worker 0 of 2 in shop").contains("worker 1 of 2 in shop");
            assertThat(drover.run("down").exitCode()).isZero();
        }
    }

    @Test
    void aProcfileStackImportsValidatesAndRunsWithItsDotEnv() throws Exception {
        Fixtures.copy("procfile", dir);
        try (DaemonHarness drover = new DaemonHarness(dir)) {
            DaemonHarness.Result imported = drover.run("import", "Procfile", "-o", "drover.yaml");
            assertThat(imported.exitCode()).as(imported.toString()).isZero();
            assertThat(imported.output()).contains(".env -> env_file");
            assertThat(drover.run("validate").output()).isEqualTo("ok\n");
            DaemonHarness.Result up = drover.up();
            assertThat(up.exitCode()).as(up.toString()).isZero();
            Waits.until(
                    Duration.ofSeconds(30),
                    "the worker's line with the .env values",
                    () -> drover.run("logs", "-n", "20", "worker")
                            .output()
                            .contains("worker sees hello in development"),
                    () -> drover.run("logs", "-n", "20").output());
            int webPort = drover.processes().get("web").get("port").asInt();
            Waits.until(
                    Duration.ofSeconds(30),
                    "web answering on its $PORT " + webPort,
                    () -> get("http://127.0.0.1:" + webPort + "/") == 200,
                    () -> drover.run("ps").output());
            assertThat(drover.run("down").exitCode()).isZero();
        }
    }

    @Test
    void aProcessComposeStackImportsValidatesAndRunsInDependencyOrder() throws Exception {
        Fixtures.copy("process-compose", dir);
        runsTheShop("process-compose.yaml");
    }

    @Test
    void aComposeStackImportsValidatesAndRunsWhatRunsOnTheHost() throws Exception {
        Fixtures.copy("compose", dir);
        runsTheShop("compose.yaml");
    }

    @Test
    void aPm2EcosystemImportsThroughNodeValidatesAndRuns() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Files.isExecutable(Path.of("/usr/bin/node")), "node is not installed");
        Fixtures.copy("pm2", dir);
        int port = freePort();
        try (DaemonHarness drover = new DaemonHarness(dir).env("WEB_PORT", Integer.toString(port))) {
            DaemonHarness.Result imported = drover.run("import", "ecosystem.config.js");
            assertThat(imported.exitCode()).as(imported.toString()).isZero();
            assertThat(imported.output()).contains("apps[0].wait_ready -> not mapped: ");
            assertThat(drover.run("validate").output()).isEqualTo("ok\n");
            DaemonHarness.Result up = drover.up();
            assertThat(up.exitCode()).as(up.toString()).isZero();
            Waits.until(
                    Duration.ofSeconds(60),
                    "web ready, worker.0 and worker.1 running",
                    () -> {
                        var p = drover.processes();
                        return p.containsKey("worker.1")
                                && p.get("web").get("health").asText().equals("ready")
                                && p.get("worker.0").get("state").asText().equals("running")
                                && p.get("worker.1").get("state").asText().equals("running");
                    },
                    () -> drover.run("ps").output());
            assertThat(get("http://127.0.0.1:" + port + "/")).isEqualTo(200);
            assertThat(drover.run("down").exitCode()).isZero();
        }
    }

    @Test
    void aJavaScriptEcosystemWithoutNodeIsRefusedSayingWhatToDo() throws Exception {
        Fixtures.copy("pm2", dir);
        Path emptyPath = Files.createDirectories(dir.resolve("no-node-here"));
        try (DaemonHarness drover = new DaemonHarness(dir).env("PATH", emptyPath.toString())) {
            DaemonHarness.Result imported = drover.run("import", "ecosystem.config.js");
            assertThat(imported.exitCode()).isEqualTo(1);
            assertThat(imported.output()).contains("`node` is not on PATH").contains("JSON");
            assertThat(dir.resolve("drover.yaml")).doesNotExist();
        }
    }

    @Test
    void aSeedProxyServerImportsItsProcessesAndRoutesAndServesThroughDroversProxy() throws Exception {
        Fixtures.copy("seed", dir);
        int apiPort = freePort();
        int proxyPort = freePort();
        Path processes = dir.resolve("processes.yaml");
        Files.writeString(processes, Files.readString(processes).replace("3001", Integer.toString(apiPort)));
        Path proxy = dir.resolve("proxy.yaml");
        Files.writeString(
                proxy,
                Files.readString(proxy)
                        .replace("8080", Integer.toString(proxyPort))
                        .replace("3001", Integer.toString(apiPort)));
        try (DaemonHarness drover = new DaemonHarness(dir)) {
            DaemonHarness.Result imported = drover.run("import", "processes.yaml");
            assertThat(imported.exitCode()).as(imported.toString()).isZero();
            assertThat(imported.output()).contains("proxy.yaml routes[0].ssl -> not mapped: ");
            assertThat(drover.run("validate").output()).isEqualTo("ok\n");
            DaemonHarness.Result up = drover.up();
            assertThat(up.exitCode()).as(up.toString()).isZero();
            Waits.until(
                    Duration.ofSeconds(60),
                    "shop.example.test answered 200 through the proxy on " + proxyPort,
                    () -> statusThroughProxy(proxyPort, "shop.example.test") == 200,
                    () -> drover.run("ps").output() + drover.run("routes").output());
            assertThat(drover.run("down").exitCode()).isZero();
        }
    }

    private static int statusThroughProxy(int port, String host) {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            socket.getOutputStream()
                    .write(("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String status = new java.io.BufferedReader(new java.io.InputStreamReader(
                            socket.getInputStream(), java.nio.charset.StandardCharsets.US_ASCII))
                    .readLine();
            return status == null ? -1 : Integer.parseInt(status.split(" ")[1]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** migrate completes, then web gets healthy on WEB_PORT, then both workers run. */
    private void runsTheShop(String source) throws Exception {
        int port = freePort();
        try (DaemonHarness drover = new DaemonHarness(dir).env("WEB_PORT", Integer.toString(port))) {
            DaemonHarness.Result imported = drover.run("import", source);
            assertThat(imported.exitCode()).as(imported.toString()).isZero();
            assertThat(imported.output()).contains(" -> not mapped: ");
            assertThat(drover.run("validate").output()).isEqualTo("ok\n");
            DaemonHarness.Result up = drover.up();
            assertThat(up.exitCode()).as(up.toString()).isZero();
            Waits.until(
                    Duration.ofSeconds(60),
                    "migrate exited, web ready, worker.0 and worker.1 running",
                    () -> {
                        var p = drover.processes();
                        return p.containsKey("worker.1")
                                && p.get("migrate").get("state").asText().equals("exited")
                                && p.get("web").get("health").asText().equals("ready")
                                && p.get("worker.0").get("state").asText().equals("running")
                                && p.get("worker.1").get("state").asText().equals("running");
                    },
                    () -> drover.run("ps").output());
            assertThat(get("http://127.0.0.1:" + port + "/")).isEqualTo(200);
            assertThat(drover.run("down").exitCode()).isZero();
        }
    }

    @Test
    void badInputGetsAClearMessageAndANonZeroExit() throws Exception {
        try (DaemonHarness drover = new DaemonHarness(dir)) {
            DaemonHarness.Result missing = drover.run("import", "nope.conf");
            assertThat(missing.exitCode()).isEqualTo(1);
            assertThat(missing.output()).contains("nope.conf does not exist");

            DaemonHarness.Result format = drover.run("import", "x.conf", "--from", "upstart");
            assertThat(format.exitCode()).isEqualTo(2);
            assertThat(format.output()).contains("unknown format upstart").contains("supervisord|procfile");

            Files.writeString(dir.resolve("notes.txt"), "buy milk\n");
            DaemonHarness.Result unknown = drover.run("import", "notes.txt");
            assertThat(unknown.exitCode()).isEqualTo(1);
            assertThat(unknown.output()).contains("cannot tell what format").contains("--from");

            Files.writeString(dir.resolve("Procfile"), "web: sleep 100\n");
            Files.writeString(dir.resolve("drover.yaml"), "processes: {a: {command: sleep 1}}\n");
            DaemonHarness.Result exists = drover.run("import", "Procfile");
            assertThat(exists.exitCode()).isEqualTo(1);
            assertThat(exists.output()).contains("exists; pass --force");
            assertThat(Files.readString(dir.resolve("drover.yaml"))).contains("a: {command: sleep 1}");
            assertThat(drover.run("import", "Procfile", "--force").exitCode()).isZero();
            assertThat(Files.readString(dir.resolve("drover.yaml"))).contains("web:");

            assertThat(drover.run("import").exitCode()).isEqualTo(2);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static int get(String url) {
        try {
            return HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(url))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
