package dev.signedmail.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signedmail.TestSupport;
import dev.signedmail.cron.RunDue;
import dev.signedmail.testing.ScriptedSmtpServer;
import dev.signedmail.testing.Verifiers;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The two-person flow in a real browser (Debian's chromium, driven through chromedriver): the
 * editor writes with the live preview, submits and is refused when approving; the approver sees
 * the side-by-side review with the hash, approves and queues the send; run-due delivers a message
 * that verifies. Without chromium it is skipped on a developer's machine, and fails under CI=true.
 */
class OfficeBrowserTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    OfficeFixture web;
    WebDriver browser;
    WebDriverWait wait;

    @BeforeEach
    void start() throws Exception {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!present && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("CI=true but " + CHROMIUM + " or " + CHROMEDRIVER
                    + " is missing: .ci/run installs chromium and chromium-driver");
        }
        Assumptions.assumeTrue(present, "no chromium/chromedriver (apt-get install chromium chromium-driver)");
        web = new OfficeFixture(dir);
        // no Selenium Manager: it would try to download a browser and driver, and there is no network
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
                "--user-data-dir=" + Files.createDirectories(dir.resolve("chromium-profile")));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort()
                .withLogFile(dir.resolve("chromedriver.log").toFile()).build();
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(WAIT);
        wait = new WebDriverWait(browser, WAIT);
    }

    @AfterEach
    void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (web != null) {
            web.close();
        }
    }

    /** localhost, not 127.0.0.1: the session cookie is Secure (base.url is https) and Chromium trusts localhost. */
    private String url(String path) {
        return "http://localhost:" + web.server.port() + path;
    }

    private void signIn(String path, String name, String password) {
        browser.get(url("/office/login?next=" + path));
        browser.findElement(By.id("name")).sendKeys(name);
        browser.findElement(By.id("password")).sendKeys(password);
        browser.findElement(By.id("sign-in")).click();
        wait.until(ExpectedConditions.urlToBe(url(path)));
    }

    private void click(String id) {
        browser.findElement(By.id(id)).click();
    }

    private String text(String id) {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(By.id(id))).getText();
    }

    @Test
    void editorWritesAndSubmitsApproverReviewsApprovesAndQueuesRunDueDeliversVerifiedMessages() throws Exception {
        signIn("/office/new", "ed", OfficeFixture.ED_PASSWORD);
        browser.findElement(By.id("title")).sendKeys("Station Road closed");
        browser.findElement(By.id("summary")).sendKeys("Closed until Friday");
        browser.findElement(By.id("body")).sendKeys("Station Road is **closed** after a collision.");
        // the live preview follows the typing: subject, the rendered HTML in the sandboxed iframe, the text part
        wait.until(ExpectedConditions.textToBe(By.id("preview-subject"), "Station Road closed"));
        wait.until(d -> d.findElement(By.id("preview-text")).getText().contains("after a collision"));
        WebElement frame = browser.findElement(By.id("preview-html"));
        wait.until(d -> String.valueOf(frame.getDomAttribute("srcdoc")).contains("<strong>closed</strong>"));
        assertEquals("", frame.getDomAttribute("sandbox"), "the preview iframe is fully sandboxed");
        assertTrue(browser.findElement(By.id("preview")).getText().toLowerCase().contains("preview, unsigned"));
        String previewHash = text("preview-hash");
        click("save");
        wait.until(ExpectedConditions.textToBe(By.id("status"), "draft"));
        long id = Long.parseLong(browser.getCurrentUrl().replaceAll(".*/office/releases/([0-9]+).*", "$1"));
        assertEquals(previewHash, web.rt.workflow().contentHash(web.rt.releases().get(id), null),
                "the live preview showed the hash of what was saved");
        click("submit");
        wait.until(ExpectedConditions.textToBe(By.id("status"), "submitted"));

        // the editor cannot approve their own release: told before, refused when trying
        click("review");
        assertTrue(text("cannot").contains("editor"));
        browser.findElement(By.id("approve-password")).sendKeys(OfficeFixture.ED_PASSWORD);
        click("approve");
        assertTrue(text("refusal").contains("needs the role approver or admin"), text("refusal"));
        assertEquals("submitted", web.rt.releases().get(id).status());
        browser.get(url("/office/releases"));
        click("logout");
        wait.until(ExpectedConditions.urlContains("/office/login"));
        browser.get(url("/office/releases/" + id));
        wait.until(ExpectedConditions.urlContains("/office/login?next="));

        signIn("/office/releases/" + id + "/review", "ap", OfficeFixture.AP_PASSWORD);
        String hash = web.rt.workflow().contentHash(web.rt.releases().get(id), null);
        assertEquals(hash, text("content-hash"), "the approver sees the hash the approval binds to");
        assertTrue(browser.findElements(By.id("cannot")).isEmpty());
        assertTrue(browser.findElement(By.id("preview-html")).getDomAttribute("srcdoc").contains("Station Road"),
                "beside it, the rendered message");
        browser.findElement(By.id("approve-password")).sendKeys(OfficeFixture.AP_PASSWORD);
        click("approve");
        wait.until(ExpectedConditions.textToBe(By.id("status"), "approved"));
        assertEquals(hash, web.rt.workflow().state(id).approvedHash());
        click("send");
        wait.until(ExpectedConditions.textToBe(By.id("status"), "scheduled"));
        assertTrue(text("done").contains("Queued"));
        assertTrue(web.relay.received().isEmpty(), "the web side only queues; it cannot sign or send");

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, RunDue.run(web.rt, new PrintStream(out, true, StandardCharsets.UTF_8)), out.toString(StandardCharsets.UTF_8));
        assertEquals("sent", web.rt.releases().get(id).status());
        List<ScriptedSmtpServer.Received> got = web.relay.received();
        assertEquals(2, got.size());
        byte[] message = got.get(0).data();
        Verifiers.smimeSigner(Verifiers.smime(message), Verifiers.certificate(TestSupport.keys().resolve("ca.pem")));
        assertTrue(Verifiers.pythonDkimVerify(message, Files.readString(TestSupport.keys().resolve("dkim.txt"))),
                "the delivered message's DKIM signature verifies");
        assertTrue(new String(message, StandardCharsets.UTF_8).contains("Station Road closed"));

        var audit = web.rt.audit().list(id, 50);
        for (String action : List.of("create", "submit", "approve", "schedule")) {
            assertTrue(audit.stream().anyMatch(e -> e.action().equals(action) && e.via().equals("web")
                    && !e.address().isBlank()), action + " is audited as web: " + audit);
        }
        assertTrue(audit.stream().anyMatch(e -> e.action().equals("refused") && e.operator().equals("ed")),
                "the editor's attempt to approve is in the log");
        assertTrue(audit.stream().anyMatch(e -> e.action().equals("sent") && e.via().equals("cron")));
    }
}
