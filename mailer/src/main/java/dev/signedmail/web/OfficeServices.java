package dev.signedmail.web;

import dev.signedmail.MailerRuntime;
import dev.signedmail.approval.Workflow;
import dev.signedmail.audit.AuditLog;
import dev.signedmail.guard.Guardrails;
import dev.signedmail.guard.HaltSwitch;
import dev.signedmail.operator.OperatorStore;
import dev.signedmail.outbox.OutboxStore;
import dev.signedmail.release.ReleaseStore;
import java.time.ZoneId;

/**
 * What the press-office pages and the API may use: the workflow and the stores, and a renderer
 * for unsigned previews. Deliberately not {@link MailerRuntime#composer()} or
 * {@link MailerRuntime#sender}: those load the signing keys, which stay with the sending side
 * ({@code run-due}, {@code release send}). "Send" from the web schedules the release for now.
 */
record OfficeServices(OperatorStore operators, Workflow workflow, ReleaseStore releases, OutboxStore outbox,
                      AuditLog audit, HaltSwitch halt, ReleaseIndex index, UnsignedPreview preview, ZoneId zone,
                      boolean https) {

    static OfficeServices from(MailerRuntime rt) {
        Workflow workflow = rt.workflow();
        return new OfficeServices(rt.operators(), workflow, rt.releases(), rt.outbox(), rt.audit(), rt.haltSwitch(),
                new ReleaseIndex(rt.db()), new UnsignedPreview(rt.settings(), workflow), Guardrails.zone(rt.settings()),
                rt.settings().baseUrl().startsWith("https://"));
    }

    /** A release with everything the show, approve and API views need, names resolved. */
    ReleaseFacts facts(long id) {
        return ReleaseFacts.load(this, id);
    }
}
