package dev.signedmail.render;

import static dev.signedmail.render.RendererTest.SITE;
import static dev.signedmail.render.RendererTest.release;
import static dev.signedmail.render.RendererTest.zoe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signedmail.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OverrideAndStrictTest {

    @TempDir
    Path folder;

    private Path write(String name, String content) throws IOException {
        Path file = folder.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        return file;
    }

    private RenderException renderFails(String name, String content) throws IOException {
        Path file = write(name, content);
        RenderException e = assertThrows(RenderException.class,
                () -> new Renderer(SITE, folder).render(release("Body."), zoe()));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e;
    }

    @Test
    void overrideReplacesOnlyTheFilesItHas() throws IOException {
        write("news.txt", "CUSTOM [(${release.title})]\n[# th:insert=\"~{fragments/footer.txt}\" /]\n");
        RenderedRelease out = new Renderer(SITE, folder).render(release("Body."), zoe());
        assertTrue(out.text().startsWith("CUSTOM A1 closed tonight\n"), out.text());
        // the footer fragment it inserts is the built-in one
        assertTrue(out.text().contains("Unsubscribe: https://news.example.org/u/tok-zoe"), out.text());
        // news.html is still the built-in one
        assertTrue(out.html().contains("Read the full release"), out.html());
        assertFalse(out.html().contains("CUSTOM"), out.html());
    }

    @Test
    void overrideFragmentIsUsedByBuiltInTemplate() throws IOException {
        write("fragments/header.html", "<table><tr th:fragment=\"header\"><td>OUR HEADER [[${site.organisation}]]</td></tr></table>");
        RenderedRelease out = new Renderer(SITE, folder).render(release("Body."), zoe());
        assertTrue(out.html().contains("OUR HEADER Northshire Police"), out.html());
    }

    @Test
    void personalLinkTemplateIsStrictAndOverridable() throws IOException {
        write("manage.txt", "MINE [(${links.preferences})]\n");
        RenderedRelease out = new Renderer(SITE, folder).renderManageLink("zoe@example.com", null,
                java.util.List.of("general"), "https://news.example.org/preferences/t", "https://news.example.org/unsubscribe/t");
        assertEquals("MINE https://news.example.org/preferences/t\n", out.text());
        assertTrue(out.html().contains("Change my topics"), "manage.html is still the built-in one");

        // it has no release: a template that uses one names the file and the line, and renders nothing
        Path file = write("manage.txt", "Hello\n[(${release.title})]\n");
        RenderException e = assertThrows(RenderException.class, () -> new Renderer(SITE, folder).renderManageLink(
                "zoe@example.com", null, java.util.List.of("general"), "https://p", "https://u"));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("line 2"), e.getMessage());
        assertTrue(e.getMessage().contains("unknown variable 'release'"), e.getMessage());
    }

    @Test
    void unknownTopLevelVariableNamesTemplateAndLine() throws IOException {
        RenderException e = renderFails("news.txt", "Hello\n\n[(${titel})]\n");
        assertTrue(e.getMessage().contains("line 3"), e.getMessage());
        assertTrue(e.getMessage().contains("unknown variable 'titel'"), e.getMessage());
        assertTrue(e.getMessage().contains("release, subscriber, links, site"), e.getMessage());
        assertEquals(3, e.line());
    }

    @Test
    void unknownVariableInHtmlAttribute() throws IOException {
        RenderException e = renderFails("news.html",
                "<html>\n<body>\n<p>x</p>\n<p th:text=\"${subscribr.name}\">y</p>\n</body>\n</html>\n");
        assertTrue(e.getMessage().contains("line 4"), e.getMessage());
        assertTrue(e.getMessage().contains("unknown variable 'subscribr'"), e.getMessage());
    }

    @Test
    void unknownVariableInsideConditionAndOperators() throws IOException {
        RenderException e = renderFails("news.html",
                "<p th:if=\"${release.link != null and unsubscribe != null}\">x</p>\n");
        assertTrue(e.getMessage().contains("unknown variable 'unsubscribe'"), e.getMessage());
        assertTrue(e.getMessage().contains("line 1"), e.getMessage());
    }

    @Test
    void unknownPropertyNamesTemplateAndLine() throws IOException {
        RenderException e = renderFails("news.txt", "one\ntwo\n[(${release.titel})]\n");
        assertTrue(e.getMessage().contains("line 3"), e.getMessage());
        assertTrue(e.getMessage().contains("unknown property 'titel' of release"), e.getMessage());
        assertTrue(e.getMessage().contains("release.title"), e.getMessage());
    }

    @Test
    void syntaxErrorNamesTemplateAndLine() throws IOException {
        RenderException e = renderFails("news.html", "<p>ok</p>\n<p th:text=\"${release.title\">x</p>\n");
        assertTrue(e.getMessage().contains("Could not parse as expression"), e.getMessage());
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        assertTrue(e.getMessage().contains("release.title"), e.getMessage());
    }

    @Test
    void missingFragmentNamesTemplateAndLine() throws IOException {
        RenderException e = renderFails("news.txt", "a\n[# th:insert=\"~{fragments/signature.txt}\" /]\n");
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        assertTrue(e.getMessage().contains("fragments/signature.txt"), e.getMessage());
    }

    @Test
    void unclosedTextBlockNamesTemplate() throws IOException {
        RenderException e = renderFails("news.txt", "a\n[# th:if=\"${release.link != null}\"]\nb\n");
        assertTrue(e.getMessage().contains("never closed"), e.getMessage());
    }

    @Test
    void errorInOverriddenFragmentNamesTheFragment() throws IOException {
        Path fragment = write("fragments/footer.txt", "ok\n[(${links.unsubscrib})]\n");
        RenderException e = assertThrows(RenderException.class,
                () -> new Renderer(SITE, folder).render(release("Body."), zoe()));
        assertTrue(e.getMessage().contains(fragment.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        assertTrue(e.getMessage().contains("unknown property 'unsubscrib' of links"), e.getMessage());
    }

    @Test
    void localVariablesAndUtilitiesAreAllowed() throws IOException {
        write("news.txt", "[# th:with=\"who=${subscriber.email}\"][(${who})] [(${#strings.toUpperCase(release.topic)})]"
                + " [(${'lit' + 1})] [(${true})][/]\n"
                + "[# th:each=\"w : ${#strings.arraySplit('a,b', ',')}\"][(${w})][/]\n"
                + "[(${links.unsubscribe})]\n");
        String text = new Renderer(SITE, folder).render(release("Body."), zoe()).text();
        assertTrue(text.startsWith("zoe@example.com ROADS lit1 true\nab\n"), text);
    }

    @Test
    void checkFailsOnBrokenOverrideTemplate() throws IOException {
        Path file = write("news.html", "<p th:text=\"${relase.title}\">x</p>\n");
        Renderer renderer = new Renderer(SITE, folder); // building it does not render yet
        RenderException e = assertThrows(RenderException.class, renderer::check);
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("line 1"), e.getMessage());
        assertTrue(e.getMessage().contains("unknown variable 'relase'"), e.getMessage());
    }

    @Test
    void checkFailsWhenTemplateLeavesOutUnsubscribe() throws IOException {
        Path file = write("news.txt", "[(${release.title})]\n");
        RenderException e = assertThrows(RenderException.class, () -> new Renderer(SITE, folder).check());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("unsubscribe"), e.getMessage());
    }

    @Test
    void checkFailsOnErrorInBranchNotTakenWithFullSample() throws IOException {
        // only the no-name sample reaches th:unless; check() renders both samples
        write("news.txt", "[# th:unless=\"${subscriber.name != null}\"][(${subscriber.nam})][/][(${links.unsubscribe})]\n");
        RenderException e = assertThrows(RenderException.class, () -> new Renderer(SITE, folder).check());
        assertTrue(e.getMessage().contains("unknown property 'nam' of subscriber"), e.getMessage());
    }

    @Test
    void missingOverrideFolderIsAProblem() {
        Problem p = assertThrows(Problem.class, () -> new Renderer(SITE, folder.resolve("nope")));
        assertTrue(p.getMessage().contains("MAILER_TEMPLATES"), p.getMessage());
    }
}
