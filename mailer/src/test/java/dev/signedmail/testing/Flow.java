package dev.signedmail.testing;

import dev.signedmail.MailerRuntime;
import dev.signedmail.operator.Actor;
import dev.signedmail.operator.OperatorStore;
import dev.signedmail.operator.Role;
import dev.signedmail.release.ReleaseStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The two-person flow for tests: an editor, an approver and an admin (with their API tokens in
 * files for the command line), and a shortcut to an approved release.
 */
public final class Flow {
    public final Actor editor;
    public final Actor approver;
    public final Actor admin;
    public final Path editorToken;
    public final Path approverToken;
    public final Path adminToken;

    private Flow(Actor editor, Actor approver, Actor admin, Path editorToken, Path approverToken, Path adminToken) {
        this.editor = editor;
        this.approver = approver;
        this.admin = admin;
        this.editorToken = editorToken;
        this.approverToken = approverToken;
        this.adminToken = adminToken;
    }

    /** Creates the operators ed (editor), ap (approver) and ad (admin); token files go to {@code dir}. */
    public static Flow operators(MailerRuntime rt, Path dir) throws IOException {
        Files.createDirectories(dir);
        OperatorStore ops = rt.operators();
        OperatorStore.Created ed = ops.add("ed", Role.EDITOR);
        OperatorStore.Created ap = ops.add("ap", Role.APPROVER);
        OperatorStore.Created ad = ops.add("ad", Role.ADMIN);
        return new Flow(Actor.of(ed.operator(), "cli", "test"), Actor.of(ap.operator(), "cli", "test"),
                Actor.of(ad.operator(), "cli", "test"),
                Files.writeString(dir.resolve("ed.token"), ed.token()),
                Files.writeString(dir.resolve("ap.token"), ap.token()),
                Files.writeString(dir.resolve("ad.token"), ad.token()));
    }

    /** Subscribes reader0@example.org … reader(n-1)@example.org to "general": the audience most tests send to. */
    public static void readers(MailerRuntime rt, int n) {
        for (int i = 0; i < n; i++) {
            rt.subscribers().add("reader" + i + "@example.org", null, java.util.List.of("general"));
        }
    }

    /** Written by ed, submitted, approved by ap. */
    public long approved(MailerRuntime rt, String title, String body, String topic) {
        return approved(rt, ReleaseStore.validate(title, "summary", body, null, topic));
    }

    /** The same in shared-body mode (one signed body for everyone). */
    public long approvedSharedBody(MailerRuntime rt, String title, String body, String topic) {
        return approved(rt, ReleaseStore.validate(title, "summary", body, null, topic).withSharedBody(true));
    }

    private long approved(MailerRuntime rt, ReleaseStore.Content content) {
        long id = rt.workflow().create(editor, content);
        rt.workflow().submit(editor, id);
        rt.workflow().approve(approver, id);
        return id;
    }
}
