package dev.signedmail.render;

import dev.signedmail.Problem;
import dev.signedmail.release.Release;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.attoparser.ParseException;
import org.thymeleaf.TemplateEngine;
import org.thymeleaf.context.Context;
import org.thymeleaf.exceptions.TemplateEngineException;
import org.thymeleaf.exceptions.TemplateProcessingException;
import org.thymeleaf.standard.StandardDialect;
import org.thymeleaf.standard.expression.OGNLVariableExpressionEvaluator;
import org.thymeleaf.templatemode.TemplateMode;
import org.thymeleaf.templateparser.text.TextParseException;
import org.thymeleaf.templateresolver.AbstractConfigurableTemplateResolver;
import org.thymeleaf.templateresolver.ClassLoaderTemplateResolver;
import org.thymeleaf.templateresolver.FileTemplateResolver;

/**
 * Renders a release for one subscriber from the news templates. Build one per run and share it:
 * it is thread-safe, templates are parsed once, and each release's Markdown is converted once, not
 * once per subscriber.
 *
 * <p>Templates come from the override folder (MAILER_TEMPLATES) when it has a file of that name,
 * otherwise from the built-in {@code templates/} on the classpath. Rendering is strict: a syntax
 * error, a missing template, an unknown variable or an unknown property throws {@link
 * RenderException} naming the template and the line.
 */
public final class Renderer {

    /** The HTML part's template. */
    public static final String HTML_TEMPLATE = "news.html";
    /** The plain-text part's template (Thymeleaf TEXT mode). */
    public static final String TEXT_TEMPLATE = "news.txt";
    /** The double opt-in message. */
    public static final String CONFIRM_HTML_TEMPLATE = "confirm.html";
    public static final String CONFIRM_TEXT_TEMPLATE = "confirm.txt";
    /** The "your personal link" message the generic preferences page queues. */
    public static final String MANAGE_HTML_TEMPLATE = "manage.html";
    public static final String MANAGE_TEXT_TEMPLATE = "manage.txt";
    /** The variables every template gets. */
    public static final List<String> VARIABLES = List.of("release", "subscriber", "links", "site");

    /** The record behind each of {@link #VARIABLES}, in the same order. */
    private static final List<Class<? extends Record>> VIEW_TYPES =
            List.of(ReleaseView.class, SubscriberView.class, LinksView.class, SiteView.class);
    private static final String BUILT_IN_ROOT = "templates/";
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("d MMMM yyyy", Locale.ENGLISH);
    private static final Pattern CONTROL = Pattern.compile("[\\p{Cc}\\u2028\\u2029]+");
    private static final Pattern MANY_BLANK_LINES = Pattern.compile("\\n[ \\t]*\\n(?:[ \\t]*\\n)+");
    private static final Pattern THYMELEAF_WHERE = Pattern.compile("\\s*\\(template: .*\\)\\s*$", Pattern.DOTALL);
    private static final int RELEASE_CACHE_SIZE = 16;

