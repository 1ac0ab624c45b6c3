package dev.signedmail.feedback;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Amazon SES event notifications delivered by e-mail (often inside an SNS envelope whose
 * {@code "Message"} is the JSON as a string). Tell-tale: a JSON body with
 * <pre>
 *   {"notificationType": "Bounce" | "Complaint" | "Delivery",
 *    "bounce": {"bouncedRecipients": [{"emailAddress", "status", "diagnosticCode"}]},
 *    "complaint": {"complainedRecipients": [{"emailAddress"}], "complaintFeedbackType"},
 *    "delivery": {"recipients": [...], "smtpResponse"}}
 * </pre>
 * Relays that wrap long lines insert "!\n " into the JSON; that is undone before parsing.
 */
final class SesNotificationReader {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** What a relay inserts where it wraps a long line. */
    private static final java.util.regex.Pattern WRAPPED = java.util.regex.Pattern.compile("!\\r?\\n ");

    private SesNotificationReader() {
    }

    static List<Finding> read(MailView v) {
        String text = v.reportText;
        int brace = text.indexOf('{');
        if (brace < 0 || !text.contains("notificationType")) {
            return List.of();
        }
        try {
            JsonNode n = JSON.readTree(WRAPPED.matcher(text.substring(brace)).replaceAll("").strip());
            if (n.has("Message") && n.get("Message").isTextual()) {
                n = JSON.readTree(n.get("Message").asText());
            }
            List<Finding> all = findings(n);
            return all.size() > BounceParser.MAX_RECIPIENTS ? all.subList(0, BounceParser.MAX_RECIPIENTS) : all;
        } catch (Exception e) {
            return List.of(); // not JSON after all: let the text reader try
        }
    }

    private static List<Finding> findings(JsonNode n) {
        String type = n.path("notificationType").asText(n.path("eventType").asText()).toLowerCase(Locale.ROOT);
        List<Finding> out = new ArrayList<>();
        switch (type) {
            case "bounce" -> {
                for (JsonNode r : n.path("bounce").path("bouncedRecipients")) {
                    String diag = DeliveryStatusReader.stripType(r.path("diagnosticCode").asText());
                    out.add(new Evidence(r.path("emailAddress").asText(), r.path("status").asText(), diag,
                            n.path("bounce").path("bounceSubType").asText(), r.path("action").asText("failed")).toFinding());
                }
            }
            case "complaint" -> {
                String fbt = n.path("complaint").path("complaintFeedbackType").asText("abuse");
                for (JsonNode r : n.path("complaint").path("complainedRecipients")) {
                    out.add(new Finding(r.path("emailAddress").asText(), "", "", Kind.COMPLAINT, Reason.FEEDBACK,
                            fbt.isEmpty() ? "abuse" : fbt, "Amazon SES complaint"));
                }
            }
            case "delivery" -> {
                String smtp = n.path("delivery").path("smtpResponse").asText();
                for (JsonNode r : n.path("delivery").path("recipients")) {
                    out.add(new Evidence(r.asText(), "", smtp, "", "delivered").toFinding());
                }
            }
            default -> {
            }
        }
        return out;
    }
}
