package dev.signedmail.approval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signedmail.MailerRuntime;
import dev.signedmail.Problem;
import dev.signedmail.TestSupport;
import dev.signedmail.config.Settings;
import dev.signedmail.release.ReleaseStore;
import dev.signedmail.send.ReleaseSender;
import dev.signedmail.send.SendListener;
import dev.signedmail.send.SendSummary;
import dev.signedmail.testing.Flow;
import dev.signedmail.testing.ScriptedSmtpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One login is never enough: every refusal happens in the send path itself, before the outbox is
 * filled and before any SMTP connection (counted at a real loopback server).
 */
class TwoPersonRuleTest {
    @TempDir
    Path dir;
    ScriptedSmtpServer relay;
    Settings settings;
    MailerRuntime rt;
    Flow flow;

    @BeforeEach
    void start() throws Exception {
        relay = new ScriptedSmtpServer(a -> null);
        settings = TestSupport.settings(dir.resolve("data"), relay.port());
        MailerRuntime.init(settings);
        rt = MailerRuntime.open(settings);
        for (String a : List.of("a@example.org", "b@example.org", "c@example.org")) {
            rt.subscribers().add(a, null, List.of("general"));
        }
        flow = Flow.operators(rt, dir.resolve("tokens"));
    }

    @AfterEach
    void stop() throws Exception {
        rt.close();
        relay.close();
    }

    private long draft() {
        return rt.workflow().create(flow.editor, ReleaseStore.validate("Road closed", "s", "Body.", null, "general"));
    }

    private SendSummary send(long id) {
        return rt.sender(flow.approver).send(id, SendListener.NONE, ReleaseSender.StopSignal.NEVER);
    }

    private void refusedWithoutConnection(long id, String why) {
        Problem p = assertThrows(Problem.class, () -> send(id));
        assertTrue(p.getMessage().contains(why), p.getMessage());
        assertEquals(0, relay.connections(), "no SMTP connection for a refused send");
        assertEquals(Map.of(), rt.outbox().counts(id), "no outbox snapshot for a refused send");
    }

    @Test
    void anUnapprovedReleaseIsRefusedBeforeAnyConnection() {
        long id = draft();
        refusedWithoutConnection(id, "not approved");
        rt.workflow().submit(flow.editor, id);
        refusedWithoutConnection(id, "not approved");
    }

    @Test
    void theAuthorCannotApproveTheirOwnRelease() {
        long id = draft();
        rt.workflow().submit(flow.editor, id);
        assertThrows(Problem.class, () -> rt.workflow().approve(flow.editor, id));
        // an admin who wrote it cannot either: roles do not beat the two-person rule
        long byAdmin = rt.workflow().create(flow.admin, ReleaseStore.validate("T", "s", "B.", null, "general"));
        rt.workflow().submit(flow.admin, byAdmin);
        Problem p = assertThrows(Problem.class, () -> rt.workflow().approve(flow.admin, byAdmin));
        assertTrue(p.getMessage().contains("cannot approve"), p.getMessage());
    }

    @Test
    void anyoneWhoEditedTheContentCannotApproveIt() {
        long id = draft();
        rt.workflow().edit(flow.admin, id, ReleaseStore.validate("Road closed", "s", "Body, edited.", null, "general"));
        rt.workflow().submit(flow.editor, id);
        Problem p = assertThrows(Problem.class, () -> rt.workflow().approve(flow.admin, id));
        assertTrue(p.getMessage().contains("wrote or edited"), p.getMessage());
    }

    @Test
    void aSelfApprovalWrittenStraightIntoTheDatabaseIsRefusedBySendPath() {
        long id = draft();
        String hash = rt.workflow().contentHash(rt.releases().get(id), null);
        rt.db().jdbi().useHandle(h -> h.createUpdate("UPDATE releases SET status = 'approved', approved_by = author_id,"
                + " approved_hash = :h WHERE id = :id").bind("h", hash).bind("id", id).execute());
        refusedWithoutConnection(id, "approved by an operator who wrote or edited it");
    }

    @Test
    void anEditAfterApprovalVoidsItAndTheSendIsRefused() {
        long id = flow.approved(rt, "Road closed", "Body.", "general");
        rt.workflow().edit(flow.editor, id, ReleaseStore.validate("Road closed", "s", "Body, now different.", null, "general"));
        assertEquals("draft", rt.workflow().state(id).status());
        refusedWithoutConnection(id, "not approved");
    }

    @Test
    void contentChangedBehindTheWorkflowsBackIsRefusedByTheContentHash() {
        long id = flow.approved(rt, "Road closed", "Body.", "general");
        rt.db().jdbi().useHandle(h -> h.createUpdate("UPDATE releases SET body_md = 'Send your bank details' WHERE id = :id")
                .bind("id", id).execute());
        refusedWithoutConnection(id, "not what was approved");
    }

    @Test
    void aTemplateChangedAfterApprovalVoidsTheApproval() throws Exception {
        long id = flow.approved(rt, "Road closed", "Body.", "general");
        Path templates = Files.createDirectories(dir.resolve("templates"));
        Files.copy(TestSupport.projectRoot().resolve("templates/news.txt"), templates.resolve("news.txt"));
        Files.writeString(templates.resolve("news.txt"), "\nAlso: click here.\n", java.nio.file.StandardOpenOption.APPEND);
        Map<String, String> cfg = TestSupport.settingsMap(dir.resolve("data"), relay.port());
        cfg.put("templates", templates.toString());
        try (MailerRuntime other = MailerRuntime.open(Settings.of(cfg))) {
            Problem p = assertThrows(Problem.class,
                    () -> other.sender(flow.approver).send(id, SendListener.NONE, ReleaseSender.StopSignal.NEVER));
            assertTrue(p.getMessage().contains("templates changed"), p.getMessage());
        }
        assertEquals(0, relay.connections());
    }

    @Test
    void aSecondOperatorsApprovalLetsTheSendDeliver() {
        long id = draft();
        rt.workflow().submit(flow.editor, id);
        rt.workflow().approve(flow.approver, id);
        SendSummary s = send(id);
        assertEquals(3, s.sent());
        assertEquals(3, relay.received().size());
        assertEquals("sent", rt.releases().get(id).status());
        assertTrue(rt.audit().verify().intact());
    }
}
