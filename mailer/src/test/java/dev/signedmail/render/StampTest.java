package dev.signedmail.render;

import static dev.signedmail.render.RendererTest.SITE;
import static dev.signedmail.render.RendererTest.release;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signedmail.release.Release;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rendering once and filling in must give exactly what running the templates per subscriber gives. */
class StampTest {
    @TempDir
    Path folder;

    private static final String[] NAMES = {null, "", "Zoë", "O'Brien & Sons", "<script>alert(1)</script>", "\"Quoted\" Name",
        "Łukasz Żółw", "A", "Ünïcödé 😀 Name", "semi;colon & amp;", "&amp; already"};

    private static Personalisation person(Random r, int i) {
        String name = NAMES[r.nextInt(NAMES.length)];
        String token = Integer.toString(r.nextInt(1 << 30), 36) + "-_" + i;
        return new Personalisation("reader" + i + (r.nextBoolean() ? "+tag" : "") + "@example.org", name, "general",
                "https://news.example.org/unsubscribe/" + token + (r.nextBoolean() ? "?a=1&b=2" : ""),
                "https://news.example.org/preferences/" + token);
    }

    @Test
    void builtInTemplatesFilledInEqualAFullRenderForEveryKindOfSubscriber() {
        Renderer renderer = new Renderer(SITE, null);
        Release release = release("Some **bold** text & <angle> brackets.\n\n- a\n- b\n");
        Random random = new Random(42);
        for (int i = 0; i < 200; i++) {
            Personalisation p = person(random, i);
            RenderedRelease full = renderer.renderFully(release, new Personalisation(p.email(),
                    p.name() == null || p.name().isBlank() ? null : p.name(), p.topic(), p.unsubscribeUrl(), p.preferencesUrl()));
            assertEquals(full, renderer.render(release, p), "subscriber " + i + " (" + p.name() + ")");
        }
        assertTrue(renderer.usesStamp(release, "general", true) && renderer.usesStamp(release, "general", false),
                "the built-in templates are stamped for named and unnamed subscribers");
        Personalisation last = person(random, 1000);
        assertTrue(renderer.render(release, last).text().contains(last.preferencesUrl()), "the values are filled in");
    }

    @Test
    void aTemplateThatTransformsTheNameIsRenderedInFull() throws Exception {
        Files.writeString(folder.resolve("news.txt"), "Hello [(${#strings.toUpperCase(subscriber.name)})]!\n"
                + "[# th:insert=\"~{fragments/footer.txt}\" /]\n");
        Renderer renderer = new Renderer(SITE, folder);
        Release release = release("Body.");
        assertTrue(Stamp.make(p -> renderer.renderFully(release, p), "general", true).isEmpty(), "no stamp for this template");
        for (String name : new String[] {"zoë", "adam"}) {
            RenderedRelease out = renderer.render(release, new Personalisation("x@example.org", name, "general",
                    "https://news.example.org/u/1", "https://news.example.org/p/1"));
            assertTrue(out.text().startsWith("Hello " + name.toUpperCase(java.util.Locale.ROOT) + "!"), out.text());
        }
    }

    @Test
    void aTemplateThatBranchesOnTheAddressIsRenderedInFull() throws Exception {
        Files.writeString(folder.resolve("news.txt"), "[# th:if=\"${subscriber.email.endsWith('.gov.example')}\"]OFFICIAL [/]"
                + "news\n[# th:insert=\"~{fragments/footer.txt}\" /]\n");
        Renderer renderer = new Renderer(SITE, folder);
        Release release = release("Body.");
        assertFalse(renderer.usesStamp(release, "general", false));
        RenderedRelease gov = renderer.render(release, new Personalisation("a@office.gov.example", null, "general",
                "https://news.example.org/u/1", "https://news.example.org/p/1"));
        RenderedRelease other = renderer.render(release, new Personalisation("b@example.org", null, "general",
                "https://news.example.org/u/2", "https://news.example.org/p/2"));
        assertTrue(gov.text().startsWith("OFFICIAL news"), gov.text());
        assertFalse(other.text().contains("OFFICIAL"), other.text());
    }
}
