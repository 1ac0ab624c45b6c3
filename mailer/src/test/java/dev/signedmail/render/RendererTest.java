package dev.signedmail.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signedmail.Problem;
import dev.signedmail.release.Release;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class RendererTest {

    static final Site SITE = new Site("Northshire Police", "https://news.example.org",
            "https://news.example.org/verify", ZoneId.of("Europe/London"));

    static final String MARKDOWN = """
            ## Road closure

            The *A1* is closed between **Exit 3** and Exit 4.

            - Use the B6 instead
            - Expect delays

            More at [our website](https://news.example.org/roads).
            """;

    static Release release(String body) {
        return new Release(42, "A1 closed tonight", "Roadworks from 22:00.", body,
                "https://news.example.org/releases/42", "roads", Instant.parse("2025-03-05T10:15:00Z"), "approved");
    }

    static Personalisation zoe() {
        return new Personalisation("zoe@example.com", "Zoë Ångström", "roads",
                "https://news.example.org/u/tok-zoe", "https://news.example.org/p/tok-zoe");
    }

    @Test
    void rendersBuiltInTemplates() {
        RenderedRelease out = new Renderer(SITE, null).render(release(MARKDOWN), zoe());

        assertEquals("A1 closed tonight", out.subject());

        String html = out.html();
        assertTrue(html.contains("<h2 style="), html);
        assertTrue(html.contains(">Road closure</h2>"), html);
        assertTrue(html.contains("<em>A1</em>"), html);
        assertTrue(html.contains("<strong>Exit 3</strong>"), html);
        assertTrue(html.contains(">Use the B6 instead</li>"), html);
        assertTrue(html.contains("href=\"https://news.example.org/roads\""), html);
        assertTrue(html.contains("Dear Zoë Ångström,"), html);
        assertTrue(html.contains("href=\"https://news.example.org/u/tok-zoe\""), html);
        assertTrue(html.contains("href=\"https://news.example.org/p/tok-zoe\""), html);
        assertTrue(html.contains("href=\"https://news.example.org/verify\""), html);
        assertTrue(html.contains("href=\"https://news.example.org/releases/42\""), html);
        assertTrue(html.contains("Read the full release"), html);
        assertTrue(html.contains("Northshire Police"), html);
        assertTrue(html.contains("5 March 2025"), html);
        assertTrue(html.contains("<strong>roads</strong>"), html);
        assertFalse(html.contains(" th:"), html);
        assertFalse(html.contains("xmlns:th"), html);

        String text = out.text();
        assertTrue(text.contains("Road closure"), text);
        assertTrue(text.contains("The A1 is closed between Exit 3 and Exit 4."), text);
        assertTrue(text.contains("Use the B6 instead"), text);
        assertTrue(text.contains("Dear Zoë Ångström,"), text);
        assertTrue(text.contains("Unsubscribe: https://news.example.org/u/tok-zoe"), text);
        assertTrue(text.contains("https://news.example.org/verify"), text);
        assertTrue(text.contains("Read the full release: https://news.example.org/releases/42"), text);
        assertFalse(text.matches("(?s).*<[a-zA-Z/][^>]*>.*"), text);
        assertFalse(text.contains("\n\n\n"), text);
        assertFalse(text.contains("[("), text);
    }

    @Test
    void neutralGreetingAndOptionalPartsLeftOut() {
        Release bare = new Release(7, "Update", null, "Just text.", null, "general",
                Instant.parse("2025-01-02T00:00:00Z"), "approved");
        Personalisation anonymous = new Personalisation("a@example.com", "  ", "general",
                "https://news.example.org/u/t", "https://news.example.org/p/t");
        RenderedRelease out = new Renderer(SITE, null).render(bare, anonymous);
        assertTrue(out.html().contains("Dear subscriber,"), out.html());
        assertFalse(out.html().contains("Dear  ,"), out.html());
        assertFalse(out.html().contains("Read the full release"), out.html());
        assertTrue(out.text().contains("Dear subscriber,"), out.text());
        assertFalse(out.text().contains("Read the full release"), out.text());
    }

    @Test
    void rawHtmlAndScriptAreEscaped() {
        String evil = "Hello <script>alert(1)</script> and <b>bold</b>\n\n<div onclick=\"x()\">block</div>\n\n"
                + "[click](javascript:alert(2))\n";
        Personalisation who = new Personalisation("x@example.com", "<script>alert('name')</script>", "roads",
                "https://news.example.org/u/t", "https://news.example.org/p/t");
        RenderedRelease out = new Renderer(SITE, null).render(release(evil), who);
        String html = out.html();
        assertFalse(html.contains("<script>"), html);
        assertFalse(html.contains("<b>bold</b>"), html);
        assertFalse(html.contains("<div onclick"), html);
        assertFalse(html.contains("javascript:"), html);
        assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), html);
        assertTrue(html.contains("Dear &lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt;,"), html);
        // the text part is plain text: the name as given, not HTML-escaped
        assertTrue(out.text().contains("Dear <script>alert('name')</script>,"), out.text());
    }

    @Test
    void subjectIsOneLine() {
        Release r = new Release(1, "Line one\r\nBcc: evil@example.com\nthree\u2028four", null, "x", null, "g",
                Instant.now(), "approved");
        String subject = new Renderer(SITE, null).render(r, zoe()).subject();
        assertEquals("Line one Bcc: evil@example.com three four", subject);
    }

    @Test
    void imagesBecomeLinksNotRemoteLoads() {
        RenderedRelease out = new Renderer(SITE, null)
                .render(release("![Suspect vehicle](https://news.example.org/car.jpg)"), zoe());
        assertFalse(out.html().contains("<img"), out.html());
        assertTrue(out.html().contains("href=\"https://news.example.org/car.jpg\""), out.html());
        assertTrue(out.html().contains("image: Suspect vehicle"), out.html());
    }

    @Test
    void markdownIsConvertedOncePerRelease() {
        Renderer renderer = new Renderer(SITE, null);
        Release r = release(MARKDOWN);
        Personalisation other = new Personalisation("b@example.com", null, "roads",
                "https://news.example.org/u/b", "https://news.example.org/p/b");
        renderer.render(r, zoe());
        ReleaseView first = renderer.cachedView(r);
        renderer.render(r, other);
        assertNotNull(first);
        assertSame(first, renderer.cachedView(r));
        Release edited = release(MARKDOWN + "\nCorrection.\n");
        assertFalse(renderer.render(edited, zoe()).text().equals(renderer.render(r, zoe()).text()));
    }

    @Test
    void nonHttpReleaseLinkIsRefused() {
        Release r = new Release(9, "T", null, "b", "javascript:alert(1)", "g", Instant.now(), "approved");
        Problem p = assertThrows(Problem.class, () -> new Renderer(SITE, null).render(r, zoe()));
        assertTrue(p.getMessage().contains("release 9"), p.getMessage());
    }

    @Test
    void checkPassesOnBuiltInTemplates() {
        new Renderer(SITE, null).check();
    }

    @Test
    void personalLinkMessageCarriesBothLinksAndEscapesOnlyTheHtmlPart() {
        RenderedRelease out = new Renderer(SITE, null).renderManageLink("zoe@example.com", "Zoë <Smith & Sons>",
                java.util.List.of("general", "roads"), "https://news.example.org/preferences/tok-zoe",
                "https://news.example.org/unsubscribe/tok-zoe");
        assertEquals("Your link to change your e-mail from Northshire Police", out.subject());
        for (String part : java.util.List.of(out.text(), out.html())) {
            assertTrue(part.contains("https://news.example.org/preferences/tok-zoe"), part);
            assertTrue(part.contains("https://news.example.org/unsubscribe/tok-zoe"), part);
            assertTrue(part.contains("https://news.example.org/verify"), part);
            assertTrue(part.contains("general, roads"), part);
        }
        assertTrue(out.text().contains("Dear Zoë <Smith & Sons>,"), out.text());
        assertTrue(out.html().contains("Dear Zoë &lt;Smith &amp; Sons&gt;,"), out.html());
        assertFalse(out.html().contains("<Smith"), out.html());

        RenderedRelease anonymous = new Renderer(SITE, null).renderManageLink("ben@example.com", " ",
                java.util.List.of("general"), "https://news.example.org/preferences/tok-ben",
                "https://news.example.org/unsubscribe/tok-ben");
        assertTrue(anonymous.text().contains("Hello,"), anonymous.text());
        assertFalse(anonymous.html().contains("Dear"), anonymous.html());
    }
}
