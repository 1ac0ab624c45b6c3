package dev.signedmail.web;

import dev.signedmail.approval.Workflow;
import dev.signedmail.config.Setting;
import dev.signedmail.config.Settings;
import dev.signedmail.release.Release;
import dev.signedmail.render.Personalisation;
import dev.signedmail.render.RenderException;
import dev.signedmail.render.RenderedRelease;
import dev.signedmail.render.Renderer;
import dev.signedmail.render.Site;

/**
 * What a release will look like, rendered with the same templates as the send path but never
 * signed: the web side holds no signing keys. Its content hash is the one an approval made now
 * binds to, so an approver can compare it with what {@code run-due} checks before sending.
 */
final class UnsignedPreview {
    static final String EXAMPLE_ADDRESS = "subscriber@example.org";

    private final Renderer renderer;
    private final Workflow workflow;
    private final String baseUrl;

    UnsignedPreview(Settings settings, Workflow workflow) {
        this.baseUrl = settings.baseUrl();
        this.renderer = new Renderer(new Site(settings.required(Setting.ORGANISATION), baseUrl, baseUrl + "/verify"),
                settings.path(Setting.TEMPLATES));
        this.workflow = workflow;
    }

    /** @param error the template's complaint when it could not render (then the parts are empty) */
    record Result(String subject, String text, String html, String contentHash, String error) {
    }

    Result of(Release release, Long retractsId) {
        String hash = workflow.contentHash(release, retractsId);
        try {
            // links in the preview go nowhere real: each subscriber gets their own token when it is sent
            // (a shared-body release is shown exactly as everyone gets it: nothing personal in it)
            RenderedRelease r = release.sharedBody() ? renderer.renderShared(release, baseUrl + "/preferences")
                    : renderer.render(release, new Personalisation(EXAMPLE_ADDRESS, "Example Subscriber",
                            release.topic(), baseUrl + "/unsubscribe/PREVIEW", baseUrl + "/preferences/PREVIEW"));
            return new Result(r.subject(), r.text(), r.html(), hash, null);
        } catch (RenderException e) {
            return new Result(release.title(), "", "", hash, e.getMessage());
        }
    }
}
