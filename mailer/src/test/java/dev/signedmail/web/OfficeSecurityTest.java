package dev.signedmail.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The press-office pages' defences, through a real HTTP client: CSRF, cookies, redirects, sign-in limits. */
class OfficeSecurityTest {
    @TempDir
    Path dir;
    OfficeFixture web;

    @BeforeEach
    void start() throws Exception {
        web = new OfficeFixture(dir);
    }

    @AfterEach
    void stop() throws Exception {
        web.close();
    }

    private static final String RELEASE = "title=Road+closed&summary=s&topic=general&link=&body=Station+Road+is+closed.";

    @Test
    void aFormPostWithoutOrWithAWrongCsrfTokenIsRefusedAndChangesNothing() throws Exception {
        String[] ed = web.signIn("ed", OfficeFixture.ED_PASSWORD);
        HttpResponse<String> none = web.post("/office/new", ed[0], RELEASE);
        assertEquals(403, none.statusCode(), none.body());
        assertTrue(none.body().contains("CSRF"), none.body());
        HttpResponse<String> wrong = web.post("/office/new", ed[0], RELEASE + "&_csrf=" + "A".repeat(43));
        assertEquals(403, wrong.statusCode());
        HttpResponse<String> otherSession = web.post("/office/new", ed[0],
                RELEASE + "&_csrf=" + web.signIn("ap", OfficeFixture.AP_PASSWORD)[1]);
        assertEquals(403, otherSession.statusCode(), "another session's token does not work");
        assertEquals(0, web.releaseCount(), "nothing was created");

        HttpResponse<String> ok = web.post("/office/new", ed[0], RELEASE + "&_csrf=" + ed[1]);
        assertEquals(303, ok.statusCode(), ok.body());
        assertEquals(1, web.releaseCount());
        long id = web.rt.db().jdbi().withHandle(h -> h.createQuery("SELECT MAX(id) FROM releases").mapTo(Long.class).one());
        HttpResponse<String> submit = web.post("/office/releases/" + id + "/submit", ed[0], "_csrf=wrong");
        assertEquals(403, submit.statusCode());
        assertEquals("draft", web.rt.releases().get(id).status(), "a refused form changes nothing");
        HttpResponse<String> halt = web.post("/office/halt", ed[0], "reason=x");
        assertEquals(403, halt.statusCode());
        assertTrue(web.rt.haltSwitch().halted().isEmpty());
        HttpResponse<String> anonymous = web.post("/office/releases/" + id + "/submit", null, "_csrf=" + ed[1]);
        assertEquals(403, anonymous.statusCode(), "no session, no action");
        assertTrue(web.rt.audit().list(id, 50).stream().anyMatch(e -> e.action().equals("create") && e.via().equals("web")
                && e.address().equals("127.0.0.1")), "the create is audited as web with the client address");
    }

    @Test
    void theLoginFormNeedsItsCsrfTokenAndTheSessionIdChangesAtLogin() throws Exception {
        HttpResponse<String> form = web.get("/office/login", null);
        String anon = OfficeFixture.cookie(form);
        HttpResponse<String> noToken = web.post("/office/login", anon, "name=ed&password=" + enc(OfficeFixture.ED_PASSWORD));
        assertEquals(403, noToken.statusCode());
        form = web.get("/office/login", null);
        anon = OfficeFixture.cookie(form);
        HttpResponse<String> in = web.post("/office/login", anon, "_csrf=" + OfficeFixture.csrf(form.body())
                + "&name=ed&password=" + enc(OfficeFixture.ED_PASSWORD));
        assertEquals(303, in.statusCode());
        String session = OfficeFixture.cookie(in);
        assertNotEquals(anon, session, "a new session id at login");
        assertTrue(session.matches("sm_office=[A-Za-z0-9_-]{43}"), "32 random bytes: " + session);
        String flags = in.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(flags.contains("HttpOnly") && flags.contains("SameSite=Strict") && flags.contains("Secure"),
                "base.url is https, so the cookie is Secure: " + flags);
        assertEquals(303, web.get("/office/releases", anon).statusCode(), "the pre-login id no longer works");
        assertEquals(200, web.get("/office/releases", session).statusCode());
        HttpResponse<String> page = web.get("/office/releases", session);
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElseThrow().contains("script-src 'self'"));
        assertTrue(page.headers().firstValue("X-Frame-Options").isPresent());
    }

    @Test
    void aLoginRedirectToAnotherSiteIsIgnored() throws Exception {
        for (String next : new String[] {"https://evil.example/office/releases", "//evil.example/", "/\\evil.example",
                "/office/../../evil", "javascript:alert(1)"}) {
            HttpResponse<String> form = web.get("/office/login?next=" + enc(next), null);
            assertFalse(form.body().contains("evil.example"), "the form does not carry " + next);
            HttpResponse<String> in = web.post("/office/login", OfficeFixture.cookie(form), "_csrf="
                    + OfficeFixture.csrf(form.body()) + "&name=ed&password=" + enc(OfficeFixture.ED_PASSWORD)
                    + "&next=" + enc(next));
            assertEquals(303, in.statusCode());
            assertEquals("/office/releases", in.headers().firstValue("Location").orElseThrow(), next);
        }
        HttpResponse<String> form = web.get("/office/login?next=/office/audit", null);
        HttpResponse<String> in = web.post("/office/login", OfficeFixture.cookie(form), "_csrf="
                + OfficeFixture.csrf(form.body()) + "&name=ed&password=" + enc(OfficeFixture.ED_PASSWORD) + "&next=/office/audit");
        assertEquals("/office/audit", in.headers().firstValue("Location").orElseThrow(), "a listed page is kept");
        HttpResponse<String> unsigned = web.get("/office/releases/7/review", null);
        assertEquals(303, unsigned.statusCode());
        assertEquals("/office/login?next=%2Foffice%2Freleases%2F7%2Freview", unsigned.headers().firstValue("Location").orElseThrow());
    }

    @Test
    void wrongPasswordsLockTheOperatorOutAndTheAccountIsRateLimited() throws Exception {
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> form = web.get("/office/login", null);
            HttpResponse<String> r = web.post("/office/login", OfficeFixture.cookie(form), "_csrf="
                    + OfficeFixture.csrf(form.body()) + "&name=ap&password=wrong-password-" + i);
            assertEquals(401, r.statusCode());
        }
        HttpResponse<String> form = web.get("/office/login", null);
        HttpResponse<String> locked = web.post("/office/login", OfficeFixture.cookie(form), "_csrf="
                + OfficeFixture.csrf(form.body()) + "&name=ap&password=" + enc(OfficeFixture.AP_PASSWORD));
        assertEquals(401, locked.statusCode());
        assertTrue(locked.body().contains("locked out"), locked.body());
        int limited = 0;
        for (int i = 0; i < OfficeLogin.PER_ACCOUNT; i++) {
            form = web.get("/office/login", null);
            limited += web.post("/office/login", OfficeFixture.cookie(form), "_csrf=" + OfficeFixture.csrf(form.body())
                    + "&name=ap&password=x").statusCode() == 429 ? 1 : 0;
        }
        assertTrue(limited > 0, "the per-account limit answers 429");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
