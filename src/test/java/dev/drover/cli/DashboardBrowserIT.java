package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drover.Waits;
import dev.drover.launch.ProcessRef;
import dev.drover.launch.Signals;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;

/**
 * The web dashboard in a real browser (Debian's chromium, headless, through chromedriver) against
 * a real daemon running real processes: login, the live table, commands, the log tail, the
 * reconnect after the daemon was killed, CSRF and CSP. Screenshots go to
 * target/dashboard-screenshots/ (the README's pictures are copies of them).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DashboardBrowserIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "browser-test-token-0123456789";
    private static final Path SCREENSHOTS = Path.of("target", "dashboard-screenshots");
    private static final String CONFIG = """
            processes:
              migrate:
                command: "echo migrating; echo schema ready"
                restart: "no"
              ticker:
                command: "trap 'echo got USR1' USR1; while true; do echo tick; sleep 0.5; done"
                restart: always
                backoff: {initial: 100ms, max: 1s}
                stop_timeout: 2s
              web:
                command: ["python3", "-m", "http.server", "${PORT}", "--bind", "127.0.0.1"]
                port: auto
                depends_on: {migrate: {condition: completed}}
                readiness: {http: "http://127.0.0.1:${PORT}/", interval: 500ms}
              worker:
                command: "while true; do echo working >&2; sleep 2; done"
                depends_on: {web: {condition: healthy}, ticker: {condition: started}}
                stop_timeout: 2s
            """;

    private static ChromeDriver browser;
    private static Path profile;

    @TempDir
    Path dir;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private String base;
    private int port;

    @BeforeAll
    static void startBrowser() throws Exception {
        profile = Files.createTempDirectory("drover-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-quic",
                "--no-first-run",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
                "--user-data-dir=" + profile,
                "--window-size=1280,860");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver"))
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
        Files.createDirectories(SCREENSHOTS);
    }

    @AfterAll
    static void stopBrowser() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (profile != null) {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
    }

    @BeforeEach
    void upWithAFixedPort() throws Exception {
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Files.writeString(
                dir.resolve("drover.yaml"),
                CONFIG + "api: {listen: \"127.0.0.1:" + port + "\", token: \"" + TOKEN + "\"}\n");
        up();
        base = "http://127.0.0.1:" + port;
        browser.manage().deleteAllCookies();
    }

    private void up() throws Exception {
        DroverProcess up = DroverProcess.run(dir, "up", "-d", "--timeout", "60s");
        assertThat(up.exitCode()).as(up.text()).isZero();
    }

    @AfterEach
    void down() throws Exception {
        if (Files.exists(dir.resolve(".drover/drover.sock"))) {
            DroverProcess down = DroverProcess.run(dir, "down");
            assertThat(down.exitCode()).as(down.text()).isZero();
        }
    }

    @Test
    void aWrongTokenIsRefusedAndTheRightOneShowsTheLiveTable() throws Exception {
        browser.get(base + "/");
        waitFor("the login page", () -> browser.getCurrentUrl().endsWith("/login"));
        login("not-the-token-at-all");
        waitFor(
                "the refusal on the login page",
                () -> text(By.id("message")).contains("Wrong token"),
                () -> text(By.tagName("body")));
        assertThat(browser.getCurrentUrl()).endsWith("/login");
        assertThat(browser.manage().getCookieNamed("drover_session")).isNull();

        login(TOKEN);
        awaitTableShows("every process", Map.of("migrate", "exited", "ticker", "running", "web", "running"));
        Map<String, String> pids = tablePids();
        for (String id : List.of("ticker", "web", "worker")) {
            assertThat(pids.get(id)).as(id).isEqualTo(String.valueOf(apiPid(id)));
        }
        Cookie session = browser.manage().getCookieNamed("drover_session");
        assertThat(session.isHttpOnly()).isTrue();
        assertThat(session.getSameSite()).isEqualTo("Strict");
        assertThat((String) script("return document.cookie;")).doesNotContain("drover_session");
        waitFor("the worker's row, ready", () -> rowText("worker").contains("ready"), this::tableText);
        screenshot("table");
    }

    @Test
    void aProcessKilledFromOutsideShowsItsRestartWithinTwoSecondsAndTheButtonRestartsIt() throws Exception {
        loginThroughTheForm();
        awaitTableShows("ticker running", Map.of("ticker", "running"));
        int killed = apiPid("ticker");
        waitFor(
                "the table showing ticker's pid " + killed,
                () -> rowCell("ticker", "c-pid").equals(String.valueOf(killed)));
        ProcessRef ref = ProcessRef.of(killed);
        assertThat(ref).as("ticker's pid %d is alive", killed).isNotNull();
        assertThat(Signals.send(ref, Signals.SIGKILL)).isTrue();
        long killedAt = System.nanoTime();
        Waits.until(
                Duration.ofSeconds(2),
                "the table to show ticker restarted with a new pid after SIGKILL of " + killed,
                () -> {
                    String pid = rowCell("ticker", "c-pid");
                    return !pid.equals(String.valueOf(killed))
                            && !pid.equals("-")
                            && !rowCell("ticker", "c-restarts").equals("0");
                },
                this::tableText);
        long shownAfterMs = (System.nanoTime() - killedAt) / 1_000_000;
        waitFor(
                "the table's pid to be the API's",
                () -> rowCell("ticker", "c-pid").equals(String.valueOf(apiPid("ticker"))));
        System.out.println("dashboard: the restart showed " + shownAfterMs + " ms after the SIGKILL");

        // The process page: restart button → a new PID, in the API and on the page.
        browser.findElement(By.cssSelector("tr[data-id='ticker'] a")).click();
        waitFor(
                "the process page",
                () -> text(By.id("pid")).equals(String.valueOf(apiPid("ticker"))),
                () -> text(By.tagName("main")));
        int before = apiPid("ticker");
        browser.findElement(By.id("act-restart")).click();
        waitFor(
                "a new pid after the restart button",
                () -> {
                    int now = apiPid("ticker");
                    return now != before && now != 0 && text(By.id("pid")).equals(String.valueOf(now));
                },
                () -> "page: " + text(By.tagName("main")) + "\napi pid: " + apiPid("ticker"));

        // A new log line in the tail: the signal button sends USR1, the process answers on stdout.
        waitFor("the log tail", () -> text(By.id("log")).contains("tick"), () -> text(By.id("log")));
        assertThat(text(By.id("log"))).doesNotContain("got USR1");
        new Select(browser.findElement(By.id("signal"))).selectByValue("USR1");
        browser.findElement(By.id("act-signal")).click();
        browser.switchTo().alert().accept(); // signals are confirmed
        waitFor(
                "the process's answer to USR1 in the log tail",
                () -> text(By.id("log")).contains("got USR1"),
                () -> text(By.id("log")));
        // stdout and stderr are told apart: the worker writes to stderr.
        browser.get(base + "/#/process/worker");
        waitFor(
                "the worker's stderr lines marked as such",
                () -> !browser.findElements(By.cssSelector("#log .line.stderr")).isEmpty(),
                () -> text(By.id("log")));
        browser.get(base + "/#/process/ticker");
        waitFor("the process page", () -> text(By.id("log")).contains("tick"), () -> text(By.id("log")));
        screenshot("process");
    }

    @Test
    void stopIsConfirmedAndAPostWithoutTheCsrfTokenIsRefused() throws Exception {
        loginThroughTheForm();
        awaitTableShows("ticker running", Map.of("ticker", "running"));
        int pid = apiPid("ticker");
        // From the page itself, with its session cookie, but without the CSRF header.
        Object status = ((JavascriptExecutor) browser)
                .executeAsyncScript("const done = arguments[arguments.length - 1];"
                        + "fetch('/api/processes/ticker/stop', {method: 'POST'}).then(r => done(r.status));");
        assertThat(status).isEqualTo(403L);
        // Outside the browser with the cookie and a wrong token.
        String cookie = "drover_session="
                + browser.manage().getCookieNamed("drover_session").getValue();
        HttpResponse<String> wrong = http.send(
                HttpRequest.newBuilder(URI.create(base + "/api/processes/ticker/stop"))
                        .header("Cookie", cookie)
                        .header("X-CSRF-Token", "guessed")
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(wrong.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(wrong.body()).get("error").asText()).contains("X-CSRF-Token");
        assertThat(apiPid("ticker")).as("nothing stopped").isEqualTo(pid);

        // The stop button asks first; dismissing changes nothing, accepting stops it.
        browser.get(base + "/#/process/ticker");
        waitFor(
                "the process page",
                () -> text(By.id("pid")).equals(String.valueOf(pid)),
                () -> text(By.tagName("main")));
        browser.findElement(By.id("act-stop")).click();
        browser.switchTo().alert().dismiss();
        assertThat(apiPid("ticker")).isEqualTo(pid);
        browser.findElement(By.id("act-stop")).click();
        browser.switchTo().alert().accept();
        waitFor(
                "ticker stopped, on the page",
                () -> text(By.id("state")).equals("stopped"),
                () -> text(By.tagName("main")) + "\napi: " + api("/api/processes/ticker"));
        browser.findElement(By.id("act-start")).click();
        waitFor("ticker running again", () -> text(By.id("state")).equals("running"), () -> text(By.tagName("main")));
    }

    @Test
    void everyAnswerCarriesAStrictContentSecurityPolicyAndOnlyStaticFilesAreServedWithoutASession() throws Exception {
        for (String path : List.of("/", "/login", "/ui/app.js", "/api/processes", "/dashboard/graph")) {
            HttpResponse<String> answer = get(path, null);
            assertThat(answer.headers().firstValue("content-security-policy"))
                    .as(path)
                    .hasValueSatisfying(csp -> assertThat(csp)
                            .contains("default-src 'none'")
                            .contains("script-src 'self'")
                            .doesNotContain("unsafe-inline")
                            .doesNotContain("unsafe-eval")
                            .contains("frame-ancestors 'none'"));
        }
        assertThat(get("/", null).statusCode()).as("the table needs a session").isEqualTo(303);
        assertThat(get("/login", null).statusCode()).isEqualTo(200);
        assertThat(get("/ui/app.js", null).statusCode()).isEqualTo(200);
        assertThat(get("/ui/../../drover.yaml", null).statusCode()).isIn(400, 401, 404);
        assertThat(get("/api/processes", null).statusCode()).isEqualTo(401);
        assertThat(get("/dashboard/graph", null).statusCode()).isEqualTo(401);
        assertThat(get("/dashboard/session", "drover_session=forged").statusCode())
                .isEqualTo(401);

        // Wrong tokens are rate-limited: the sixth try within a minute is refused even when right.
        for (int i = 0; i < 5; i++) {
            assertThat(postLogin("wrong-" + i).statusCode()).isEqualTo(401);
        }
        HttpResponse<String> limited = postLogin(TOKEN);
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("retry-after")).isPresent();

        // The one-time link from `drover dashboard`: works once.
        DroverProcess link = DroverProcess.run(dir, "dashboard");
        assertThat(link.exitCode()).as(link.text()).isZero();
        String login = link.output().stream()
                .filter(l -> l.startsWith("login once: "))
                .map(l -> l.substring("login once: ".length()).split("\\s+")[0])
                .findFirst()
                .orElseThrow(() -> new AssertionError("no login link in:\n" + link.text()));
        assertThat(login).startsWith(base + "/login?code=");
        browser.get(login);
        awaitTableShows("the table after the one-time link", Map.of("ticker", "running"));
        browser.manage().deleteAllCookies();
        browser.get(login);
        waitFor(
                "the used link refused",
                () -> browser.getCurrentUrl().contains("/login?expired"),
                browser::getCurrentUrl);
    }

    @Test
    void killingTheDaemonShowsTheBannerAndTheRestartedOneIsShownFreshWithoutLoggingInAgain() throws Exception {
        loginThroughTheForm();
        awaitTableShows("everything up", Map.of("ticker", "running", "web", "running", "worker", "running"));
        browser.get(base + "/#/graph");
        waitFor(
                "the graph with every process",
                () -> browser.findElements(By.cssSelector("#graph a[data-node]"))
                                .size()
                        == 4,
                () -> text(By.tagName("main")));
        waitFor(
                "the worker's node coloured ready",
                () -> browser.findElement(By.cssSelector("#graph a[data-node='worker'] rect"))
                        .getAttribute("class")
                        .contains("good"),
                () -> text(By.tagName("main")));
        Object drawnWidth = script("return document.querySelector(\"#graph a[data-node='worker'] rect\")"
                + ".getBoundingClientRect().width;");
        assertThat(((Number) drawnWidth).doubleValue()).as("the node is drawn").isGreaterThan(100);
        screenshot("graph");
        browser.get(base + "/#/");
        awaitTableShows("the table", Map.of("ticker", "running"));
        Map<String, String> oldPids = tablePids();

        int daemon = Integer.parseInt(
                Files.readString(dir.resolve(".drover/drover.pid")).strip());
        ProcessRef daemonRef = ProcessRef.of(daemon);
        assertThat(daemonRef).isNotNull();
        assertThat(Signals.send(daemonRef, Signals.SIGKILL)).isTrue();
        waitFor(
                "the banner saying the daemon is gone",
                () -> browser.findElement(By.id("banner")).isDisplayed()
                        && text(By.id("banner")).contains("Lost the connection"),
                () -> text(By.tagName("body")));
        screenshot("reconnecting");

        up(); // finds the killed daemon's children and stops them, then starts everything anew
        Map<String, String> fresh = new TreeMap<>();
        for (String id : List.of("ticker", "web", "worker")) {
            fresh.put(id, String.valueOf(apiPid(id)));
        }
        assertThat(fresh.get("ticker")).isNotEqualTo(oldPids.get("ticker"));
        waitFor(
                "the banner gone and the table showing the new daemon's processes",
                () -> !browser.findElement(By.id("banner")).isDisplayed()
                        && tablePids().entrySet().containsAll(fresh.entrySet()),
                () -> "api: " + fresh + "\n" + text(By.tagName("body")));
        assertThat(browser.getCurrentUrl()).as("still logged in").doesNotContain("/login");

        // And the stream is live again: a change after the reconnect shows without a reload.
        int pid = apiPid("ticker");
        assertThat(Signals.send(ProcessRef.of(pid), Signals.SIGKILL)).isTrue();
        waitFor(
                "the table to follow the new daemon's events",
                () -> {
                    String shown = rowCell("ticker", "c-pid");
                    return !shown.equals(String.valueOf(pid)) && !shown.equals("-");
                },
                this::tableText);
    }

    @Test
    void aBrokenEventStreamResumesFromItsLastEventIdWithNoEventMissed() throws Exception {
        String cookie = loginOverHttp();
        String lastId;
        // Read the stream until the first event of a restart, then drop the connection.
        HttpRequest events = HttpRequest.newBuilder(URI.create(base + "/api/events"))
                .header("Cookie", cookie)
                .build();
        HttpResponse<java.io.InputStream> stream = http.send(events, HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader in = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
            restartOverHttp(cookie, "ticker");
            lastId = null;
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("id: ")) {
                    lastId = line.substring(4);
                    break;
                }
            }
        }
        assertThat(lastId).as("the event stream numbers its events").isNotNull();
        Waits.until(
                Duration.ofSeconds(10),
                "ticker running again",
                () -> api("/api/processes/ticker").get("state").asText().equals("running"),
                () -> api("/api/processes/ticker").toString());
        HttpResponse<java.io.InputStream> resumed = http.send(
                HttpRequest.newBuilder(URI.create(base + "/api/events"))
                        .header("Cookie", cookie)
                        .header("Last-Event-ID", lastId)
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        List<String> states = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(resumed.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null && !states.contains("running")) {
                if (line.startsWith("data: ")) {
                    JsonNode event = JSON.readTree(line.substring(6));
                    if (event.get("process").asText().equals("ticker")) {
                        states.add(event.get("state").asText());
                    }
                }
            }
        }
        assertThat(states).as("replayed after %s", lastId).containsSubsequence("starting", "running");
    }

    // --- the browser

    private void loginThroughTheForm() {
        browser.get(base + "/login");
        login(TOKEN);
        waitFor("the table after login", () -> browser.getCurrentUrl().equals(base + "/"), browser::getCurrentUrl);
    }

    private void login(String token) {
        waitFor("the login form", () -> !browser.findElements(By.id("token")).isEmpty(), browser::getCurrentUrl);
        WebElement field = browser.findElement(By.id("token"));
        field.clear();
        field.sendKeys(token);
        browser.findElement(By.cssSelector("#login button[type=submit]")).click();
    }

    private void awaitTableShows(String what, Map<String, String> states) {
        waitFor(
                what,
                () -> {
                    for (Map.Entry<String, String> wanted : states.entrySet()) {
                        if (!rowCell(wanted.getKey(), "c-state").equals(wanted.getValue())) {
                            return false;
                        }
                    }
                    return true;
                },
                this::tableText);
    }

    /** Each row's PID, read in one go in the page (the table may be redrawn between two lookups). */
    @SuppressWarnings("unchecked")
    private Map<String, String> tablePids() {
        return new TreeMap<>((Map<String, String>) script("const pids = {};"
                + "document.querySelectorAll('#processes tbody tr').forEach(r =>"
                + " pids[r.dataset.id] = r.querySelector('.c-pid').textContent);"
                + "return pids;"));
    }

    /**
     * The text of one cell of a process's row, or "" while the row is not there; read in the page
     * in one step, since the table is redrawn as events arrive.
     */
    private String rowCell(String id, String column) {
        Object text = script("const cell = document.querySelector(\"tr[data-id='" + id + "'] ." + column + "\");"
                + "return cell ? cell.innerText : '';");
        return text == null ? "" : text.toString().strip();
    }

    private String rowText(String id) {
        Object text = script("const row = document.querySelector(\"tr[data-id='" + id + "']\");"
                + "return row ? row.innerText : '';");
        return text == null ? "" : text.toString();
    }

    private String tableText() {
        return "url " + browser.getCurrentUrl() + "\n" + text(By.tagName("body"));
    }

    /** The element's text, or "" when it is not there; retried when a redraw replaced it meanwhile. */
    private String text(By by) {
        for (int attempt = 0; attempt < 5; attempt++) {
            try {
                return browser.findElement(by).getText();
            } catch (NoSuchElementException e) {
                return "";
            } catch (StaleElementReferenceException e) {
                // redrawn between finding and reading: look again
            }
        }
        return "";
    }

    private Object script(String code) {
        return ((JavascriptExecutor) browser).executeScript(code);
    }

    private void waitFor(String what, java.util.concurrent.Callable<Boolean> condition) {
        waitFor(what, condition, this::tableText);
    }

    private void waitFor(String what, java.util.concurrent.Callable<Boolean> condition, Waits.Seen seen) {
        Waits.until(
                Duration.ofSeconds(20),
                what,
                () -> {
                    try {
                        return condition.call();
                    } catch (NoSuchElementException | StaleElementReferenceException e) {
                        return false;
                    }
                },
                seen);
    }

    private void screenshot(String name) throws Exception {
        browser.manage().window().setSize(new Dimension(1280, 860));
        Path shot = browser.getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    // --- the API, with the bearer token

    private JsonNode api(String path) throws Exception {
        HttpResponse<String> answer = http.send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .header("Authorization", "Bearer " + TOKEN)
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(path + ": " + answer.body()).isEqualTo(200);
        return JSON.readTree(answer.body());
    }

    private int apiPid(String id) throws Exception {
        return api("/api/processes/" + id).get("pid").asInt();
    }

    private HttpResponse<String> get(String path, String cookie) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path));
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> postLogin(String token) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(base + "/login"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"token\":\"" + token + "\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String loginOverHttp() throws Exception {
        HttpResponse<String> answer = postLogin(TOKEN);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        String setCookie = answer.headers().firstValue("set-cookie").orElseThrow();
        assertThat(setCookie).contains("HttpOnly").contains("SameSite=Strict");
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    private void restartOverHttp(String cookie, String id) throws Exception {
        HttpResponse<String> session = get("/dashboard/session", cookie);
        String csrf = JSON.readTree(session.body()).get("csrf").asText();
        HttpResponse<String> answer = http.send(
                HttpRequest.newBuilder(URI.create(base + "/api/processes/" + id + "/restart"))
                        .header("Cookie", cookie)
                        .header("X-CSRF-Token", csrf)
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
    }
}
