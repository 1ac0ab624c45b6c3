package dev.signedmail.verify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Everything {@code verify} found out about one message.
 *
 * @param verdict the answer
 * @param summary one plain sentence saying the answer and why
 * @param from the From header as received (unfolded), or null
 * @param smime the S/MIME check
 * @param dkim every DKIM signature, in header order
 */
public record VerificationReport(Verdict verdict, String summary, String from, SmimeResult smime, List<DkimResult> dkim) {

    /** The summary, then one line per check. */
    public String toText() {
        StringBuilder sb = new StringBuilder(summary).append('\n');
        sb.append("  S/MIME: ").append(smime.status().label()).append(" - ").append(smime.reason());
        if (smime.signer() != null) {
            sb.append(" [signer: ").append(smime.signer()).append(']');
        }
        sb.append('\n');
        for (int i = 1; i < smime.problems().size(); i++) {
            sb.append("          also: ").append(smime.problems().get(i)).append('\n');
        }
        if (smime.headerProtection().present()) {
            sb.append("  Header protection: ").append(smime.headerProtection().mismatches().isEmpty()
                    ? "signed headers match" : String.join("; ", smime.headerProtection().mismatches())).append('\n');
        }
        if (dkim.isEmpty()) {
            sb.append("  DKIM: no signature\n");
        }
        for (DkimResult d : dkim) {
            sb.append("  DKIM d=").append(d.domain()).append(" s=").append(d.selector()).append(" a=").append(d.algorithm())
                    .append(": ").append(d.result().label()).append(" - ").append(d.reason()).append('\n');
        }
        return sb.toString();
    }

    /** One JSON object: verdict, summary, from, smime{status, reason, signer, …}, dkim[{d, s, a, result, reason}]. */
    public String toJson() {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("verdict", verdict.label());
        root.put("summary", summary);
        root.put("from", from);
        ObjectNode s = root.putObject("smime");
        s.put("status", smime.status().label());
        s.put("reason", smime.reason());
        s.put("signer", smime.signer());
        s.put("signatureValid", smime.signatureValid());
        s.put("signingTime", smime.signingTime() == null ? null : smime.signingTime().toString());
        ArrayNode problems = s.putArray("problems");
        smime.problems().forEach(problems::add);
        ObjectNode hp = s.putObject("headerProtection");
        hp.put("present", smime.headerProtection().present());
        hp.put("hp", smime.headerProtection().hp());
        ArrayNode mm = hp.putArray("mismatches");
        smime.headerProtection().mismatches().forEach(mm::add);
        ArrayNode d = root.putArray("dkim");
        for (DkimResult r : dkim) {
            ObjectNode o = d.addObject();
            o.put("d", r.domain());
            o.put("s", r.selector());
            o.put("a", r.algorithm());
            o.put("result", r.result().label());
            o.put("reason", r.reason());
        }
        try {
            return json.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings always serialises", e);
        }
    }
}
