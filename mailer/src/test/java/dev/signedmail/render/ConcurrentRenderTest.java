package dev.signedmail.render;

import static dev.signedmail.render.RendererTest.MARKDOWN;
import static dev.signedmail.render.RendererTest.SITE;
import static dev.signedmail.render.RendererTest.release;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signedmail.release.Release;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ConcurrentRenderTest {

    @Test
    void oneRendererSharedByManyThreadsKeepsSubscribersApart() throws Exception {
        Renderer renderer = new Renderer(SITE, null);
        Release release = release(MARKDOWN);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    int ok = 0;
                    for (int i = 0; i < 250; i++) {
                        String id = thread + "-" + i;
                        RenderedRelease out = renderer.render(release, new Personalisation(
                                "s" + id + "@example.com", "Name " + id, "roads",
                                "https://news.example.org/u/" + id, "https://news.example.org/p/" + id));
                        if (out.html().contains("Dear Name " + id + ",")
                                && out.html().contains("https://news.example.org/u/" + id + "\"")
                                && out.text().contains("Unsubscribe: https://news.example.org/u/" + id + "\n")) {
                            ok++;
                        }
                    }
                    return ok;
                }));
            }
            int total = 0;
            for (Future<Integer> f : results) {
                total += f.get();
            }
            assertEquals(8 * 250, total);
            assertTrue(renderer.cachedView(release) != null);
        } finally {
            pool.shutdownNow();
        }
    }
}
