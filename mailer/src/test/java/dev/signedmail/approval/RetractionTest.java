package dev.signedmail.approval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signedmail.MailerRuntime;
import dev.signedmail.Problem;
import dev.signedmail.TestSupport;
import dev.signedmail.config.Settings;
import dev.signedmail.send.ReleaseSender;
import dev.signedmail.send.SendListener;
import dev.signedmail.send.SendSummary;
import dev.signedmail.testing.Flow;
import dev.signedmail.testing.ScriptedSmtpServer;
import dev.signedmail.testing.Verifiers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A retraction reaches everyone who received the release, signed, and needs two people like any release. */
class RetractionTest {
    @TempDir
    Path dir;

    @Test
    void aRetractionNoticeReachesEveryRecipientOfTheReleaseAfterASecondApproval() throws Exception {
        try (ScriptedSmtpServer relay = new ScriptedSmtpServer(a -> a.startsWith("bounce") ? "550 5.1.1 unknown" : null)) {
            Settings s = TestSupport.settings(dir.resolve("data"), relay.port());
            MailerRuntime.init(s);
            try (MailerRuntime rt = MailerRuntime.open(s)) {
                for (String a : List.of("a@example.org", "b@example.org", "bounce@example.org")) {
                    rt.subscribers().add(a, null, List.of("general"));
                }
                rt.subscribers().add("sport@example.org", null, List.of("sport"));
                Flow flow = Flow.operators(rt, dir.resolve("tokens"));
                long original = flow.approved(rt, "Suspect named", "Body.", "general");
                send(rt, flow, original);
                rt.subscribers().add("late@example.org", null, List.of("general"));
                int before = relay.received().size();

                Workflow.Retraction r = rt.workflow().retract(flow.editor, original, "it named the wrong person");
                assertEquals(2, r.recipients());
                assertEquals("retracted", rt.releases().get(original).status());
                long notice = r.noticeId();
                assertThrows(Problem.class, () -> send(rt, flow, notice), "a notice needs approval too");
                assertThrows(Problem.class, () -> rt.workflow().approve(flow.editor, notice), "not by the retractor");
                assertEquals(before, relay.received().size());

                rt.workflow().approve(flow.approver, notice);
                SendSummary sent = send(rt, flow, notice);
                assertEquals(2, sent.sent());
                Set<String> to = new TreeSet<>();
                for (ScriptedSmtpServer.Received m : relay.received().subList(before, relay.received().size())) {
                    to.addAll(m.recipients());
                    String text = new String(m.data(), StandardCharsets.UTF_8).replaceAll("=\r\n", "");
                    assertTrue(text.contains("titled \"Suspect named\" was withdrawn because it named the wrong person"),
                            text);
                    Verifiers.smimeSigner(Verifiers.smime(m.data()), Verifiers.certificate(TestSupport.keys().resolve("ca.pem")));
                }
                assertEquals(Set.of("a@example.org", "b@example.org"), to,
                        "exactly those who received it: not the bounce, not other topics, not later subscribers");
                assertThrows(Problem.class, () -> rt.workflow().retract(flow.editor, original, "again"));
            }
        }
    }

    @Test
    void retractingAReleaseNobodyReceivedJustStopsIt() throws Exception {
        Settings s = TestSupport.settings(dir.resolve("data"), 2525);
        MailerRuntime.init(s);
        try (MailerRuntime rt = MailerRuntime.open(s)) {
            Flow flow = Flow.operators(rt, dir.resolve("tokens"));
            long id = flow.approved(rt, "T", "B.", "general");
            Workflow.Retraction r = rt.workflow().retract(flow.editor, id, "not needed");
            assertNull(r.noticeId());
            Problem p = assertThrows(Problem.class, () -> rt.sender(flow.approver).send(id, SendListener.NONE,
                    ReleaseSender.StopSignal.NEVER));
            assertTrue(p.getMessage().contains("retracted"), p.getMessage());
        }
    }

    private static SendSummary send(MailerRuntime rt, Flow flow, long id) {
        return rt.sender(flow.approver).send(id, SendListener.NONE, ReleaseSender.StopSignal.NEVER);
    }
}
