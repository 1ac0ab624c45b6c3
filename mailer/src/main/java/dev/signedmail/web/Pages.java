package dev.signedmail.web;

import java.util.Map;
import org.thymeleaf.TemplateEngine;
import org.thymeleaf.context.Context;
import org.thymeleaf.templatemode.TemplateMode;
import org.thymeleaf.templateresolver.ClassLoaderTemplateResolver;

/** Server-rendered pages (Thymeleaf, HTML mode, escaped by default) from {@code web/*.html}. */
final class Pages {
    private final TemplateEngine engine = new TemplateEngine();

    Pages() {
        ClassLoaderTemplateResolver r = new ClassLoaderTemplateResolver(Pages.class.getClassLoader());
        r.setPrefix("web/");
        r.setSuffix(".html");
        r.setTemplateMode(TemplateMode.HTML);
        r.setCharacterEncoding("UTF-8");
        r.setCacheable(true);
        engine.setTemplateResolver(r);
    }

    String render(String page, Map<String, Object> variables) {
        Context c = new Context(java.util.Locale.ENGLISH, variables);
        return engine.process(page, c);
    }
}
