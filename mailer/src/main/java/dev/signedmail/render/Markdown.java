package dev.signedmail.render;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.commonmark.node.Image;
import org.commonmark.node.Node;
import org.commonmark.node.Text;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.NodeRenderer;
import org.commonmark.renderer.html.HtmlNodeRendererContext;
import org.commonmark.renderer.html.HtmlRenderer;
import org.commonmark.renderer.text.LineBreakRendering;
import org.commonmark.renderer.text.TextContentRenderer;

/**
 * Markdown (CommonMark) to e-mail HTML and to plain text. Thread-safe.
 *
 * <p>Raw HTML in the Markdown is escaped, not passed through, and dangerous link schemes
 * (javascript:, data:, …) are removed. Elements get inline styles because many mail clients ignore
 * style sheets. Images become links to the image: a signed message should not load remote content,
 * and remote images are how senders track opens.
 */
final class Markdown {

    /** Both renderings of one body. */
    record Converted(String html, String text) {
    }

    private static final Map<String, String> STYLES = Map.ofEntries(
            Map.entry("p", "margin:0 0 16px 0;"),
            Map.entry("h1", "font-size:22px;line-height:1.3;margin:24px 0 12px 0;"),
            Map.entry("h2", "font-size:20px;line-height:1.3;margin:24px 0 12px 0;"),
            Map.entry("h3", "font-size:18px;line-height:1.3;margin:20px 0 10px 0;"),
            Map.entry("h4", "font-size:16px;margin:16px 0 8px 0;"),
            Map.entry("h5", "font-size:16px;margin:16px 0 8px 0;"),
            Map.entry("h6", "font-size:16px;margin:16px 0 8px 0;"),
            Map.entry("ul", "margin:0 0 16px 0;padding-left:24px;"),
            Map.entry("ol", "margin:0 0 16px 0;padding-left:24px;"),
            Map.entry("a", "color:#0b4ea2;text-decoration:underline;"),
            Map.entry("blockquote", "margin:0 0 16px 0;padding-left:12px;border-left:4px solid #c8ced6;color:#444444;"),
            Map.entry("pre", "margin:0 0 16px 0;padding:8px;background-color:#f2f4f7;white-space:pre-wrap;word-wrap:break-word;"),
            Map.entry("code", "font-family:Consolas,Menlo,monospace;font-size:14px;"));

    private final Parser parser = Parser.builder().build();
    private final HtmlRenderer html = HtmlRenderer.builder()
            .escapeHtml(true)
            .sanitizeUrls(true)
            .attributeProviderFactory(context -> (node, tag, attributes) -> {
                String style = STYLES.get(tag);
                if (style != null) {
                    attributes.put("style", style);
                }
            })
            .nodeRendererFactory(ImageAsLink::new)
            .build();
    private final TextContentRenderer text = TextContentRenderer.builder()
            .lineBreakRendering(LineBreakRendering.SEPARATE_BLOCKS)
            .build();

    Converted convert(String markdown) {
        Node document = parser.parse(markdown == null ? "" : markdown);
        return new Converted(html.render(document), text.render(document).strip());
    }

    /** Renders {@code ![alt](url)} as {@code <a href="url">alt</a>}, so nothing is loaded remotely. */
    private static final class ImageAsLink implements NodeRenderer {
        private final HtmlNodeRendererContext context;

        ImageAsLink(HtmlNodeRendererContext context) {
            this.context = context;
        }

        @Override
        public Set<Class<? extends Node>> getNodeTypes() {
            return Set.of(Image.class);
        }

        @Override
        public void render(Node node) {
            Image image = (Image) node;
            String url = image.getDestination();
            if (context.shouldSanitizeUrls()) {
                url = context.urlSanitizer().sanitizeLinkUrl(url);
            }
            String alt = altText(image);
            var writer = context.getWriter();
            Map<String, String> attributes = new LinkedHashMap<>();
            attributes.put("href", context.encodeUrl(url));
            writer.tag("a", context.extendAttributes(node, "a", attributes));
            writer.text(alt.isBlank() ? "image" : "image: " + alt);
            writer.tag("/a");
        }

        private static String altText(Node node) {
            StringBuilder out = new StringBuilder();
            for (Node child = node.getFirstChild(); child != null; child = child.getNext()) {
                if (child instanceof Text t) {
                    out.append(t.getLiteral());
                } else {
                    out.append(altText(child));
                }
            }
            return out.toString();
        }
    }
}