    private final Site site;
    private final SiteView siteView;
    private final Path overrideFolder;
    private final TemplateEngine engine;
    private final Markdown markdown = new Markdown();
    private final java.util.concurrent.ConcurrentHashMap<StampKey, Optional<Stamp>> stamps =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<Release, ReleaseView> releases = new LinkedHashMap<>(32, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Release, ReleaseView> eldest) {
            return size() > RELEASE_CACHE_SIZE;
        }
    };

    /**
     * @param site the sender, the same for every message
     * @param overrideFolder folder with templates that replace the built-in ones of the same name
     *     (MAILER_TEMPLATES), or null to use only the built-in ones
     * @throws Problem if the override folder is given but is not a folder
     */
    public Renderer(Site site, Path overrideFolder) {
        this.site = Objects.requireNonNull(site, "site");
        this.siteView = new SiteView(site.organisation(), site.baseUrl());
        if (overrideFolder != null && !Files.isDirectory(overrideFolder)) {
            throw new Problem("template folder " + overrideFolder.toAbsolutePath()
                    + " (MAILER_TEMPLATES) is not a folder — create it, or unset MAILER_TEMPLATES to use the built-in templates");
        }
        this.overrideFolder = overrideFolder == null ? null : overrideFolder.toAbsolutePath().normalize();
        this.engine = newEngine(this.overrideFolder);
    }

    private static TemplateEngine newEngine(Path overrideFolder) {
        TemplateEngine engine = new TemplateEngine();
        StandardDialect dialect = new StandardDialect();
        dialect.setVariableExpressionEvaluator(
                new StrictVariableEvaluator(new OGNLVariableExpressionEvaluator(true)));
        engine.setDialect(dialect);
        if (overrideFolder != null) {
            FileTemplateResolver files = new FileTemplateResolver();
            files.setPrefix(overrideFolder + "/");
            files.setOrder(1);
            files.setCheckExistence(true);
            configure(files);
            engine.addTemplateResolver(files);
        }
        ClassLoaderTemplateResolver builtIn = new ClassLoaderTemplateResolver(Renderer.class.getClassLoader());
        builtIn.setPrefix(BUILT_IN_ROOT);
        builtIn.setOrder(2);
        builtIn.setCheckExistence(true);
        configure(builtIn);
        engine.addTemplateResolver(builtIn);
        return engine;
    }

    private static void configure(AbstractConfigurableTemplateResolver resolver) {
        resolver.setCharacterEncoding("UTF-8");
        resolver.setTemplateMode(TemplateMode.HTML);
        resolver.getTextTemplateModePatternSpec().addPattern("*.txt");
        resolver.setCacheable(true);
    }

    /**
     * Renders one message.
     *
     * @throws RenderException if a template cannot be rendered; nothing should be sent then
     * @throws Problem if the release's link is not an http(s) URL
     */
    public RenderedRelease render(Release release, Personalisation who) {
        Objects.requireNonNull(release, "release");
        Objects.requireNonNull(who, "who");
        Personalisation p = new Personalisation(who.email(), blankToNull(who.name()), who.topic(), who.unsubscribeUrl(),
                who.preferencesUrl());
        if (!hasControl(p.name()) && !hasControl(p.email()) && !hasControl(p.unsubscribeUrl()) && !hasControl(p.preferencesUrl())) {
            Optional<Stamp> stamp = stamp(release, p.topic(), p.name() != null);
            if (stamp.isPresent()) {
                return stamp.get().fill(p);
            }
        }
        return renderFully(release, p);
    }

    /** The release's stamp for this topic and kind of subscriber, made on first use (empty: render in full). */
    private Optional<Stamp> stamp(Release release, String topic, boolean named) {
        StampKey key = new StampKey(release, topic, named);
        Optional<Stamp> s = stamps.get(key);
        if (s == null) {
            if (stamps.size() > RELEASE_CACHE_SIZE * 4) {
                stamps.clear(); // a long-running process sees many releases; a stamp is cheap to make again
            }
            s = stamps.computeIfAbsent(key, k -> Stamp.make(who -> renderFully(release, who), topic, named));
        }
        return s;
    }

    /** Whether messages of this kind are filled in from a stamp rather than rendered in full; for tests. */
    boolean usesStamp(Release release, String topic, boolean named) {
        return stamp(release, topic, named).isPresent();
    }

    private record StampKey(Release release, String topic, boolean named) {
    }

    /** Values with line breaks would change how the text part is tidied: those get a full render. */
    private static boolean hasControl(String s) {
        return s != null && CONTROL.matcher(s).find();
    }

    /** Runs the templates for this one subscriber (package-private: tests compare it with the stamp). */
    RenderedRelease renderFully(Release release, Personalisation who) {
        Context context = new Context(Locale.ENGLISH);
        ReleaseView view = view(release);
        context.setVariable("release", view);
        context.setVariable("subscriber", new SubscriberView(blankToNull(who.name()), who.email(), who.topic()));
        context.setVariable("links", new LinksView(
                who.unsubscribeUrl(), who.preferencesUrl(), site.howToVerifyUrl(), view.link()));
        context.setVariable("site", siteView);
        String html = process(HTML_TEMPLATE, context);
        String text = tidyText(process(TEXT_TEMPLATE, context));
        return new RenderedRelease(subject(release.title()), text, html);
    }

    /**
     * The one body of a shared-body release: nothing per subscriber in it. No name (the greeting is
     * neutral), no address, and the unsubscribe and preferences links go to the generic page where
     * a subscriber asks for their personal link; the one-click unsubscribe is in each message's
     * List-Unsubscribe header.
     */
    public RenderedRelease renderShared(Release release, String genericPreferencesUrl) {
        return render(release, new Personalisation("", null, release.topic(), genericPreferencesUrl, genericPreferencesUrl));
    }

    /** The double opt-in message: asks the owner of an address to confirm a subscription request. */
    public RenderedRelease renderConfirmation(String email, String name, List<String> topics, String confirmUrl,
                                              Instant expires) {
        Context context = new Context(Locale.ENGLISH);
        context.setVariable("subscriber", new SubscriberView(blankToNull(name), email, String.join(", ", topics)));
        context.setVariable("confirm", new ConfirmView(confirmUrl, String.join(", ", topics),
                DATE.format(expires.atZone(site.zone()))));
        context.setVariable("links", new LinksView(null, null, site.howToVerifyUrl(), null));
        context.setVariable("site", siteView);
        String html = process(CONFIRM_HTML_TEMPLATE, context);
        String text = tidyText(process(CONFIRM_TEXT_TEMPLATE, context));
        return new RenderedRelease(subject("Please confirm your subscription to " + site.organisation()), text, html);
    }

    /**
     * The message with a subscriber's personal preferences and unsubscribe links, which they asked
     * for on the generic preferences page. Variables: {@code subscriber} (its {@code topic} is the
     * current topics, comma-separated), {@code links} (no release link) and {@code site}.
     */
    public RenderedRelease renderManageLink(String email, String name, List<String> topics, String preferencesUrl,
                                            String unsubscribeUrl) {
        Context context = new Context(Locale.ENGLISH);
        context.setVariable("subscriber", new SubscriberView(blankToNull(name), email, String.join(", ", topics)));
        context.setVariable("links", new LinksView(unsubscribeUrl, preferencesUrl, site.howToVerifyUrl(), null));
        context.setVariable("site", siteView);
        String html = process(MANAGE_HTML_TEMPLATE, context);
        String text = tidyText(process(MANAGE_TEXT_TEMPLATE, context));
        return new RenderedRelease(subject("Your link to change your e-mail from " + site.organisation()), text, html);
    }

    /**
     * Renders both templates with sample data (with and without the optional parts), so a broken
     * template fails before any SMTP connection is opened. Also fails if a part does not show the
     * unsubscribe link.
     *
     * @throws RenderException naming the template and the line
     */
    public void check() {
        Instant now = Instant.now();
        Release full = new Release(-1, "Sample release: template check", "A sample summary.",
                "## Sample heading\n\nSome *emphasis* and a [link](https://example.org/).\n\n- one\n- two\n",
                "https://example.org/releases/sample", "general", now, "draft");
        Release bare = new Release(-2, "Sample release without extras", null, "Body.", null, "general", now, "draft");
        String unsubscribe = "https://example.org/unsubscribe/check-token";
        Personalisation named = new Personalisation("check@example.invalid", "Sample Name", "general",
                unsubscribe, "https://example.org/preferences/check-token");
        Personalisation anonymous = new Personalisation("check@example.invalid", null, "general",
                unsubscribe, "https://example.org/preferences/check-token");
        for (RenderedRelease sample : List.of(render(full, named), render(bare, anonymous))) {
            requireUnsubscribe(TEXT_TEMPLATE, sample.text(), unsubscribe);
            requireUnsubscribe(HTML_TEMPLATE, sample.html(), unsubscribe);
        }
    }

    private void requireUnsubscribe(String template, String rendered, String unsubscribe) {
        if (!rendered.contains(unsubscribe)) {
            String where = describe(template);
            throw new RenderException("template " + where + " does not show the unsubscribe link"
                    + " — every message must offer one: add ${links.unsubscribe} to the template (or its footer)",
                    where, null, null);
        }
    }

    private ReleaseView view(Release release) {
        synchronized (releases) {
            ReleaseView cached = releases.get(release);
            if (cached != null) {
                return cached;
            }
        }
        Markdown.Converted body = markdown.convert(release.bodyMarkdown());
        String link = blankToNull(release.link());
        if (link != null && !(link.startsWith("https://") || link.startsWith("http://"))) {
            throw new Problem("release " + release.id() + ": link '" + link
                    + "' is not an http(s) URL — fix the release's link (it must start with https://)");
        }
        ReleaseView view = new ReleaseView(release.id(), release.title(), blankToNull(release.summary()),
                body.html(), body.text(), link, release.topic(),
                release.createdAt() == null ? "" : DATE.format(release.createdAt().atZone(site.zone())));
        synchronized (releases) {
            releases.put(release, view);
        }
        return view;
    }

    /** The cached per-release data, or null; for tests. */
    ReleaseView cachedView(Release release) {
        synchronized (releases) {
            return releases.get(release);
        }
    }

    private String process(String template, Context context) {
        try {
            return engine.process(template, context);
        } catch (TemplateEngineException e) {
            throw explain(template, e);
        }
    }

    /** One line for the operator: which template, which line, what is wrong, how to fix it. */
    private RenderException explain(String template, TemplateEngineException e) {
        TemplateProcessingException located = null;
        String templateName = null;
        String variable = null;
        ognl.NoSuchPropertyException noProperty = null;
        Throwable parseError = null; // the parser's own exception: the most precise syntax message
        Integer parseLine = null;
        List<Throwable> seen = new ArrayList<>();
        for (Throwable t = e; t != null && !seen.contains(t); t = t.getCause()) {
            seen.add(t);
            if (t instanceof TemplateProcessingException p) {
                if (p.hasLineAndCol()) {
                    located = p; // keep the deepest
                }
                if (p.hasTemplateName() && (templateName == null || p.hasLineAndCol())) {
                    templateName = p.getTemplateName();
                }
            }
            if (t instanceof StrictVariableEvaluator.UnknownVariableException u) {
                variable = u.variable();
            }
            if (t instanceof TextParseException p) {
                parseError = p;
                parseLine = p.getLine();
            } else if (t instanceof ParseException p && !(p.getCause() instanceof TemplateEngineException)) {
                parseError = p;
                parseLine = p.getLine();
            }
            if (t instanceof ognl.NoSuchPropertyException n && noProperty == null) {
                noProperty = n;
            }
        }
        if (located != null && located.hasTemplateName()) {
            templateName = located.getTemplateName();
        }
        if (templateName == null || templateName.contains("\n") || templateName.contains("<")) {
            templateName = template;
        }
        String where = describe(templateName);
        Integer line = located != null ? located.getLine() : parseLine;
        String what;
        if (variable != null) {
            what = "unknown variable '" + variable + "' — fix the template or use one of: " + String.join(", ", VARIABLES);
        } else if (noProperty != null) {
            what = unknownProperty(noProperty);
        } else {
            Throwable innermost = located != null ? located : parseError != null ? parseError : e;
            String message = innermost.getMessage() == null ? innermost.getClass().getSimpleName() : innermost.getMessage();
            message = THYMELEAF_WHERE.matcher(message).replaceFirst("");
            what = message + " — fix the template (see templates/README.md)";
        }
        String text = "template " + where + (line == null ? "" : " line " + line) + ": " + what;
        return new RenderException(oneLine(text), where, line, e);
    }

    private static String unknownProperty(ognl.NoSuchPropertyException e) {
        // OGNL's shortcut path leaves target and name unset; its message is then "pkg.Class.property"
        String property = e.getName() == null ? null : String.valueOf(e.getName());
        String typeName = e.getTarget() == null ? null : e.getTarget().getClass().getName();
        String message = e.getMessage();
        if ((property == null || typeName == null) && message != null && message.lastIndexOf('.') > 0) {
            int dot = message.lastIndexOf('.');
            property = property == null ? message.substring(dot + 1).strip() : property;
            typeName = typeName == null ? message.substring(0, dot).strip() : typeName;
        }
        for (int i = 0; i < VIEW_TYPES.size(); i++) {
            Class<?> view = VIEW_TYPES.get(i);
            if (view.getName().equals(typeName)) {
                String owner = VARIABLES.get(i);
                String known = Stream.of(view.getRecordComponents())
                        .map(c -> owner + "." + c.getName())
                        .collect(Collectors.joining(", "));
                return "unknown property '" + property + "' of " + owner + " — fix the template or use one of: " + known;
            }
        }
        String simple = typeName == null ? "" : " of " + typeName.substring(typeName.lastIndexOf('.') + 1);
        return "unknown property '" + property + "'" + simple + " — fix the template (see templates/README.md)";
    }

    /** The template as the operator should look for it: the override file, or the built-in one. */
    private String describe(String templateName) {
        if (overrideFolder != null) {
            Path file = overrideFolder.resolve(templateName).normalize();
            if (file.startsWith(overrideFolder) && Files.isRegularFile(file)) {
                return file.toString();
            }
        }
        return templateName + " (built-in)";
    }

    static String subject(String title) {
        return title == null ? "" : CONTROL.matcher(title).replaceAll(" ").strip();
    }

    private static String tidyText(String text) {
        String tidy = MANY_BLANK_LINES.matcher(text.replace("\r\n", "\n")).replaceAll("\n\n").strip();
        return tidy + "\n";
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
